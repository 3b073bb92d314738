/**
 * The routes the audit and observability suites send a browser to, one session step each: `/write`
 * (read and increment), `/held` (read, wait for `hold`, then write: another request changes the key
 * meanwhile), `/read`, `/login/<user>` (regenerate and bind), `/logout`, `/end-all` (sign out everywhere).
 */
import type { Session } from '../../src/index.ts'

/** Runs the step `path` names on `session`; `held` waits on `hold.until` after its read (`hold.loaded`). */
export async function sessionStep(
  session: Session<{ n?: number }>,
  path: string,
  hold: { until: Promise<void>; loaded?: () => void },
): Promise<void> {
  const [, verb, arg = ''] = path.split('/')
  if (verb === 'write') await session.set('n', ((await session.get('n')) ?? 0) + 1)
  if (verb === 'held') {
    const n = (await session.get('n')) ?? 0
    hold.loaded?.()
    await hold.until // another request changes n meanwhile
    await session.set('n', n + 1)
  }
  if (verb === 'read') await session.get('n')
  if (verb === 'login') {
    await session.regenerate()
    await session.bindUser(arg)
  }
  if (verb === 'logout') await session.destroy()
  if (verb === 'end-all') await session.endAllUserSessions()
}
