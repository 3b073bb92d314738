/**
 * `middy-dynamodb-session/users`: sessions bound to users, as a plug-in of the store. With it,
 * `session.bindUser()` binds the session at login, `session.listUserSessions()` lists a user's devices,
 * and `endUserSession()` / `endAllUserSessions()` sign one or all of them out, completely (see SECURITY.md).
 * Opt-in: a function that never binds users leaves it out, and its bundle carries none of it.
 *
 * @example
 * ```ts
 * import { dynamoSession } from 'middy-dynamodb-session'
 * import { userSessions } from 'middy-dynamodb-session/users'
 *
 * export const handler = middy()
 *   .use(dynamoSession({ store: { tableName: process.env.TABLE_NAME, users: userSessions({ maxSessionsPerUser: 10 }) } }))
 *   .handler(login)
 * ```
 *
 * @packageDocumentation
 */
import { checkOptions } from '../config.ts'
import type { UsersPlugin } from '../store/binding.ts'
import { DynamoDBUserIndex, type UserIndexOptions, userPolicy } from './user-index.ts'

export {
  USER_INDEX_NAME,
  type UserIndexOptions,
  type WhenUserFull,
} from './user-index.ts'

/**
 * The users' feature for a store (`store: { users: userSessions() }`, on the DynamoDB store and on the
 * test kit's `MemoryStore` alike): options checked now, the index built by each store over its table.
 *
 * @example
 * ```ts
 * const store = new DynamoDBSessionStore({ tableName: 'Sessions', users: userSessions({ whenFull: 'end-least-recent' }) })
 * await store.users.endAll('u-42') // a password reset: every session of that user ends
 * ```
 */
export function userSessions(options: UserIndexOptions = {}): UsersPlugin {
  checkOptions(
    options,
    {
      rules: { indexName: 'string', maxSessionsPerUser: 'any', whenFull: 'any' },
      hints: { max: 'did you mean maxSessionsPerUser?', limit: 'did you mean maxSessionsPerUser?' },
    },
    'users.',
  )
  userPolicy(options)
  return { attach: (host) => new DynamoDBUserIndex(host, options) }
}
