/**
 * The sign-in demo: sign in as a name (no password: it is a demo of the session side), see where you
 * are signed in, sign out one device or every other one. A login regenerates the session id and binds
 * the session to the user; the list comes from `listUserSessions()`, which never shows a session id,
 * only opaque handles.
 */
import type { UserSessionPage } from '../../src/index.ts'
import type { CounterRequest } from './request.ts'
import { backToPage, type CounterResponse, json } from './responses.ts'
import { signedInSection, signInForm } from './signin-page.ts'

/** The part of the session the sign-in routes use; `Session<{ name: string }>` fits it. */
export interface SignInSession {
  get(key: 'name'): Promise<string | undefined>
  set(key: 'name', value: string): Promise<void>
  regenerate(): Promise<void>
  destroy(): Promise<void>
  bindUser(userId: string, options?: { meta?: Record<string, string> }): Promise<void>
  user(): Promise<{ readonly userId: string; readonly handle: string } | undefined>
  listUserSessions(): Promise<UserSessionPage>
  endUserSession(handle: string): Promise<boolean>
  endAllUserSessions(): Promise<number>
}

/** Names are 1 to 64 characters, spaces around them dropped. */
export const MAX_NAME_LENGTH = 64
/** The user agent kept with a sign-in (printable ASCII, as user agents are), well within the 1 KB of metadata. */
const MAX_USER_AGENT_LENGTH = 200

/** `POST /sessions/<handle>/end`: handles are base64url. */
const END_ONE = /^\/sessions\/([\w-]{1,64})\/end$/

function userAgentOf(request: CounterRequest): string {
  return request.userAgent.replace(/[^\x20-\x7e]/g, '').slice(0, MAX_USER_AGENT_LENGTH)
}

function nameOf(request: CounterRequest): string | undefined {
  const name = request.fields.name?.trim() ?? ''
  const length = [...name].length
  return length > 0 && length <= MAX_NAME_LENGTH && name.isWellFormed() ? name : undefined
}

/** The signed-in user's name, or `undefined`: one GetItem for a returning visitor, none for a new one. */
async function signedInName(session: SignInSession): Promise<string | undefined> {
  return (await session.user()) ? session.get('name') : undefined
}

/** A form post goes back to the page; an API client gets `value` as JSON. */
function done(request: CounterRequest, value: unknown): CounterResponse {
  return request.acceptsHtml ? backToPage(request.path) : json(value)
}

function notSignedIn(request: CounterRequest): CounterResponse {
  return request.acceptsHtml ? backToPage(request.path) : json({ error: 'Not signed in' }, 401)
}

async function signIn(request: CounterRequest, session: SignInSession): Promise<CounterResponse> {
  const name = nameOf(request)
  if (name === undefined) {
    return json({ error: `A name is 1 to ${MAX_NAME_LENGTH} characters` }, 400)
  }
  // A new id at login (no fixation), then the binding that puts this device in the user's list.
  await session.regenerate()
  await session.bindUser(name, { meta: { ua: userAgentOf(request) } })
  await session.set('name', name)
  return done(request, { name })
}

/**
 * Routes the sign-in demo's requests; `undefined` for any other route (the counter's).
 *
 * - `POST /signin` (form or JSON `name`): regenerates the session, binds it to the user `name` with this
 *   device's user agent; `{"name":...}`, or 400 for a missing or too long name
 * - `POST /signout`: destroys the session; `{"name":null}`
 * - `GET /api/me`: `{"name":...}`, `{"name":null}` when signed out
 * - `GET /api/sessions`: `{"sessions":[{handle, createdAt, lastUsedAt, expiresAt, current, meta}]}`
 * - `POST /sessions/<handle>/end`: signs that device out; `{"ended":true|false}`
 * - `POST /sessions/end-others`: signs every other device out; `{"ended":N}`
 *
 * POSTs from a browser's form (`Accept: text/html`) get `303 See Other` back to the page instead. The
 * routes that need a signed-in user answer 401 (a form post: back to the page) without one.
 */
export async function routeSignIn(
  request: CounterRequest,
  session: SignInSession,
): Promise<CounterResponse | undefined> {
  switch (`${request.method} ${request.path}`) {
    case 'POST /signin':
      return signIn(request, session)
    case 'POST /signout':
      await session.destroy()
      return done(request, { name: null })
    case 'GET /api/me':
      return json({ name: (await signedInName(session)) ?? null })
    case 'GET /api/sessions':
      if (!(await session.user())) return notSignedIn(request)
      return json(await session.listUserSessions())
    case 'POST /sessions/end-others':
      if (!(await session.user())) return notSignedIn(request)
      return done(request, { ended: await session.endAllUserSessions() })
  }
  const handle = request.method === 'POST' ? END_ONE.exec(request.path)?.[1] : undefined
  if (handle === undefined) return undefined
  if (!(await session.user())) return notSignedIn(request)
  return done(request, { ended: await session.endUserSession(handle) })
}

/** The page's sign-in section: the form when signed out, else the user's sessions. */
export async function signInSection(session: SignInSession): Promise<string> {
  const name = await signedInName(session)
  if (name === undefined) return signInForm()
  const { sessions, cursor } = await session.listUserSessions()
  return signedInSection({ name, sessions, more: cursor !== undefined })
}
