import { MemoryStore, MemoryTable } from '../../../src/testing/index.ts'
import { userSessions } from '../../../src/users/index.ts'
import { userContract } from '../../support/user-contract.ts'

// One table for the whole suite, as the DynamoDB run shares one table (each test has users of its own).
const table = new MemoryTable()

userContract(
  'MemoryStore',
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    new MemoryStore({ table, ...options, users: userSessions({ maxSessionsPerUser, whenFull }) }),
)

// The same contract without transactions (binding in steps), on a table that refuses them as MRSC does.
const withoutTransactions = new MemoryTable()
userContract(
  'MemoryStore without transactions',
  async ({ maxSessionsPerUser, whenFull, ...options }) =>
    new MemoryStore({
      table: withoutTransactions,
      ...options,
      transactions: false,
      users: userSessions({ maxSessionsPerUser, whenFull }),
    }),
)
