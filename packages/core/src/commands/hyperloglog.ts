/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE (approximate distinct counts in 12 KB).
 *
 * @since 0.1.0
 */
import type { Key, Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * PFADD key [element …]: true when the estimate changed (or the key was created, which an
 * empty `elements` does).
 *
 * @since 0.1.0
 * @category hyperloglog
 */
export const pfadd = (key: Key, elements: ReadonlyArray<Value>): Command.Command<boolean> =>
  Command.make(["PFADD", key, ...elements], Reply.boolean, WRITE_KEY)

/**
 * PFCOUNT key [key …]: the approximate number of distinct elements (of the union, for several
 * keys); 0 when none exists.
 *
 * @since 0.1.0
 * @category hyperloglog
 */
export const pfcount = (keys: ReadonlyArray<Key>): Command.Command<number> =>
  keys.length === 0
    ? Command.invalid("PFCOUNT", "needs at least one key")
    : Command.make(["PFCOUNT", ...keys], Reply.integer, { keys: [1, keys.length, 1], readonly: true })

/**
 * PFMERGE destination [source …]: stores the union of the sources (and `destination` itself)
 * in `destination`; "OK".
 *
 * @since 0.1.0
 * @category hyperloglog
 */
export const pfmerge = (destination: Key, sources: ReadonlyArray<Key>): Command.Command<"OK"> =>
  Command.make(["PFMERGE", destination, ...sources], Reply.ok, { keys: [1, 1 + sources.length, 1] })
