/** (c) The same routes on Middy with no sessions at all: the floor. */
import middy from '@middy/core'
import { noSession, route } from './routes.ts'
import { type Contender, lambdaContext, toHttpResult } from './types.ts'

export function middyPlainContender(): Contender {
  const handler = middy().handler(async (event) => route(event, noSession))
  return {
    key: 'c',
    label: 'Middy, the same routes, no sessions',
    recorder: undefined,
    now: Date.now,
    async invoke(event) {
      return toHttpResult(await handler(event, lambdaContext()))
    },
  }
}
