/**
 * Whether a valkey-search module is available for tests against a real server: `VALKEY_MODULES`,
 * `VALKEY_SEARCH_MODULE`, or the build in `shared/modules/` that loads in this server (see the testkit's
 * `Modules`). Without one, those suites are skipped with the reason in their title.
 */
import { type CommandError, Reply, type ValkeyService } from "@effect-valkey/core"
import { Modules } from "@effect-valkey/testkit"
import { Effect } from "effect"

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
