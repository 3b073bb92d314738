import { describe, expect, it } from 'vitest'
import { SessionConfigError } from '../../src/errors.ts'
import { generateSessionId } from '../../src/id.ts'
import {
  DEFAULT_STORE_PROPS,
  type DynamoDBStoreProps,
  resolveStoreProps,
  sessionIdFromKey,
  sessionKey,
} from '../../src/store/props.ts'

describe('resolveStoreProps defaults', () => {
  it('matches tower-sessions-dynamodb-store, plus the attributes concurrency and per-session expiry need', () => {
    expect(resolveStoreProps()).toEqual({
      tableName: 'TowerSessions',
      partitionKey: { name: 'session_id', prefix: 'SESSIONS::TOWER::', suffix: '' },
      sortKey: undefined,
      expiryName: 'expire_at',
      dataName: 'data',
      versionName: 'version',
      expiryPolicyName: 'expiry_policy',
      writeTokensName: 'write_tokens',
      successorName: 'successor',
      createdName: 'created_at',
      authenticatedName: 'authenticated_at',
      renewedName: 'renewed_at',
      graceName: 'grace_until',
      csrfName: 'csrf_secret',
      pendingName: 'pending',
    })
    expect(resolveStoreProps({})).toEqual(resolveStoreProps())
    expect(resolveStoreProps()).toEqual(DEFAULT_STORE_PROPS)
  })

  it('refuses a tableName given as undefined (an unset TABLE_NAME), naming the likely cause', () => {
    const unset: string | undefined = process.env.MIDDY_DYNAMODB_SESSION_SURELY_UNSET_VARIABLE
    expect(() => resolveStoreProps({ tableName: unset })).toThrow(SessionConfigError)
    expect(() => resolveStoreProps({ tableName: unset })).toThrow(/TABLE_NAME/)
    // Left out, the key means the default table.
    expect(resolveStoreProps({}).tableName).toBe('TowerSessions')
  })

  it('treats the other props given as undefined as defaults', () => {
    expect(
      resolveStoreProps({
        partitionKey: undefined,
        sortKey: undefined,
        expiryName: undefined,
        dataName: undefined,
        versionName: undefined,
        expiryPolicyName: undefined,
        writeTokensName: undefined,
        successorName: undefined,
      }),
    ).toEqual(DEFAULT_STORE_PROPS)
  })

  it('keeps the defaults frozen', () => {
    expect(Object.isFrozen(DEFAULT_STORE_PROPS)).toBe(true)
    expect(Object.isFrozen(DEFAULT_STORE_PROPS.partitionKey)).toBe(true)
  })
})

describe('resolveStoreProps overrides', () => {
  it('overrides the table name', () => {
    expect(resolveStoreProps({ tableName: 'App-Sessions_v2.prod' }).tableName).toBe('App-Sessions_v2.prod')
    expect(resolveStoreProps({ tableName: 'abc' }).tableName).toBe('abc')
    expect(resolveStoreProps({ tableName: 'a'.repeat(255) }).tableName).toBe('a'.repeat(255))
  })

  it('overrides the partition key; prefix and suffix default to empty', () => {
    expect(resolveStoreProps({ partitionKey: { name: 'pk' } }).partitionKey).toEqual({
      name: 'pk',
      prefix: '',
      suffix: '',
    })
    expect(
      resolveStoreProps({ partitionKey: { name: 'pk', prefix: 'SESSION#', suffix: '#S' } }).partitionKey,
    ).toEqual({ name: 'pk', prefix: 'SESSION#', suffix: '#S' })
  })

  it('adds a sort key', () => {
    expect(resolveStoreProps({ sortKey: { name: 'sk' } }).sortKey).toEqual({
      name: 'sk',
      prefix: '',
      suffix: '',
    })
    expect(resolveStoreProps({ sortKey: { name: 'sk', prefix: 'META#', suffix: '!' } }).sortKey).toEqual({
      name: 'sk',
      prefix: 'META#',
      suffix: '!',
    })
  })

  it('overrides each attribute name', () => {
    const resolved = resolveStoreProps({
      expiryName: 'ttl',
      dataName: 'payload',
      versionName: 'rev',
      expiryPolicyName: 'policy',
    })
    expect(resolved.expiryName).toBe('ttl')
    expect(resolved.dataName).toBe('payload')
    expect(resolved.versionName).toBe('rev')
    expect(resolved.expiryPolicyName).toBe('policy')
    expect(resolved.partitionKey).toEqual(DEFAULT_STORE_PROPS.partitionKey)
  })

  it('accepts attribute names of 1 and 255 characters', () => {
    const long = 'n'.repeat(255)
    expect(resolveStoreProps({ partitionKey: { name: 'p' }, dataName: long }).dataName).toBe(long)
  })

  it('accepts a name that another role uses by default once that role is renamed', () => {
    const resolved = resolveStoreProps({ partitionKey: { name: 'data' }, dataName: 'session_data' })
    expect(resolved.partitionKey.name).toBe('data')
    expect(resolved.dataName).toBe('session_data')
  })
})

