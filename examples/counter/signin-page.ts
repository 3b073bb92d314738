/**
 * The sign-in demo's part of the page: a sign-in form, or "Signed in as" with the user's sessions.
 * Every user-provided string (the name, a user agent) is escaped; forms post to relative URLs, so the
 * page also works under a named API stage (/prod/).
 */
import type { UserSessionInfo } from '../../src/index.ts'
import { escapeHtml } from './html.ts'

/** What the signed-in section shows. */
export interface SignedInView {
  name: string
  sessions: readonly UserSessionInfo[]
  /** Whether the user has more sessions than the list shows. */
  more: boolean
}

export function signInForm(): string {
  return `<section id="account">
<h2>Sign in</h2>
<form id="signin" method="post" action="signin">
<label for="name">Name</label>
<input id="name" name="name" required maxlength="64" autocomplete="username">
<button type="submit">Sign in</button>
</form>
<p class="note">No password: this demo is about the session side. Sign in with the same name in another
browser to see both devices below, and sign one out from the other.</p>
</section>`
}

/** A date as UTC text in a `<time>` (the page's script shows it in the reader's time zone). */
function time(date: Date): string {
  const iso = date.toISOString()
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`
}

function deviceOf(session: UserSessionInfo): string {
  return typeof session.meta.ua === 'string' && session.meta.ua !== '' ? session.meta.ua : 'Unknown device'
}

function sessionItem(session: UserSessionInfo): string {
  const device = escapeHtml(deviceOf(session))
  const handle = escapeHtml(session.handle)
  const action = session.current
    ? '<strong class="this-device">this device</strong>'
    : `<form method="post" action="sessions/${escapeHtml(encodeURIComponent(session.handle))}/end">` +
      `<button class="end-session" type="submit" aria-label="Sign out ${device}">Sign out</button></form>`
  return `<li class="session${session.current ? ' current' : ''}" data-handle="${handle}">
<div class="device">${device}</div>
<div class="times">signed in ${time(session.createdAt)} · last used ${time(session.lastUsedAt)}</div>
${action}
</li>`
}

export function signedInSection(view: SignedInView): string {
  const items = view.sessions.map(sessionItem).join('\n')
  return `<section id="account">
<div class="signed-in">
<p>Signed in as <strong id="user-name">${escapeHtml(view.name)}</strong></p>
<form method="post" action="signout"><button id="signout" type="submit">Sign out</button></form>
</div>
<h2>Your sessions</h2>
<ul id="sessions">
${items}
</ul>
${view.more ? '<p class="note">Only the most recent sessions are shown.</p>\n' : ''}<form method="post" action="sessions/end-others"><button id="end-others" type="submit">Sign out everywhere else</button></form>
<p class="note">A device that signed in a moment ago can take a second to appear here; signing out
everywhere else ends it all the same.</p>
</section>`
}
