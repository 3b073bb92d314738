import { MemoryStore } from '../../../src/testing/index.ts'
import { lifetimeFlows } from '../../support/lifetime-flows.ts'

lifetimeFlows('MemoryStore', async (now) => new MemoryStore({ now }))