describe('resolveStoreProps rejections', () => {
  const invalid: [string, DynamoDBStoreProps, RegExp][] = [
    ['an empty table name', { tableName: '' }, /tableName/],
    ['a two-character table name', { tableName: 'ab' }, /tableName/],
    ['a table name with a space', { tableName: 'has space' }, /tableName/],
    ['a table name with a slash', { tableName: 'a/b' }, /tableName/],
    ['a table name with non-ASCII', { tableName: 'séssions' }, /tableName/],
    ['a table name over 255 characters', { tableName: 'a'.repeat(256) }, /tableName/],
    ['a non-string table name', { tableName: 42 as unknown as string }, /tableName/],
    ['an empty partition key name', { partitionKey: { name: '' } }, /partitionKey\.name/],
    [
      'a non-string partition key name',
      { partitionKey: { name: 7 as unknown as string } },
      /partitionKey\.name/,
    ],
    ['a missing partition key name', { partitionKey: {} as { name: string } }, /partitionKey\.name/],
    ['a partition key name over 255 characters', { partitionKey: { name: 'k'.repeat(256) } }, /partitionKey/],
    ['a null partition key', { partitionKey: null as unknown as undefined }, /partitionKey/],
    ['a string as partition key', { partitionKey: 'pk' as unknown as { name: string } }, /partitionKey/],
    ['a non-string prefix', { partitionKey: { name: 'pk', prefix: 1 as unknown as string } }, /prefix/],
    ['a non-string suffix', { partitionKey: { name: 'pk', suffix: null as unknown as string } }, /suffix/],
    ['an empty sort key name', { sortKey: { name: '' } }, /sortKey\.name/],
    ['a null sort key', { sortKey: null as unknown as undefined }, /sortKey/],
    ['a non-string sort key prefix', { sortKey: { name: 'sk', prefix: {} as string } }, /sortKey\.prefix/],
    ['an empty expiry name', { expiryName: '' }, /expiryName/],
    ['a non-string expiry name', { expiryName: 1 as unknown as string }, /expiryName/],
    ['an empty data name', { dataName: '' }, /dataName/],
    ['a data name over 255 characters', { dataName: 'd'.repeat(256) }, /dataName/],
    ['an empty version name', { versionName: '' }, /versionName/],
    ['an empty expiry policy name', { expiryPolicyName: '' }, /expiryPolicyName/],
  ]

  it.each(invalid)('rejects %s', (_, props, message) => {
    expect(() => resolveStoreProps(props)).toThrow(SessionConfigError)
    expect(() => resolveStoreProps(props)).toThrow(message)
  })

  const clashes: [string, DynamoDBStoreProps][] = [
    ['the sort key named like the partition key', { sortKey: { name: 'session_id' } }],
    [
      'both keys renamed to the same name',
      { partitionKey: { name: 'pk' }, sortKey: { name: 'pk', prefix: 'X' } },
    ],
    ['the expiry named like the partition key', { expiryName: 'session_id' }],
    ['the expiry named like the sort key', { sortKey: { name: 'sk' }, expiryName: 'sk' }],
    ['the data named like the partition key', { dataName: 'session_id' }],
    ['the data named like the sort key', { sortKey: { name: 'sk' }, dataName: 'sk' }],
    ['the version named like the partition key', { versionName: 'session_id' }],
    ['the version named like the sort key', { sortKey: { name: 'sk' }, versionName: 'sk' }],
    ['the data named like the expiry', { dataName: 'expire_at' }],
    ['the expiry renamed like the data', { expiryName: 'data' }],
    ['the version named like the data', { versionName: 'data' }],
    ['the expiry policy named like the version', { expiryPolicyName: 'version' }],
    ['the expiry policy named like the expiry', { expiryPolicyName: 'expire_at' }],
    ['the partition key renamed like the data', { partitionKey: { name: 'data' } }],
  ]

  it.each(clashes)('rejects %s', (_, props) => {
    expect(() => resolveStoreProps(props)).toThrow(SessionConfigError)
    expect(() => resolveStoreProps(props)).toThrow(/cannot both be the attribute/)
  })

  it('names both roles and the attribute in a clash', () => {
    expect(() => resolveStoreProps({ dataName: 'expire_at' })).toThrow(/dataName.*expiryName.*"expire_at"/)
  })
})

