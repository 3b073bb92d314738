/** Small statistics and formatting helpers for the bench's tables. */

/** The nearest-rank percentile `p` (0..100) of `values`; `NaN` for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** A number with at most `digits` decimals, trailing zeros dropped (`1`, `0.5`, `1.25`). */
export function num(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–'
  return String(Number(value.toFixed(digits)))
}

/** `value / base` as `0.5×`; `=` when both are 0, `–` when only the base is 0. */
export function ratio(value: number, base: number): string {
  if (base === 0) return value === 0 ? '=' : '–'
  return `${num(value / base)}×`
}

/** Bytes as `12.3 KB` (1 KB = 1024 bytes). */
export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
