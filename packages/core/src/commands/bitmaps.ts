/**
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO.
 *
 * @since 0.1.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * A range of BITCOUNT/BITPOS: `start` and `end` inclusive (negative from the end), counted in
 * bytes (`"BYTE"`, the default) or bits (`"BIT"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface BitRange {
  readonly start: number
  readonly end: number
  readonly unit?: "BYTE" | "BIT"
}

/**
 * A range of BITPOS: like `BitRange`, with `end` optional (to the end of the string; `unit`
 * needs `end`).
 *
 * @since 0.1.0
 * @category models
 */
export interface BitPosRange {
  readonly start: number
  readonly end?: number
  readonly unit?: "BYTE" | "BIT"
}

/**
 * A BITFIELD integer type: signed `i1`…`i64` or unsigned `u1`…`u63`.
 *
 * @since 0.1.0
 * @category models
 */
export type BitFieldEncoding = `i${number}` | `u${number}`

/**
 * A BITFIELD offset: a bit offset, or `"#n"` for the n-th field of the encoding's width.
 *
 * @since 0.1.0
 * @category models
 */
export type BitFieldOffset = number | `#${number}`

/**
 * A BITFIELD GET, the only operation BITFIELD_RO accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface BitFieldGet {
  readonly type: "GET"
  readonly encoding: BitFieldEncoding
  readonly offset: BitFieldOffset
}

/**
 * One BITFIELD operation. OVERFLOW sets how the INCRBY and SET operations after it handle
 * overflow: wrap around (`"WRAP"`, the default), saturate (`"SAT"`), or fail and give null.
 *
 * @since 0.1.0
 * @category models
 */
export type BitFieldOperation =
  | BitFieldGet
  | {
      readonly type: "SET"
      readonly encoding: BitFieldEncoding
      readonly offset: BitFieldOffset
      readonly value: number
    }
  | {
      readonly type: "INCRBY"
      readonly encoding: BitFieldEncoding
      readonly offset: BitFieldOffset
      readonly increment: number
    }
  | { readonly type: "OVERFLOW"; readonly behavior: "WRAP" | "SAT" | "FAIL" }

const badBit = (bit: number): string | undefined =>
  bit === 0 || bit === 1 ? undefined : `bit must be 0 or 1, got ${bit}`

const badUnit = (unit: string | undefined): string | undefined =>
  unit === undefined || unit === "BYTE" || unit === "BIT" ? undefined : `unit must be BYTE or BIT, got ${unit}`

