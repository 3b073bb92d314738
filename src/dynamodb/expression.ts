/**
 * Builds DynamoDB expressions with placeholders: every attribute name and map key goes through
 * `ExpressionAttributeNames` (so any text is safe, reserved words and dots included) and every value
 * through `ExpressionAttributeValues`.
 *
 * @module
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb'

/**
 * Placeholders for one request's expressions.
 *
 * @example
 * ```ts
 * const x = new ExpressionBuilder()
 * const condition = `${x.name('version')} = ${x.value({ N: '3' })}` // '#n0 = :v0'
 * send({ ConditionExpression: condition, ...x.attributes() })
 * ```
 */
export class ExpressionBuilder {
  readonly #names = new Map<string, string>()
  readonly #values: Record<string, AttributeValue> = {}
  #valueCount = 0

  /** The placeholder of an attribute name or map key (the same one for the same text). */
  name(text: string): string {
    let placeholder = this.#names.get(text)
    if (placeholder === undefined) {
      placeholder = `#n${this.#names.size}`
      this.#names.set(text, placeholder)
    }
    return placeholder
  }

  /** The placeholder of a path: an attribute, then map keys inside it. */
  path(...segments: string[]): string {
    return segments.map((segment) => this.name(segment)).join('.')
  }

  /** The placeholder of a value. */
  value(value: AttributeValue): string {
    const placeholder = `:v${this.#valueCount++}`
    this.#values[placeholder] = value
    return placeholder
  }

  /** `ExpressionAttributeNames` and `ExpressionAttributeValues` for the request (values left out when none). */
  attributes(): {
    ExpressionAttributeNames: Record<string, string>
    ExpressionAttributeValues?: Record<string, AttributeValue>
  } {
    const names = Object.fromEntries([...this.#names].map(([text, placeholder]) => [placeholder, text]))
    return this.#valueCount === 0
      ? { ExpressionAttributeNames: names }
      : { ExpressionAttributeNames: names, ExpressionAttributeValues: this.#values }
  }
}
