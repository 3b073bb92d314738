/**
 * Keeping the session cookie out of shared caches (a CDN such as CloudFront, a proxy): a response that
 * sets or clears it carries `Cache-Control: private` (no shared cache stores it) and
 * `no-cache="Set-Cookie"` (a cache that stores it anyway may not hand the cookie to anyone else), merged
 * into the `Cache-Control` the handler set, never weakening it:
 *
 * - `no-store` already keeps the response out of every cache: the header stays as it is;
 * - `public` is dropped (it would allow shared caches), a field-qualified `private="…"` becomes `private`,
 *   a field-qualified `no-cache="…"` the unqualified `no-cache` (both stronger);
 * - every other directive (`max-age`, `must-revalidate`, an unqualified `no-cache`...) is kept.
 *
 * The merged header goes where the front door reads headers: `multiValueHeaders` on REST API, ALB with
 * multi-value headers and unknown doors, `headers` elsewhere; a `Cache-Control` of any letter case in
 * the other container is folded in, so the response carries exactly one.
 *
 * @module
 */
import { detectFrontDoor, headersKey, isRecord } from './front-door.ts'
import { takeHeader } from './response-cookies.ts'

/** A list element: anything up to a comma that is not inside quotes. */
const ELEMENT = /(?:[^,"]|"(?:[^"\\]|\\.)*")+/g

/**
 * The `Cache-Control` value a response setting the session cookie needs, given the handler's (`undefined`
 * when it set none).
 *
 * @example
 * ```ts
 * privateCacheControl(undefined) // 'private, no-cache="Set-Cookie"'
 * privateCacheControl('public, max-age=60') // 'max-age=60, private, no-cache="Set-Cookie"'
 * privateCacheControl('no-store') // 'no-store'
 * ```
 */
export function privateCacheControl(handlers: string | undefined): string {
  if (handlers && /(?:^|[\s,])no-store\s*(?:,|$)/i.test(handlers)) return handlers
  let noCache = false
  const kept: string[] = []
  for (const element of handlers?.match(ELEMENT) ?? []) {
    const directive = element.trim()
    const name = /^[^\s=]*/.exec(directive)?.[0].toLowerCase()
    // A field-qualified no-cache becomes the unqualified one: nothing is reused without revalidation.
    if (name === 'no-cache') noCache = true
    else if (directive && name !== 'public' && name !== 'private') kept.push(directive)
  }
  return [...kept, 'private', noCache ? 'no-cache' : 'no-cache="Set-Cookie"'].join(', ')
}

/**
 * `response` (a normalised response object, as `addSetCookies` returns it) with the `Cache-Control` of
 * {@link privateCacheControl}, where the event's front door reads it. The handler's header containers
 * are copied, never mutated.
 *
 * @example
 * ```ts
 * request.response = keepOutOfSharedCaches(request.event, addSetCookies(request.event, request.response, [cookie]))
 * ```
 */
export function keepOutOfSharedCaches(event: unknown, response: unknown): unknown {
  if (!isRecord(response)) return response
  const where = headersKey(detectFrontDoor(event))
  const result: Record<string, unknown> = { ...response }
  const found: unknown[] = []
  for (const name of ['headers', 'multiValueHeaders']) {
    if (isRecord(result[name]) || name === where)
      result[name] = takeHeader(result[name], 'cache-control', found)[0]
  }
  const handlers = found.filter((value) => typeof value === 'string')
  const value = privateCacheControl(handlers.length > 0 ? handlers.join(', ') : undefined)
  ;(result[where] as Record<string, unknown>)['Cache-Control'] = where === 'headers' ? value : [value]
  return result
}
