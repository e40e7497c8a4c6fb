/**
 * Whether a valkey-search module is available for tests against a real server: `VALKEY_MODULES`,
 * `VALKEY_SEARCH_MODULE`, or the build in `shared/modules/` that loads in this server (see the testkit's
 * `Modules`). Without one, those suites are skipped with the reason in their title.
 */
import { Modules } from "@effect-valkey/testkit"

const found = Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")

/** The module paths to load. */
export const modules: ReadonlyArray<string> = found.modules

export const hasSearchModule: boolean = found.available

/** The title of a live suite: what it runs against, or why it is skipped. */
export const liveSuite = (title: string): string => (found.available ? title : `${title} (skipped: ${found.reason})`)
