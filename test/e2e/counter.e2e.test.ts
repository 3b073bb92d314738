/**
 * The counter in a real browser: Debian's Chromium, driven by playwright-core, against the dev server
 * (`npm start` in-process, with its own DynamoDB Local). A failing test leaves a screenshot in
 * test-results/.
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

async function open(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await ready().browser.newContext()
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
