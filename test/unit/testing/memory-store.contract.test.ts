import { MemoryStore, MemoryTable } from '../../../src/testing/index.ts'
import { storeContract } from '../../support/store-contract.ts'

// One table for the whole suite, as the DynamoDB run shares one table: stores made for one test see
// one another's sessions (the collision test relies on it).
const table = new MemoryTable()

storeContract('MemoryStore', async (options) => new MemoryStore({ table, ...options }))

// The same contract without transactions (the three-step regenerate), on a table that refuses them.
const withoutTransactions = new MemoryTable()
storeContract(
  'MemoryStore without transactions',
  async (options) => new MemoryStore({ table: withoutTransactions, ...options, transactions: false }),
)
