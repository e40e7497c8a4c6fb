/**
 * Whether a valkey-search module is available for tests against a real server (see the testkit's
 * `moduleFromEnv`: `VALKEY_MODULES` or `VALKEY_SEARCH_MODULE`). Without one, those suites are skipped.
 */
import { ValkeyServer } from "@effect-valkey/testkit"

const found = ValkeyServer.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")

/** The module paths to load. */
export const modules: ReadonlyArray<string> = found.modules

export const hasSearchModule: boolean = found.available
