/**
 * The front doors the testing helpers build events for and read responses of.
 *
 * @module
 */

/**
 * A front door the event builders know: every front door `detectFrontDoor` tells, but `'unknown'`.
 *
 * @example
 * ```ts
 * const door: KnownFrontDoor = 'alb-multi-value'
 * ```
 */
export type KnownFrontDoor = 'http-api-v2' | 'function-url' | 'rest-api-v1' | 'alb' | 'alb-multi-value'

/**
 * Every front door, to run one test per door.
 *
 * @example
 * ```ts
 * describe.each(FRONT_DOORS)('behind %s', (door) => {
 *   it('counts', async () => {
 *     const result = await handler(httpEvent(door, { path: '/api/count' }), context)
 *   })
 * })
 * ```
 */
export const FRONT_DOORS: readonly KnownFrontDoor[] = Object.freeze([
  'http-api-v2',
  'function-url',
  'rest-api-v1',
  'alb',
  'alb-multi-value',
])
