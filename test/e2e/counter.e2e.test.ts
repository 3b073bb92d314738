/**
 * The counter in a real browser: Debian's Chromium, driven by playwright-core, against the dev server
 * (`npm start` in-process, with its own DynamoDB Local). Then its sign-in demo with two browser
 * contexts as two devices of one user. A failing test leaves a screenshot in test-results/, and the
 * signed-in page is saved there as e2e-signed-in.png to look at.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServerLog, type RunningDevServer, runDevServer } from '../../scripts/dev-server.ts'

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const resultsDir = fileURLToPath(new URL('../../test-results/', import.meta.url))

const requests: string[] = []
const log: DevServerLog = {
  info: (message) => requests.push(message),
  error: (message, error) => console.error(message, error),
}

let server: RunningDevServer | undefined
let browser: Browser | undefined
let setupError: unknown

beforeAll(async () => {
  // A setup failure fails every test with its message (rather than leaving them skipped).
  try {
    if (!existsSync(executablePath)) {
      throw new Error(
        `Chromium not found at ${executablePath}. Install it (Debian: apt-get install -y chromium) or set ` +
          'CHROMIUM_PATH to a Chromium or Chrome binary.',
      )
    }
    server = await runDevServer({ port: 0, log })
    browser = await chromium.launch({
      executablePath,
      // Root in a container needs --no-sandbox; the rest keeps Chromium from calling home.
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
  } catch (error) {
    setupError = error
  }
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

function ready(): { server: RunningDevServer; browser: Browser } {
  if (setupError !== undefined || !server || !browser) throw setupError ?? new Error('setup did not run')
  return { server, browser }
}

/** Runs a test body; on failure saves a screenshot of the page to test-results/ first. */
async function withScreenshot(name: string, page: Page, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (error) {
    mkdirSync(resultsDir, { recursive: true })
    const path = `${resultsDir}e2e-${name.replace(/\W+/g, '-')}.png`
    await page.screenshot({ path, fullPage: true }).catch(() => {})
    throw error
  }
}

async function open(userAgent?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await ready().browser.newContext(userAgent ? { userAgent } : {})
  return { context, page: await context.newPage() }
}

async function visit(page: Page): Promise<string | null> {
  const response = await page.goto(`${ready().server.url}/`)
  expect(response?.status()).toBe(200)
  return page.textContent('#count')
}

describe('the counter in Chromium', () => {
  it('counts 1, 2, 3 on reloads; another browser context has its own count', async () => {
    const { context, page } = await open()
    await withScreenshot('counts', page, async () => {
      expect(await visit(page)).toBe('1')
      expect(await visit(page)).toBe('2')
      expect(await visit(page)).toBe('3')

      const other = await open()
      await withScreenshot('second-context', other.page, async () => {
        expect(await visit(other.page)).toBe('1')
      })
      await other.context.close()

      expect(await visit(page)).toBe('4')
    })
    await context.close()
  })

  it('starts over after the Reset button (POST /reset, 303 back to the page)', async () => {
    const { context, page } = await open()
    await withScreenshot('reset', page, async () => {
      await visit(page)
      expect(await visit(page)).toBe('2')
      const [reset] = await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname === '/reset'),
        page.click('#reset'),
      ])
      expect(reset.request().method()).toBe('POST')
      expect(reset.status()).toBe(303)
      await page.waitForLoadState('load')
      expect(new URL(page.url()).pathname).toBe('/')
      expect(await page.textContent('#count')).toBe('1')
      expect(await visit(page)).toBe('2')
    })
    await context.close()
  })

  it('keeps the session id in an HttpOnly, SameSite=Lax, Path=/ cookie that scripts cannot read', async () => {
    const { context, page } = await open()
    await withScreenshot('cookie', page, async () => {
      await visit(page)
      const cookies = await context.cookies()
      expect(cookies.map((cookie) => cookie.name)).toEqual(['id'])
      const [cookie] = cookies
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost' })
      // Plain http://localhost: the dev server runs the function with COOKIE_SECURE=false.
      expect(cookie?.secure).toBe(false)
      // Rolling two-week expiry: a persistent cookie.
      expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 13 * 24 * 3600)
      expect(cookie?.value).toMatch(/^[\w-]{22,}$/)
      expect(await page.evaluate('document.cookie')).toBe('')
    })
    await context.close()
  })

  it('lets the favicon request through without a session (404)', async () => {
    ready()
    // Chromium asks for /favicon.ico by itself after a page load.
    const favicon = requests.filter((line) => line.startsWith('GET /favicon.ico '))
    expect(favicon.length).toBeGreaterThan(0)
    for (const line of favicon) expect(line).toMatch(/^GET \/favicon\.ico 404 /)
  })
})

