/**
 * Whether a valkey-search module is available for tests against a real server: `VALKEY_MODULES`,
 * `VALKEY_SEARCH_MODULE`, or the build in `shared/modules/` that loads in this server (see the testkit's
 * `Modules`). Without one, those suites are skipped with the reason in their title.
 */
import { assert } from "@effect/vitest"
import { Command, type CommandError, Reply, type ValkeyService } from "@effect-valkey/core"
import { Modules } from "@effect-valkey/testkit"
import { Effect } from "effect"
import { Field, Query, Search } from "../src/index.ts"

const found = Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")

/** The module paths to load. */
export const modules: ReadonlyArray<string> = found.modules

export const hasSearchModule: boolean = found.available

/** The title of a live suite: what it runs against, or why it is skipped. */
export const liveSuite = (title: string): string => (found.available ? title : `${title} (skipped: ${found.reason})`)

/**
 * The loaded search module's version as MODULE LIST reports it (10003 for 1.0.3, 10201 for
 * 1.2.1): what a test checks before using a feature only some versions have.
 */
export const searchModuleVersion = (valkey: ValkeyService): Effect.Effect<number, CommandError> =>
  Effect.map(valkey.custom(["MODULE", "LIST"]), (reply) => {
    const modules = Array.isArray(reply) ? reply : []
    for (const entry of modules) {
      const fields = new Map(Reply.pairs(entry).map(([k, v]) => [Reply.text(k), v] as const))
      if (Reply.text(fields.get("name") ?? "") === "search") return Reply.integer(fields.get("ver") ?? 0)
    }
    return 0
  })

/**
 * What module 1.0.3 refuses of what 1.2 added, each with the server's typed error: a TEXT field,
 * full-text settings, SORTABLE, a query without KNN, SORTBY / VERBATIM, FT.AGGREGATE. Live
 * suites run this instead of their 1.2 test on an older module, so that they skip nothing and
 * the version's limits are checked rather than assumed.
 */
export const refusedBefore12 = (valkey: ValkeyService, name: string) =>
  Effect.gen(function* () {
    const vec = Field.vector.flat({ dim: 2, metric: "L2" })
    const knn = Query.knn({ field: "vec", k: 1, vector: [0, 0] })
    const refusals: ReadonlyArray<readonly [Command.Command<unknown>, RegExp]> = [
      [Search.create(`${name}_text`, { schema: { title: Field.text(), vec } }), /Unknown argument `TEXT`/],
      [
        Search.create(`${name}_stop`, { text: { stopWords: ["a"] }, schema: { vec } }),
        /Unexpected parameter `STOPWORDS`/
      ],
      [Search.create(`${name}_sort`, { schema: { n: Field.numeric({ sortable: true }), vec } }), /SORTABLE/],
      [Search.search(name, "@n:[0 10]"), /Missing `=>`/],
      [Search.search(name, knn, { sortBy: { field: "n" }, dialect: 2 }), /Unexpected argument `SORTBY`/],
      [Search.search(name, knn, { verbatim: true, dialect: 2 }), /Unexpected argument `VERBATIM`/],
      [Search.aggregate(name, "*"), /unknown command/i]
    ]
    assert.strictEqual(yield* valkey.run(Search.create(name, { schema: { n: Field.numeric(), vec } })), "OK")
    for (const [command, message] of refusals) {
      const error = yield* Effect.flip(valkey.run(command))
      assert.strictEqual(error._tag, "ReplyError", `${Command.name(command)}: ${error.message}`)
      assert.match(error.message, message)
    }
    assert.strictEqual(yield* valkey.run(Search.dropIndex(name)), "OK")
  })
