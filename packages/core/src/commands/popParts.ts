/**
 * What the list and sorted-set pops share (not a family: no `Valkey` methods come from here):
 * the command lines of BLPOP/BRPOP/BZPOPMIN/BZPOPMAX and of LMPOP/ZMPOP with their blocking
 * forms BLMPOP/BZMPOP.
 *
 * @since 0.2.0
 */
import { badInteger, badTimeout, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"

/**
 * `name key [key …] timeout` (BLPOP, BRPOP, BZPOPMIN, BZPOPMAX): waits up to `timeout` seconds
 * (0 = forever) for the first non-empty key.
 *
 * @since 0.2.0
 * @category constructors
 */
export const blockingPop =
  <A>(name: string, decode: Command.Decoder<A>) =>
  (keys: ReadonlyArray<Key>, timeout: number): Command.Command<A> => {
    const bad = keys.length === 0 ? "needs at least one key" : badTimeout(timeout)
    return bad !== undefined
      ? Command.invalid(name, bad)
      : Command.make([name, ...keys, timeout], decode, { keys: [1, keys.length, 1], blockMillis: timeout * 1000 })
  }

/**
 * `name [timeout] numkeys key [key …] where [COUNT count]` (LMPOP and ZMPOP; with `timeout`,
 * BLMPOP and BZMPOP): `badWhere` says why `where` is refused, if it is.
 *
 * @since 0.2.0
 * @category constructors
 */
export const multiPop = <A>(
  name: string,
  keys: ReadonlyArray<Key>,
  where: string,
  badWhere: string | undefined,
  count: number | undefined,
  timeout: number | undefined,
  decode: Command.Decoder<A>
): Command.Command<A> => {
  const bad =
    keys.length === 0
      ? "needs at least one key"
      : (badWhere ??
        (count === undefined ? undefined : badInteger(count, "count", 1)) ??
        (timeout === undefined ? undefined : badTimeout(timeout)))
  if (bad !== undefined) return Command.invalid(name, bad)
  const args: Array<Key | Value> =
    timeout === undefined ? [name, keys.length, ...keys, where] : [name, timeout, keys.length, ...keys, where]
  if (count !== undefined) args.push("COUNT", count)
  return timeout === undefined
    ? Command.make(args, decode, { keys: [2, 1 + keys.length, 1] })
    : Command.make(args, decode, { keys: [3, 2 + keys.length, 1], blockMillis: timeout * 1000 })
}
