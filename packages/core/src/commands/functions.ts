/**
 * Functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL, FCALL and FCALL_RO.
 *
 * @since 0.1.0
 */
import type { Key, Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { RespValue } from "../resp/types.ts"
import { numkeysCall } from "./scripting.ts"

const ALL_SHARDS: Command.CommandOptions = { request: "all_shards", response: "all_succeeded" }

/**
 * FUNCTION LOAD [REPLACE] code: loads a library (its code starts with `#!lua name=…`); the
 * library name.
 *
 * @since 0.1.0
 * @category functions
 */
export const functionLoad = (code: string, options?: { readonly replace?: boolean }): Command.Command<string> =>
  code.startsWith("#!")
    ? Command.make(
        options?.replace === true ? ["FUNCTION", "LOAD", "REPLACE", code] : ["FUNCTION", "LOAD", code],
        Reply.string,
        ALL_SHARDS
      )
    : Command.invalid("FUNCTION", "FUNCTION LOAD: the code must start with `#!<engine> name=<library>`")

/**
 * A library as FUNCTION LIST describes it. `code` is set only when asked for (`withCode`).
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionLibrary {
  readonly name: string
  readonly engine: string
  readonly functions: Array<{
    readonly name: string
    readonly description: string | null
    readonly flags: Array<string>
    readonly extra: Reply.Extra
  }>
  readonly code: string | null
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const libraries: Command.Decoder<Array<FunctionLibrary>> = Reply.array(
  Reply.struct({
    name: ["library_name", Reply.string],
    engine: ["engine", Reply.string],
    functions: [
      "functions",
      Reply.array(
        Reply.struct({
          name: ["name", Reply.string],
          description: ["description", Reply.nullableString],
          flags: ["flags", Reply.array(Reply.string)]
        })
      )
    ],
    code: ["library_code", Reply.nullableString]
  })
)

/**
 * FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the loaded libraries (matching `pattern`).
 *
 * @since 0.1.0
 * @category functions
 */
export const functionList = (options?: {
  readonly libraryName?: string
  readonly withCode?: boolean
}): Command.Command<Array<FunctionLibrary>> => {
  const args = ["FUNCTION", "LIST"]
  if (options?.libraryName !== undefined) args.push("LIBRARYNAME", options.libraryName)
  if (options?.withCode === true) args.push("WITHCODE")
  return Command.make(args, libraries, { readonly: true })
}

/**
 * FUNCTION DELETE library-name: `OK` (an `ERR` ReplyError when there is no such library).
 *
 * @since 0.1.0
 * @category functions
 */
export const functionDelete = (library: string): Command.Command<"OK"> =>
  Command.make(["FUNCTION", "DELETE", library], Reply.ok, ALL_SHARDS)

/**
 * FUNCTION FLUSH [ASYNC|SYNC]: deletes every library.
 *
 * @since 0.1.0
 * @category functions
 */
export const functionFlush = (mode?: "ASYNC" | "SYNC"): Command.Command<"OK"> =>
  Command.make(mode === undefined ? ["FUNCTION", "FLUSH"] : ["FUNCTION", "FLUSH", mode], Reply.ok, ALL_SHARDS)

/**
 * FUNCTION DUMP: every library as an opaque payload for FUNCTION RESTORE.
 *
 * @since 0.1.0
 * @category functions
 */
export const functionDump = (): Command.Command<Uint8Array> =>
  Command.bytes(Command.make(["FUNCTION", "DUMP"], Reply.string, { readonly: true }))

/**
 * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: loads dumped libraries; APPEND (the
 * default) fails on a name clash, REPLACE overwrites, FLUSH deletes the existing ones first.
 *
 * @since 0.1.0
 * @category functions
 */
export const functionRestore = (payload: Uint8Array, policy?: "FLUSH" | "APPEND" | "REPLACE"): Command.Command<"OK"> =>
  payload.length === 0
    ? Command.invalid("FUNCTION", "FUNCTION RESTORE: the payload is empty")
    : Command.make(
        policy === undefined ? ["FUNCTION", "RESTORE", payload] : ["FUNCTION", "RESTORE", payload, policy],
        Reply.ok,
        ALL_SHARDS
      )

/**
 * FUNCTION STATS: the function running now (if any) and, per engine, how many libraries and
 * functions are loaded.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionStats {
  readonly runningScript: {
    readonly name: string
    readonly command: Array<string>
    readonly durationMillis: number
    readonly extra: Reply.Extra
  } | null
  readonly engines: Record<
    string,
    { readonly librariesCount: number; readonly functionsCount: number; readonly extra: Reply.Extra }
  >
  /** Fields this client does not know yet (newer servers add some), as the server sent them. */
  readonly extra: Reply.Extra
}

const statsReply: Command.Decoder<FunctionStats> = Reply.struct({
  runningScript: [
    "running_script",
    Reply.nullable(
      Reply.struct({
        name: ["name", Reply.string],
        command: ["command", Reply.array(Reply.string)],
        durationMillis: ["duration_ms", Reply.integer]
      })
    )
  ],
  engines: [
    "engines",
    Reply.record(
      Reply.struct({
        librariesCount: ["libraries_count", Reply.integer],
        functionsCount: ["functions_count", Reply.integer]
      })
    )
  ]
})

/**
 * FUNCTION STATS: the running function and the loaded counts per engine (of the node that
 * served the call).
 *
 * @since 0.1.0
 * @category functions
 */
export const functionStats = (): Command.Command<FunctionStats> =>
  Command.make(["FUNCTION", "STATS"], statsReply, {
    readonly: true,
    request: "all_shards",
    response: "per_node"
  })

/**
 * FUNCTION KILL: stops the running read-only function (a `NOTBUSY` ReplyError when none).
 *
 * @since 0.1.0
 * @category functions
 */
export const functionKill = (): Command.Command<"OK"> =>
  Command.make(["FUNCTION", "KILL"], Reply.ok, { request: "all_shards", response: "one_succeeded" })

/**
 * FCALL function numkeys [key …] [arg …]: calls a loaded function; its reply as is.
 *
 * @since 0.1.0
 * @category functions
 */
export const fcall = (
  fn: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("FCALL", fn, keys, args, false, Reply.raw)

/**
 * FCALL_RO function numkeys [key …] [arg …]: calls a function declared `no-writes`.
 *
 * @since 0.1.0
 * @category functions
 */
export const fcallReadonly = (
  fn: string,
  keys: ReadonlyArray<Key> = [],
  args: ReadonlyArray<Value> = []
): Command.Command<RespValue> => numkeysCall("FCALL_RO", fn, keys, args, true, Reply.raw)
