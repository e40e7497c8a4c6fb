/**
 * `@effect-valkey/json`: the commands of the valkey-json module as command values, typed by
 * path syntax (JSONPath `$…` answers one entry per match, a legacy path `.a` a single value)
 * and optionally decoded with a Schema.
 *
 * @example
 * import { Valkey } from "@effect-valkey/core"
 * import { Json } from "@effect-valkey/json"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const valkey = yield* Valkey
 *   return yield* valkey.run(Json.get("user:1", "$.name")) // Array<JsonValue> | null
 * })
 *
 * @since 0.1.0
 */

export type { DocumentSchema, JsonType, JsonValue, MSetEntry, RespJson } from "./Json.ts"
export * as Json from "./Json.ts"
export * as JsonPath from "./JsonPath.ts"