describe('sessionKey', () => {
  const id = generateSessionId()

  it('builds the default partition key', () => {
    expect(sessionKey(DEFAULT_STORE_PROPS, 'abc')).toEqual({ session_id: { S: 'SESSIONS::TOWER::abc' } })
    expect(sessionKey(resolveStoreProps(), id)).toEqual({ session_id: { S: `SESSIONS::TOWER::${id}` } })
  })

  it('wraps the id in the prefix and suffix', () => {
    const props = resolveStoreProps({ partitionKey: { name: 'pk', prefix: 'SESSION#', suffix: '#v1' } })
    expect(sessionKey(props, id)).toEqual({ pk: { S: `SESSION#${id}#v1` } })
  })

  it('uses the bare id without prefix or suffix', () => {
    expect(sessionKey(resolveStoreProps({ partitionKey: { name: 'pk' } }), id)).toEqual({ pk: { S: id } })
  })

  it('builds the sort key from the id as well', () => {
    const props = resolveStoreProps({
      partitionKey: { name: 'pk', prefix: 'SESSION#' },
      sortKey: { name: 'sk', prefix: 'META#', suffix: '#S' },
    })
    expect(sessionKey(props, id)).toEqual({ pk: { S: `SESSION#${id}` }, sk: { S: `META#${id}#S` } })
  })

  it('builds a sort key without affixes', () => {
    const props = resolveStoreProps({ sortKey: { name: 'sk' } })
    expect(sessionKey(props, id)).toEqual({ session_id: { S: `SESSIONS::TOWER::${id}` }, sk: { S: id } })
  })

  it('holds only the key attributes', () => {
    expect(Object.keys(sessionKey(resolveStoreProps({ sortKey: { name: 'sk' } }), id))).toEqual([
      'session_id',
      'sk',
    ])
  })
})

describe('sessionIdFromKey', () => {
  const id = generateSessionId()

  it('recovers the id from a default key', () => {
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, 'SESSIONS::TOWER::abc')).toBe('abc')
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, `SESSIONS::TOWER::${id}`)).toBe(id)
  })

  it.each([
    ['the default props', {}],
    ['a custom prefix', { partitionKey: { name: 'pk', prefix: 'SESSION#' } }],
    ['a prefix and a suffix', { partitionKey: { name: 'pk', prefix: 'S#', suffix: '#end' } }],
    ['no affixes', { partitionKey: { name: 'pk' } }],
  ] as [string, DynamoDBStoreProps][])('round-trips sessionKey with %s', (_, input) => {
    const props = resolveStoreProps(input)
    for (let i = 0; i < 20; i++) {
      const sessionId = generateSessionId()
      const value = sessionKey(props, sessionId)[props.partitionKey.name]?.S
      expect(value).toBeDefined()
      expect(sessionIdFromKey(props, value as string)).toBe(sessionId)
    }
  })

  it('returns undefined for a key of another entity', () => {
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, `USER#${id}`)).toBeUndefined()
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, `sessions::tower::${id}`)).toBeUndefined()
    const props = resolveStoreProps({ partitionKey: { name: 'pk', prefix: 'S#', suffix: '#end' } })
    expect(sessionIdFromKey(props, `S#${id}#other`)).toBeUndefined()
    expect(sessionIdFromKey(props, `X#${id}#end`)).toBeUndefined()
  })

  it('returns undefined for a value shorter than prefix and suffix together', () => {
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, 'SESSIONS::TOWER:')).toBeUndefined()
    expect(sessionIdFromKey(DEFAULT_STORE_PROPS, '')).toBeUndefined()
    // "aba" starts with "ab" and ends with "ba", but they overlap: it holds no id.
    const overlap = resolveStoreProps({ partitionKey: { name: 'pk', prefix: 'ab', suffix: 'ba' } })
    expect(sessionIdFromKey(overlap, 'aba')).toBeUndefined()
  })
})
