/**
 * The scheduled sweeper of ./template.yaml: an MRSC global table has no TTL, so expired sessions (and the
 * short-lived items a login leaves) are deleted by `deleteExpiredSessions`, on a schedule. It needs
 * `dynamodb:Scan` and `dynamodb:BatchWriteItem` on the table, nothing else.
 */
import { deleteExpiredSessions, LiteSessionStore } from '../../src/lite/index.ts'

const store = new LiteSessionStore({ tableName: process.env.TABLE_NAME })

export async function handler(): Promise<{ deleted: number }> {
  return { deleted: await deleteExpiredSessions(store) }
}
