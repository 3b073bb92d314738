/**
 * The load test's and the benchmarks' cookie jar: the testing subpath's `CookieJar` (one implementation),
 * made with the session cookie's name as before: `new CookieJar('id')`.
 */
import { CookieJar as BrowserCookieJar } from '../src/testing/index.ts'

export class CookieJar extends BrowserCookieJar {
  constructor(cookieName = 'id') {
    super({ cookieName })
  }
}