/** One device of the sign-in demo: a browser context with its own cookies and user agent. */
async function openDevice(
  label: string,
): Promise<{ context: BrowserContext; page: Page; userAgent: string }> {
  const probe = await ready().browser.newContext()
  const userAgent = `${await (await probe.newPage()).evaluate(() => navigator.userAgent)} (device ${label})`
  await probe.close()
  return { ...(await open(userAgent)), userAgent }
}

/** Submits one of the page's forms: the POST answers 303 back to the page, which then shows `then`. */
async function post(page: Page, button: string, path: string | RegExp, then: string): Promise<void> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.match(path) !== null,
    ),
    page.click(button),
  ])
  expect(response.status()).toBe(303)
  await page.waitForSelector(then)
}

async function signIn(page: Page, name: string): Promise<void> {
  await visit(page)
  await page.fill('#name', name)
  await post(page, '#signin button[type=submit]', /^\/signin$/, '#user-name')
  expect(await page.textContent('#user-name')).toBe(name)
}

/** The sessions the page lists: user agent and whether it is marked as this device. */
async function listed(page: Page): Promise<{ device: string; thisDevice: boolean; endButton: boolean }[]> {
  return page.$$eval('#sessions li', (items) =>
    items.map((item) => ({
      device: item.querySelector('.device')?.textContent ?? '',
      thisDevice: item.classList.contains('current') && item.textContent?.includes('this device') === true,
      endButton: item.querySelector('button.end-session') !== null,
    })),
  )
}

/** The page's visible text. */
async function mainText(page: Page): Promise<string> {
  return (await page.textContent('main')) ?? ''
}

async function signedOut(page: Page): Promise<boolean> {
  await visit(page)
  return (await page.$('#signin')) !== null && (await page.$('#user-name')) === null
}

describe('the sign-in demo in Chromium: two devices of one user', () => {
  it('both sign in and list both; A signs B out; B signs in again; A signs out everywhere else', async () => {
    const a = await openDevice('A')
    const b = await openDevice('B')
    const name = 'Ada <e2e>'
    await withScreenshot('signin-a', a.page, async () => {
      await withScreenshot('signin-b', b.page, async () => {
        // Both devices sign in with the page's form.
        await signIn(a.page, name)
        expect(await listed(a.page)).toEqual([{ device: a.userAgent, thisDevice: true, endButton: false }])
        await signIn(b.page, name)
        expect(await mainText(b.page)).toContain(`Signed in as ${name}`)

        // Each lists both sessions, newest first, and marks its own.
        expect(await listed(b.page)).toEqual([
          { device: b.userAgent, thisDevice: true, endButton: false },
          { device: a.userAgent, thisDevice: false, endButton: true },
        ])
        await visit(a.page)
        expect(await listed(a.page)).toEqual([
          { device: b.userAgent, thisDevice: false, endButton: true },
          { device: a.userAgent, thisDevice: true, endButton: false },
        ])
        // Times shown in the reader's time zone by the page's script (no longer the server's UTC text).
        const times = await a.page.$$eval('#sessions time', (all) => all.map((t) => t.textContent ?? ''))
        expect(times).toHaveLength(4)
        for (const text of times) expect(text).not.toMatch(/UTC$/)
        mkdirSync(resultsDir, { recursive: true })
        await a.page.screenshot({ path: `${resultsDir}e2e-signed-in.png`, fullPage: true })

        // A signs B out from its list.
        await post(
          a.page,
          '#sessions li:not(.current) button.end-session',
          /^\/sessions\/[\w-]+\/end$/,
          '#sessions li:only-child',
        )
        expect(await listed(a.page)).toEqual([{ device: a.userAgent, thisDevice: true, endButton: false }])
        // B's next page load: signed out, a new session (the count starts again).
        expect(await signedOut(b.page)).toBe(true)
        expect(await b.page.textContent('#count')).toBe('1')

        // B signs in again; A signs out everywhere else.
        await signIn(b.page, name)
        await visit(a.page)
        expect(await listed(a.page)).toHaveLength(2)
        await post(a.page, '#end-others', /^\/sessions\/end-others$/, '#sessions li:only-child')
        expect(await signedOut(b.page)).toBe(true)
        await visit(a.page)
        expect(await a.page.textContent('#user-name')).toBe(name)
        expect(await listed(a.page)).toEqual([{ device: a.userAgent, thisDevice: true, endButton: false }])

        // And A signs out.
        await post(a.page, '#signout', /^\/signout$/, '#signin')
        expect(await signedOut(a.page)).toBe(true)
      })
    })
    await a.context.close()
    await b.context.close()
  })
})
