/**
 * The counter's answer to a request: the sign-in demo's routes (./signin.ts) first, then the counter's
 * (./routes.ts), whose page shows the sign-in section. What the Lambda (./app.ts) and the benches' copies of
 * it without Powertools serve.
 */
import { type CounterResponse, type CounterSession, readCounterRequest, routeCounter } from './routes.ts'
import { routeSignIn, type SignInSession, signInSection } from './signin.ts'

/**
 * Answers the Lambda event `event` with `session`.
 *
 * @example
 * ```ts
 * .handler((event, context) => serveCounter(event, context.session))
 * ```
 */
export async function serveCounter(
  event: unknown,
  session: CounterSession & SignInSession,
): Promise<CounterResponse> {
  const request = readCounterRequest(event)
  return (
    (await routeSignIn(request, session)) ??
    routeCounter(request, session, { pageSection: () => signInSection(session) })
  )
}
