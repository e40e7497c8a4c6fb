/**
 * Whether a valkey-search module is available for tests against a real server: a path in
 * `VALKEY_MODULES` (colon-separated, as the testkit reads it) whose name mentions search, or the
 * path in `VALKEY_SEARCH_MODULE`. Without one, the suites that need the module are skipped.
 */
import { ValkeyServer } from "@effect-valkey/testkit"

const fromEnv = ValkeyServer.modulesFromEnv()
const explicit = process.env.VALKEY_SEARCH_MODULE?.trim()

/** The module paths to load: the testkit's list, plus `VALKEY_SEARCH_MODULE` when it is not in it. */
export const modules: ReadonlyArray<string> =
  explicit !== undefined && explicit !== "" && !fromEnv.includes(explicit) ? [...fromEnv, explicit] : fromEnv

export const hasSearchModule: boolean =
  (explicit !== undefined && explicit !== "") || fromEnv.some((path) => /search/i.test(path))
