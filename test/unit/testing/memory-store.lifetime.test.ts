import { MemoryStore } from '../../../src/testing/index.ts'
import { userSessions } from '../../../src/users/index.ts'
import { auditFlows } from '../../support/audit-flows.ts'
import { blindWriteFlows } from '../../support/blind-write-flows.ts'
import { csrfFlows } from '../../support/csrf-flows.ts'
import { lifetimeFlows } from '../../support/lifetime-flows.ts'
import { observabilityFlows } from '../../support/observability-flows.ts'
import { reauthFlows } from '../../support/reauth-flows.ts'
import { renewalFlows } from '../../support/renewal-flows.ts'

lifetimeFlows('MemoryStore', async (now) => new MemoryStore({ now }))
reauthFlows('MemoryStore', async (now) => new MemoryStore({ now }))
auditFlows('MemoryStore', async (now) => new MemoryStore({ now, users: userSessions() }))
renewalFlows('MemoryStore', async (now) => new MemoryStore({ now, users: userSessions() }))
csrfFlows('MemoryStore', async (now) => new MemoryStore({ now }))
blindWriteFlows('MemoryStore', async (now) => new MemoryStore({ now }))
observabilityFlows('MemoryStore', async (now) => new MemoryStore({ now, users: userSessions() }), false)

// Without transactions (the three-step regenerate of MRSC tables): the flows that need no users.
const noTransactions = (now: () => number) => new MemoryStore({ now, transactions: false })
lifetimeFlows('MemoryStore without transactions', async (now) => noTransactions(now))
reauthFlows('MemoryStore without transactions', async (now) => noTransactions(now))
csrfFlows('MemoryStore without transactions', async (now) => noTransactions(now))
blindWriteFlows('MemoryStore without transactions', async (now) => noTransactions(now))
