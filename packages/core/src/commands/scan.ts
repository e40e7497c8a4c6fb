/**
 * One page of SCAN, HSCAN, SSCAN and ZSCAN: `valkey.scanPage(cursor)`, `valkey.hscanPage(key,
 * cursor)`, …, named for what they return. The `Scan` service turns them into Streams
 * (`scan.keys()`, `scan.hscan(key)`, …) that ask for the next page only when the consumer pulls.
 *
 * @since 0.1.0
 */
import { badInteger, type Key } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

/**
 * Filters of a scan: a glob `match`, a `count` hint (work per call, not an exact page size),
 * and for SCAN a key `type` ("string", "hash", …).
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanOptions {
  readonly match?: string
  readonly count?: number
  readonly type?: string
}

/**
 * A page: the next cursor ("0" when done) and what the page holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanPage<A> {
  readonly cursor: string
  readonly items: Array<A>
}

const filters = (
  name: string,
  options: ScanOptions | undefined,
  withType: boolean
): Array<string | number> | string => {
  const out: Array<string | number> = []
  if (options === undefined) return out
  if (options.match !== undefined) out.push("MATCH", options.match)
  if (options.count !== undefined) {
    const bad = badInteger(options.count, "count", 1)
    if (bad !== undefined) return bad
    out.push("COUNT", options.count)
  }
  if (options.type !== undefined) {
    if (!withType) return `${name} has no type filter`
    out.push("TYPE", options.type)
  }
  return out
}

const page =
  <A>(item: (reply: ReadonlyArray<unknown>) => Array<A>) =>
  (reply: unknown): ScanPage<A> => {
    const [cursor, items] = Reply.tuple(Reply.text, Reply.array(Reply.raw))(reply as never)
    return { cursor, items: item(items) }
  }

const strings = (items: ReadonlyArray<unknown>) => items.map((x) => Reply.text(x as never))

const pairsOf = (items: ReadonlyArray<unknown>): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < items.length; i += 2)
    out.push([Reply.text(items[i] as never), Reply.text(items[i + 1] as never)])
  return out
}

const scored = (items: ReadonlyArray<unknown>): Array<{ readonly member: string; readonly score: number }> =>
  pairsOf(items).map(([member, score]) => ({ member, score: Reply.double(score) }))

/**
 * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: one page of keys.
 *
 * @since 0.1.0
 * @category scan
 */
export const scanPage = (cursor: string, options?: ScanOptions): Command.Command<ScanPage<string>> => {
  const rest = filters("SCAN", options, true)
  return typeof rest === "string"
    ? Command.invalid("SCAN", rest)
    : Command.make(["SCAN", cursor, ...rest], page(strings), { readonly: true })
}

/**
 * HSCAN key cursor [MATCH pattern] [COUNT n]: one page of [field, value] pairs.
 *
 * @since 0.1.0
 * @category scan
 */
export const hscanPage = (
  key: Key,
  cursor: string,
  options?: ScanOptions
): Command.Command<ScanPage<readonly [string, string]>> => {
  const rest = filters("HSCAN", options, false)
  return typeof rest === "string"
    ? Command.invalid("HSCAN", rest)
    : Command.make(["HSCAN", key, cursor, ...rest], page(pairsOf), { keys: 1, readonly: true })
}

/**
 * SSCAN key cursor [MATCH pattern] [COUNT n]: one page of members.
 *
 * @since 0.1.0
 * @category scan
 */
export const sscanPage = (key: Key, cursor: string, options?: ScanOptions): Command.Command<ScanPage<string>> => {
  const rest = filters("SSCAN", options, false)
  return typeof rest === "string"
    ? Command.invalid("SSCAN", rest)
    : Command.make(["SSCAN", key, cursor, ...rest], page(strings), { keys: 1, readonly: true })
}

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT n]: one page of members with their scores.
 *
 * @since 0.1.0
 * @category scan
 */
export const zscanPage = (
  key: Key,
  cursor: string,
  options?: ScanOptions
): Command.Command<ScanPage<{ readonly member: string; readonly score: number }>> => {
  const rest = filters("ZSCAN", options, false)
  return typeof rest === "string"
    ? Command.invalid("ZSCAN", rest)
    : Command.make(["ZSCAN", key, cursor, ...rest], page(scored), { keys: 1, readonly: true })
}
