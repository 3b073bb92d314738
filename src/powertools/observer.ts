/**
 * Observing one request's store operations: each I/O operation of the store (and of its users' index)
 * runs in a span named after it, with the table's calls reported to the request's audit stream. Plain
 * functions: usable without Powertools.
 *
 * @module
 */
import { type StoreCall, type StoreObserver, storeCalls } from '../store/calls.ts'

/**
 * A request's span: runs `operation` as a named part of the request's trace.
 *
 * @example
 * ```ts
 * const span: SessionSpan = (name, operation) => {
 *   console.time(name)
 *   return operation().finally(() => console.timeEnd(name))
 * }
 * ```
 */
export type SessionSpan = <R>(name: string, operation: () => Promise<R>) => Promise<R>

/** The operations of a store and of its users' index that do I/O. */
const OPERATIONS = new Set([
  'load',
  'create',
  'save',
  'saveUnread',
  'regenerate',
  'touch',
  'destroy',
  'list',
  'end',
  'endAll',
  'checkRoom',
  'bindingFor',
])

/** `target` as one request sees it: each I/O operation in `span`, its calls reported to `report`. */
function observed<S extends object>(
  target: S,
  report: ((call: StoreCall) => void) | undefined,
  span: SessionSpan | undefined,
  prefix: string,
): S {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key)
      if (typeof key !== 'string') return value
      if (key === 'users' && typeof value === 'object' && value) {
        return observed(value, report, span, `${prefix}users.`)
      }
      if (typeof value !== 'function') return value
      // The store's own methods, called on the store itself (its private fields are not the proxy's).
      if (!OPERATIONS.has(key)) return value.bind(object)
      return (...args: unknown[]) => {
        const operation = () => Reflect.apply(value, object, args) as Promise<unknown>
        const spanned = span ? () => span(prefix + key, operation) : operation
        return report ? storeCalls.run(report, spanned) : spanned()
      }
    },
  })
}

/**
 * The `audit.observe` option: reports each DynamoDB call of a request as a `store-call` event (`calls`;
 * the store then asks DynamoDB for the capacity each consumed), and runs each store operation in `span`,
 * named `session.load`, `session.save`, `session.regenerate`, `session.users.endAll`...
 *
 * @example
 * ```ts
 * dynamoSession({
 *   audit: { onEvent: (event) => console.log(event), observe: storeObserver({ calls: true }) },
 * })
 * ```
 */
export function storeObserver(options: {
  calls?: boolean | undefined
  span?: SessionSpan | undefined
}): StoreObserver {
  return (store, report) => observed(store, options.calls ? report : undefined, options.span, 'session.')
}
