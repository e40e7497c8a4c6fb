/**
 * Whether a valkey-json module is available for tests against a real server (see the testkit's
 * `moduleFromEnv`: `VALKEY_MODULES` or `VALKEY_JSON_MODULE`). Without one, those suites are skipped.
 */
import { ValkeyServer } from "@effect-valkey/testkit"

const found = ValkeyServer.moduleFromEnv("json", "VALKEY_JSON_MODULE")

/** The module paths to load. */
export const modules: ReadonlyArray<string> = found.modules

export const hasJsonModule: boolean = found.available
