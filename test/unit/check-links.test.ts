/** The docs gate's link check (scripts/check-links.ts). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brokenLinks, headingAnchor, headingAnchors, markdownLinks } from '../../scripts/check-links.ts'

describe('the link check', () => {
  it('makes anchors as GitHub does, repeated headings numbered', () => {
    expect(headingAnchor("A user's sessions: your devices, sign out everywhere")).toBe(
      'a-users-sessions-your-devices-sign-out-everywhere',
    )
    expect(headingAnchor('Store props (`store: { ... }`)'.replace(/`/g, ''))).toBe('store-props-store---')
    expect(headingAnchors('# A\n## A\n```md\n# not a heading\n```\n### B c\n')).toEqual(
      new Set(['a', 'a-1', 'b-c']),
    )
  })

  it('finds links outside code blocks only', () => {
    expect(markdownLinks('x [a](b.md#c) y\n```\n[no](no.md)\n```\n[d](https://e)')).toEqual([
      { line: 1, target: 'b.md#c' },
      { line: 5, target: 'https://e' },
    ])
  })

  it('reports a missing file and a missing anchor, and passes what resolves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'links-'))
    writeFileSync(join(dir, 'other.md'), '# Here\n')
    const page = join(dir, 'page.md')
    writeFileSync(
      page,
      '# Top\n[ok](other.md#here) [self](#top) [web](https://x.y/z)\n[gone](missing.md) [bad](other.md#there) [nope](#none)\n',
    )
    const problems = brokenLinks(page)
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/page\.md:3: missing\.md: no such file$/)
    expect(problems[1]).toMatch(/other\.md#there: no heading with the anchor #there$/)
    expect(problems[2]).toMatch(/#none: no heading with the anchor #none$/)
  })
})
