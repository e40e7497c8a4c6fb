/**
 * The replies of FT.SEARCH and FT.AGGREGATE as typed values. FT.SEARCH sends, in RESP2 and in
 * RESP3 alike, an array: the total count, then each key followed by its fields as a flat
 * name/value list in no fixed order — so fields are decoded into a record, never by position.
 *
 * @since 0.1.0
 */
import { Command, Reply, type RespValue } from "@effect-valkey/core"
import type * as Schema from "effect/Schema"

/**
 * A document's fields: UTF-8 text, or bytes for binary fields (vectors).
 *
 * @since 0.1.0
 * @category models
 */
export type Fields = Record<string, string | Uint8Array>

/**
 * One matching key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Document<F = Fields> {
  readonly key: string
  /** The KNN distance, when the query was a KNN query and the reply held it. */
  readonly score?: number
  /** The fields the reply held (all of a hash, `$` for a JSON document, or those of RETURN). */
  readonly fields: F
}

/**
 * The reply of FT.SEARCH: how many keys match, and the documents returned.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchResult<F = Fields> {
  /** Keys matching the query, whatever LIMIT returned. */
  readonly total: number
  readonly documents: ReadonlyArray<Document<F>>
}

/**
 * How to read an FT.SEARCH reply: whether it holds keys only (NOCONTENT), which fields are
 * bytes, and which field is the KNN distance.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  readonly keysOnly: boolean
  readonly binary: ReadonlySet<string>
  readonly scoreField: string | undefined
}

const fail = (message: string): never => {
  throw new Command.DecodeFailure(message)
}

const asBytes = (value: RespValue): Uint8Array => {
  if (value instanceof Uint8Array) return value
  if (typeof value === "string") return new TextEncoder().encode(value)
  return fail(`expected a bulk string, got ${typeof value}`)
}

/**
 * The decoder of an FT.SEARCH reply. The command reads its reply as bytes, so binary fields
 * are exact; every other string is decoded as UTF-8 here.
 *
 * @since 0.1.0
 * @category decoders
 */
export const decoder =
  (options: ReadOptions): Command.Decoder<SearchResult> =>
  (reply) => {
    if (!Array.isArray(reply) || reply.length === 0) return fail("expected an array starting with the total count")
    const total = Reply.integer(reply[0]!)
    const documents: Array<Document> = []
    if (options.keysOnly) {
      for (let i = 1; i < reply.length; i++) documents.push({ key: Reply.text(reply[i]!), fields: {} })
      return { total, documents }
    }
    if ((reply.length - 1) % 2 !== 0) return fail("expected key and fields pairs after the total count")
    for (let i = 1; i < reply.length; i += 2) {
      const fields: Fields = {}
      let score: number | undefined
      for (const [k, v] of Reply.pairs(reply[i + 1]!)) {
        const name = Reply.text(k)
        if (name === options.scoreField) score = Reply.double(v)
        else fields[name] = options.binary.has(name) ? asBytes(v) : Reply.text(v)
      }
      const key = Reply.text(reply[i]!)
      documents.push(score === undefined ? { key, fields } : { key, score, fields })
    }
    return { total, documents }
  }

/**
 * The same search, its documents' fields decoded by a Schema (a field-level failure becomes the
 * command's `DecodeError`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSchema =
  <S extends Schema.ConstraintDecoder<unknown>>(schema: S) =>
  (command: Command.Command<SearchResult>): Command.Command<SearchResult<S["Type"]>> => {
    const decode = Reply.schema(schema as Schema.ConstraintDecoder<S["Type"]>, "a document")
    return Command.map(command, (result) => ({
      total: result.total,
      documents: result.documents.map((document) => {
        const fields = decode(document.fields, `document ${document.key}`)
        return document.score === undefined
          ? { key: document.key, fields }
          : { key: document.key, score: document.score, fields }
      })
    }))
  }

/**
 * A value of an FT.AGGREGATE record: text, a number, nil, or a list (RANDOM_SAMPLE).
 *
 * @since 0.1.0
 * @category models
 */
export type AggregateValue = string | number | null | ReadonlyArray<AggregateValue>

const aggregateValue = (value: RespValue): AggregateValue => {
  if (value === null) return null
  if (typeof value === "number") return value
  if (Array.isArray(value)) return value.map(aggregateValue)
  return Reply.text(value)
}

/**
 * FT.AGGREGATE's reply: a number to ignore (per the module's docs), then one record per row.
 *
 * @since 0.1.0
 * @category decoders
 */
export const aggregateDecoder: Command.Decoder<Array<Record<string, AggregateValue>>> = (reply) => {
  if (!Array.isArray(reply) || reply.length === 0) return fail("expected an array starting with a count")
  const rows: Array<Record<string, AggregateValue>> = []
  for (let i = 1; i < reply.length; i++) {
    const row: Record<string, AggregateValue> = {}
    for (const [k, v] of Reply.pairs(reply[i]!)) row[Reply.text(k)] = aggregateValue(v)
    rows.push(row)
  }
  return rows
}
