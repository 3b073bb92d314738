/**
 * The root entry exports exactly what docs/exports.md ("What the package exports") documents: no
 * internal leaks out, and nothing documented is missing. Runtime exports are read from the module, type
 * exports from src/index.ts's export declarations.
 */
import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import * as root from '../../src/index.ts'

// The reference page the README links to (docs/exports.md): the whole page is the section.
const section = readFileSync(new URL('../../docs/exports.md', import.meta.url), 'utf8')
const STORE_PARAGRAPH = 'To write a store of your own'
const names = (text: string) =>
  new Set([...text.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1] as string))
const documented = names(section.slice(0, section.indexOf(STORE_PARAGRAPH)))
const LITE_PARAGRAPH = '`middy-dynamodb-session/lite` is the package without the AWS SDK'
const POWERTOOLS_PARAGRAPH = '`middy-dynamodb-session/powertools` turns'
const documentedForStores = names(
  section.slice(section.indexOf(STORE_PARAGRAPH), section.indexOf(LITE_PARAGRAPH)),
)
const documentedForLite = names(
  section.slice(section.indexOf(LITE_PARAGRAPH), section.indexOf(POWERTOOLS_PARAGRAPH)),
)
const documentedForPowertools = names(section.slice(section.indexOf(POWERTOOLS_PARAGRAPH)))

/** Every name an entry exports, types included, from its export declarations. */
function exportedNames(entry = 'index.ts'): { values: Set<string>; types: Set<string> } {
  const path = new URL(`../../src/${entry}`, import.meta.url)
  const source = ts.createSourceFile('index.ts', readFileSync(path, 'utf8'), ts.ScriptTarget.Latest)
  const values = new Set<string>()
  const types = new Set<string>()
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue
    if (!ts.isNamedExports(statement.exportClause)) continue
    for (const element of statement.exportClause.elements) {
      const typeOnly = statement.isTypeOnly || element.isTypeOnly
      ;(typeOnly ? types : values).add(element.name.text)
    }
  }
  return { values, types }
}

describe('the root export list', () => {
  const { values, types } = exportedNames()

  it('is pinned: these runtime values and nothing else', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'DEFAULT_EXPIRY',
        'DEFAULT_ID_SCHEME',
        'DEFAULT_INACTIVITY_SECONDS',
        'DYNAMODB_ITEM_LIMIT',
        'DynamoDBSessionStore',
        'DynamoDBStoreBase',
        'Expiry',
        'MAX_LIFETIME_SECONDS',
        'SUCCESSOR_SECONDS',
        'USER_LIMITS',
        'ReauthenticationRequiredError',
        'SessionNotBoundError',
        'SessionBusyError',
        'SessionConfigError',
        'SessionConflictError',
        'SessionDataError',
        'SessionError',
        'SessionStoreError',
        'SessionTooLargeError',
        'TooManySessionsError',
        'default',
        'deleteExpiredSessions',
        'dynamoSession',
        'gzipCodec',
        'homeRegions',
        'jsonStringCodec',
        'nativeMapCodec',
        'sessionRoute',
      ].sort(),
    )
    expect([...values].sort()).toEqual(Object.keys(root).sort())
  })

  it('is what docs/exports.md documents, values and types, no more and no less', () => {
    const exported = new Set([...values, ...types])
    exported.delete('default')
    expect([...exported].filter((name) => !documented.has(name))).toEqual([])
    expect([...documented].filter((name) => !exported.has(name))).toEqual([])
  })

  it("leaves the store authors' names to middy-dynamodb-session/store, which exports what docs/exports.md lists", async () => {
    const store = exportedNames('store/index.ts')
    const exported = new Set([...store.values, ...store.types])
    expect(section).toContain(STORE_PARAGRAPH)
    expect([...exported].sort()).toEqual([...documentedForStores].sort())
    expect(Object.keys(await import('../../src/store/index.ts'))).toEqual(['DEFAULT_STORE_PROPS'])
    for (const name of exported) expect([...values, ...types]).not.toContain(name)
  })

  it('documents what middy-dynamodb-session/powertools exports, values and types, and nothing of the root', async () => {
    const powertools = exportedNames('powertools/index.ts')
    const values = Object.keys(await import('../../src/powertools/index.ts'))
    // Its own function and options type are declared in its index; the rest re-exported.
    const exported = new Set([...values, ...powertools.types, 'PowertoolsOptions'])
    documentedForPowertools.delete('middy-dynamodb-session')
    expect([...exported].sort()).toEqual(
      [...documentedForPowertools].filter((name) => name !== 'audit').sort(),
    )
    for (const name of exported) expect(Object.keys(root)).not.toContain(name)
  })

  it('documents what middy-dynamodb-session/lite exports: the root but the SDK store, and its own', async () => {
    const lite = exportedNames('lite/index.ts')
    const liteValues = Object.keys(await import('../../src/lite/index.ts'))
    const sdkOnly = ['DynamoDBSessionStore', 'DynamoDBSessionStoreOptions', 'DynamoDBCommand']
    for (const name of sdkOnly) expect(documentedForLite).toContain(name)
    const own = [...documentedForLite].filter(
      (name) => !sdkOnly.includes(name) && !['dynamoSession', 'middy-dynamodb-session'].includes(name),
    )
    const rootNames = [...values, ...types].filter((name) => !sdkOnly.includes(name))
    expect([...new Set([...liteValues, ...lite.values, ...lite.types])].sort()).toEqual(
      [...new Set([...rootNames, ...own])].sort(),
    )
    for (const name of own) expect(Object.keys(root)).not.toContain(name)
  })

  it('leaves internals out (the middleware wires them; tests import them from their modules)', () => {
    for (const internal of [
      'flushSession',
      'addSetCookies',
      'sessionKey',
      'resolveStoreProps',
      'PACKAGE_NAME',
    ]) {
      expect(Object.keys(root)).not.toContain(internal)
    }
  })
})
