import { MemoryStore } from '../../../src/testing/index.ts'
import { userSessions } from '../../../src/users/index.ts'
import { userFlows } from '../../support/user-flows.ts'

userFlows('MemoryStore', async (now) => new MemoryStore({ now, users: userSessions() }))