/**
 * SETBIT key offset 0|1: the bit's previous value.
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const setbit = (key: Key, offset: number, value: 0 | 1): Command.Command<0 | 1> => {
  const bad = badInteger(offset, "offset", 0) ?? badBit(value)
  return bad !== undefined
    ? Command.invalid("SETBIT", bad)
    : Command.make(["SETBIT", key, offset, value], Reply.integer as Command.Decoder<0 | 1>, WRITE_KEY)
}

/**
 * GETBIT key offset: the bit (0 beyond the end of the string or when the key does not exist).
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const getbit = (key: Key, offset: number): Command.Command<0 | 1> => {
  const bad = badInteger(offset, "offset", 0)
  return bad !== undefined
    ? Command.invalid("GETBIT", bad)
    : Command.make(["GETBIT", key, offset], Reply.integer as Command.Decoder<0 | 1>, READ_KEY)
}

/**
 * BITCOUNT key [start end [BYTE|BIT]]: the number of set bits, in the whole string or the range.
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const bitcount = (key: Key, range?: BitRange): Command.Command<number> => {
  if (range === undefined) return Command.make(["BITCOUNT", key], Reply.integer, READ_KEY)
  const bad = badInteger(range.start, "start") ?? badInteger(range.end, "end") ?? badUnit(range.unit)
  if (bad !== undefined) return Command.invalid("BITCOUNT", bad)
  const args: Array<Key | Value> = ["BITCOUNT", key, range.start, range.end]
  if (range.unit !== undefined) args.push(range.unit)
  return Command.make(args, Reply.integer, READ_KEY)
}

/**
 * BITPOS key 0|1 [start [end [BYTE|BIT]]]: the position of the first bit set to `bit`, or -1
 * (looking for 0 in a string of ones without an end gives the bit just past it).
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const bitpos = (key: Key, bit: 0 | 1, range?: BitPosRange): Command.Command<number> => {
  const args: Array<Key | Value> = ["BITPOS", key, bit]
  let bad = badBit(bit)
  if (bad === undefined && range !== undefined) {
    bad =
      badInteger(range.start, "start") ??
      (range.end === undefined ? undefined : badInteger(range.end, "end")) ??
      badUnit(range.unit) ??
      (range.unit !== undefined && range.end === undefined ? "unit needs end" : undefined)
    args.push(range.start)
    if (range.end !== undefined) args.push(range.end)
    if (range.unit !== undefined) args.push(range.unit)
  }
  return bad !== undefined ? Command.invalid("BITPOS", bad) : Command.make(args, Reply.integer, READ_KEY)
}

/**
 * BITOP AND|OR|XOR|NOT destination key [key …]: stores the bitwise result in `destination`; its
 * length in bytes. NOT takes exactly one key.
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const bitop = (
  operation: "AND" | "OR" | "XOR" | "NOT",
  destination: Key,
  keys: ReadonlyArray<Key>
): Command.Command<number> => {
  const bad =
    operation !== "AND" && operation !== "OR" && operation !== "XOR" && operation !== "NOT"
      ? `operation must be AND, OR, XOR or NOT, got ${String(operation)}`
      : keys.length === 0
        ? "needs at least one source key"
        : operation === "NOT" && keys.length !== 1
          ? `NOT takes exactly one source key, got ${keys.length}`
          : undefined
  return bad !== undefined
    ? Command.invalid("BITOP", bad)
    : Command.make(["BITOP", operation, destination, ...keys], Reply.integer, { keys: [2, 2 + keys.length, 1] })
}

const ENCODING = /^(?:i(?:[1-9]|[1-5][0-9]|6[0-4])|u(?:[1-9]|[1-5][0-9]|6[0-3]))$/
const OFFSET = /^#(?:0|[1-9][0-9]*)$/

const badField = (encoding: string, offset: BitFieldOffset): string | undefined =>
  !ENCODING.test(encoding)
    ? `encoding must be i1…i64 or u1…u63, got ${encoding}`
    : typeof offset === "number"
      ? badInteger(offset, "offset", 0)
      : OFFSET.test(offset)
        ? undefined
        : `offset must be a bit offset or "#n", got ${offset}`

const pushOperation = (args: Array<Key | Value>, operation: BitFieldOperation): string | undefined => {
  switch (operation.type) {
    case "GET": {
      const bad = badField(operation.encoding, operation.offset)
      if (bad !== undefined) return bad
      args.push("GET", operation.encoding, operation.offset)
      return undefined
    }
    case "SET": {
      const bad = badField(operation.encoding, operation.offset) ?? badInteger(operation.value, "value")
      if (bad !== undefined) return bad
      args.push("SET", operation.encoding, operation.offset, operation.value)
      return undefined
    }
    case "INCRBY": {
      const bad = badField(operation.encoding, operation.offset) ?? badInteger(operation.increment, "increment")
      if (bad !== undefined) return bad
      args.push("INCRBY", operation.encoding, operation.offset, operation.increment)
      return undefined
    }
    case "OVERFLOW": {
      const behavior = operation.behavior
      if (behavior !== "WRAP" && behavior !== "SAT" && behavior !== "FAIL") {
        return `overflow must be WRAP, SAT or FAIL, got ${String(behavior)}`
      }
      args.push("OVERFLOW", behavior)
      return undefined
    }
    default:
      return `unknown operation ${String((operation as { type: unknown }).type)}`
  }
}

/**
 * BITFIELD key [GET …] [SET …] [INCRBY …] [OVERFLOW …]: one value per GET, SET (the old value)
 * and INCRBY (the new value), in order; null for an INCRBY or SET stopped by OVERFLOW FAIL.
 * Values beyond 2^53 lose precision.
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const bitfield = (
  key: Key,
  operations: ReadonlyArray<BitFieldOperation>
): Command.Command<Array<number | null>> => {
  const args: Array<Key | Value> = ["BITFIELD", key]
  for (const operation of operations) {
    const bad = pushOperation(args, operation)
    if (bad !== undefined) return Command.invalid("BITFIELD", bad)
  }
  return Command.make(args, Reply.array(Reply.nullableInteger), WRITE_KEY)
}

/**
 * BITFIELD_RO key GET type offset [GET type offset …]: the values read, in order.
 *
 * @since 0.1.0
 * @category bitmaps
 */
export const bitfieldReadOnly = (key: Key, gets: ReadonlyArray<BitFieldGet>): Command.Command<Array<number>> => {
  if (gets.length === 0) return Command.invalid("BITFIELD_RO", "needs at least one GET")
  const args: Array<Key | Value> = ["BITFIELD_RO", key]
  for (const get of gets) {
    const bad = get.type !== "GET" ? "BITFIELD_RO only takes GET" : pushOperation(args, get)
    if (bad !== undefined) return Command.invalid("BITFIELD_RO", bad)
  }
  return Command.make(args, Reply.array(Reply.integer), READ_KEY)
}
