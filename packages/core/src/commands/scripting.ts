/**
 * Lua scripting: EVAL, EVALSHA and their read-only variants, SCRIPT LOAD/EXISTS/FLUSH/KILL/SHOW.
 * A script's reply is whatever it returns, as the raw RESP value; `Script` (in `Script.ts`)
 * wraps EVALSHA with NOSCRIPT recovery and a Schema for the result.
 *
 * @since 0.1.0
 */
import type { Key, Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"

/**
 * `name target numkeys key … arg …` (EVAL, EVALSHA, FCALL and their read-only variants), with
 * the keys declared for routing: the one layout of a call that names its keys by count.
 *
 * @since 0.2.0
 * @category constructors
 */
export const numkeysCall = <A>(
  name: string,
  target: string,
  keys: ReadonlyArray<Key>,
  args: ReadonlyArray<Value>,
  readonly: boolean,
  decode: Command.Decoder<A>
): Command.Command<A> =>
  Command.make(
    [name, target, keys.length, ...keys, ...args],
    decode,
    keys.length === 0 ? { readonly } : { keys: [3, 2 + keys.length, 1], readonly }
  )

/**
 * EVAL script numkeys [key …] [arg …]: runs a Lua script and gives its reply as is. Exported
 * as `eval` (a name a `const` cannot have).
 *
 * @since 0.1.0
 * @category scripting
 */
const evalCommand = (
  source: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("EVAL", source, keys, args, false, Reply.raw)

export {
  /**
   * EVAL, exported as `eval` (a name a `const` cannot have).
   *
   * @since 0.1.0
   * @category commands
   */
  evalCommand as eval
}

/**
 * EVALSHA sha1 numkeys [key …] [arg …]: runs a cached script (a `NOSCRIPT` ReplyError when
 * the server does not have it).
 *
 * @since 0.1.0
 * @category scripting
 */
export const evalsha = (
  sha1: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("EVALSHA", sha1, keys, args, false, Reply.raw)

/**
 * EVAL_RO script numkeys [key …] [arg …]: EVAL for scripts that only read (may run on a
 * replica; a write fails).
 *
 * @since 0.1.0
 * @category scripting
 */
export const evalReadonly = (
  source: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("EVAL_RO", source, keys, args, true, Reply.raw)

/**
 * EVALSHA_RO sha1 numkeys [key …] [arg …].
 *
 * @since 0.1.0
 * @category scripting
 */
export const evalshaReadonly = (
  sha1: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("EVALSHA_RO", sha1, keys, args, true, Reply.raw)

/**
 * SCRIPT LOAD script: caches a script without running it; its SHA1.
 *
 * @since 0.1.0
 * @category scripting
 */
export const scriptLoad = (source: string): Command.Command<string> =>
  Command.make(["SCRIPT", "LOAD", source], Reply.string, { request: "all_nodes", response: "all_succeeded" })

/**
 * SCRIPT EXISTS sha1 [sha1 …]: for each SHA1, whether the script is cached.
 *
 * @since 0.1.0
 * @category scripting
 */
export const scriptExists = (sha1s: ReadonlyArray<string>): Command.Command<Array<boolean>> =>
  sha1s.length === 0
    ? Command.invalid("SCRIPT", "SCRIPT EXISTS needs at least one sha1")
    : Command.make(["SCRIPT", "EXISTS", ...sha1s], Reply.array(Reply.boolean), {
        readonly: true,
        request: "all_shards",
        response: "agg_logical_and"
      })

/**
 * SCRIPT FLUSH [ASYNC|SYNC]: empties the script cache.
 *
 * @since 0.1.0
 * @category scripting
 */
export const scriptFlush = (mode?: "ASYNC" | "SYNC"): Command.Command<"OK"> =>
  Command.make(mode === undefined ? ["SCRIPT", "FLUSH"] : ["SCRIPT", "FLUSH", mode], Reply.ok, {
    request: "all_nodes",
    response: "all_succeeded"
  })

/**
 * SCRIPT KILL: stops the running script if it has not written (a `NOTBUSY` ReplyError when
 * none runs, `UNKILLABLE` when it wrote).
 *
 * @since 0.1.0
 * @category scripting
 */
export const scriptKill = (): Command.Command<"OK"> =>
  Command.make(["SCRIPT", "KILL"], Reply.ok, { request: "all_shards", response: "one_succeeded" })

/**
 * SCRIPT SHOW sha1: the source of a cached script.
 *
 * @since 0.1.0
 * @category scripting
 */
export const scriptShow = (sha1: string): Command.Command<string> =>
  Command.make(["SCRIPT", "SHOW", sha1], Reply.string, { readonly: true })
