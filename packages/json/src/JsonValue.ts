/**
 * The values the JSON commands read and write: JSON values, the module's type names, the
 * JSON.RESP form, document Schemas and raw JSON text. Re-exported by `Json`.
 *
 * @since 0.2.0
 */
import type * as Schema from "effect/Schema"

/**
 * A JSON value as `JSON.parse` gives it.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonValue = null | boolean | number | string | Array<JsonValue> | { [key: string]: JsonValue }

/**
 * The type names JSON.TYPE answers; a name a later module adds comes through as a string.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonType = "null" | "boolean" | "string" | "number" | "integer" | "object" | "array" | (string & {})

/**
 * A value in the form JSON.RESP answers, read back into JavaScript: objects and arrays are
 * rebuilt, integers are numbers, but booleans (sent as the simple strings `true`/`false`) and
 * non-integer numbers (sent as bulk strings) arrive as strings, as the module sends them.
 *
 * @since 0.1.0
 * @category models
 */
export type RespJson = null | boolean | number | string | Array<RespJson> | { [key: string]: RespJson }

/**
 * A Schema for a document (or the part of it at a path). The commands use its JSON codec
 * (`Schema.toCodecJson`): a value is encoded to its JSON form before it is written (a `Date` as
 * its ISO string, a `bigint` as a string of digits, an `Option` as `{ "_tag": "Some", "value": … }`
 * or `{ "_tag": "None" }`, a branded value as the value itself) and a reply is decoded from that
 * form, so what a Schema writes the same Schema reads back. It must need no services.
 *
 * @since 0.1.0
 * @category models
 */
export type DocumentSchema<A> = Schema.ConstraintCodec<A, unknown, never, never>

/**
 * JSON text sent as it is, instead of the `JSON.stringify` text of a value.
 *
 * @since 0.1.0
 * @category models
 */
export class RawJson {
  /** The JSON text, sent as it is. */
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/**
 * Wraps JSON text so a command sends it unchanged (the module parses it and answers
 * `SYNTAXERR` when it is not JSON).
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (text: string): RawJson => new RawJson(text)
