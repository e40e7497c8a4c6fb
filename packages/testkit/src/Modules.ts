/**
 * Finding Valkey module builds (valkey-json, valkey-search) for suites against a real server.
 * The environment decides first (`VALKEY_MODULES`, or a module's own variable such as
 * `VALKEY_SEARCH_MODULE`); otherwise a folder of builds named `valkey-<module>-<version>/`,
 * each holding `lib<module>.so`: `VALKEY_MODULES_DIR`, or the first `shared/modules/` found
 * beside the working directory or one of its parents. From those, the newest build that loads
 * in the server the tests will start (`VALKEY_SERVER`, else `valkey-server` from PATH) is
 * chosen: valkey-search 1.0.x loads in Valkey 8.x only, 1.1 and later in Valkey 9.0.1 and later.
 *
 * @since 0.1.0
 */
import { existsSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import * as ServerVersion from "./ServerVersion.ts"

type Env = Readonly<Record<string, string | undefined>>
type Version = readonly [number, number, number]

/**
 * Whether a module can be loaded, what to pass as `modules` to a server, and, when it cannot,
 * why (for the skip line of a suite).
 *
 * @since 0.1.0
 * @category models
 */
export interface ModuleLookup {
  readonly available: boolean
  /** Every module to load: the environment's, or the module's build (search with json's). */
  readonly modules: ReadonlyArray<string>
  /** Where the module came from, or why none was found. */
  readonly reason: string
}

/**
 * Reads module paths from `VALKEY_MODULES` (colon-separated).
 *
 * @since 0.1.0
 * @category constructors
 */
export const modulesFromEnv = (env: Env = process.env): ReadonlyArray<string> =>
  (env.VALKEY_MODULES ?? "")
    .split(":")
    .map((path) => path.trim())
    .filter((path) => path !== "")

const parseVersion = (text: string): Version | undefined => {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text)
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])]
}

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/**
 * The version of a `valkey-server` binary as `[major, minor, patch]`, or `undefined` when it
 * cannot be run (see `ServerVersion.of`).
 *
 * @since 0.1.0
 * @category utils
 */
export const serverVersion = (binary: string): Version | undefined => {
  const version = ServerVersion.of(binary)
  return version.text === "unknown" ? undefined : [version.major, version.minor, version.patch]
}

/**
 * Whether a build of `module` at `version` loads in a server at `server`. valkey-search 1.0
 * refuses Valkey 9; 1.1 and later refuse anything older than 9.0.1. Other modules load in every
 * server this project supports.
 *
 * @since 0.1.0
 * @category utils
 */
export const loadsIn = (module: string, version: Version, server: Version): boolean => {
  if (module !== "search") return true
  return compare(version, [1, 1, 0]) < 0 ? server[0] < 9 : compare(server, [9, 0, 1]) >= 0
}

/**
 * The builds folder: `VALKEY_MODULES_DIR`, or the first `shared/modules` beside `from` or one
 * of its parents.
 *
 * @since 0.1.0
 * @category utils
 */
export const buildsDir = (env: Env = process.env, from: string = process.cwd()): string | undefined => {
  const explicit = env.VALKEY_MODULES_DIR?.trim()
  if (explicit !== undefined && explicit !== "") return existsSync(explicit) ? resolve(explicit) : undefined
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "modules")
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * The newest build of each module in `dir` that loads in a server at `server`, as paths to
 * their `lib<module>.so`, keyed by module name.
 *
 * @since 0.1.0
 * @category utils
 */
export const buildsFor = (dir: string, server: Version): ReadonlyMap<string, string> => {
  const best = new Map<string, { readonly version: Version; readonly path: string }>()
  for (const entry of readdirSync(dir)) {
    const match = /^valkey-([a-z]+)-(\d+\.\d+\.\d+)$/.exec(entry)
    if (match === null) continue
    const module = match[1]!
    const version = parseVersion(match[2]!)!
    const path = join(dir, entry, `lib${module}.so`)
    if (!existsSync(path) || !loadsIn(module, version, server)) continue
    const current = best.get(module)
    if (current === undefined || compare(version, current.version) > 0) best.set(module, { version, path })
  }
  return new Map([...best].map(([module, build]) => [module, build.path]))
}

/**
 * Whether the module `name` (`"json"`, `"search"`) is available for a suite against a real
 * server, and what to load. With `VALKEY_MODULES` or `explicitVar` set, the environment
 * decides alone; otherwise the builds folder does (see the module comment).
 *
 * @since 0.1.0
 * @category constructors
 */
export const moduleFromEnv = (name: string, explicitVar: string, env: Env = process.env): ModuleLookup => {
  const fromEnv = modulesFromEnv(env)
  const explicit = env[explicitVar]?.trim() ?? ""
  if (fromEnv.length > 0 || explicit !== "") {
    const available = explicit !== "" || fromEnv.some((path) => path.toLowerCase().includes(name.toLowerCase()))
    return {
      available,
      modules: explicit !== "" && !fromEnv.includes(explicit) ? [...fromEnv, explicit] : fromEnv,
      reason: available ? "from the environment" : `VALKEY_MODULES names no ${name} module`
    }
  }
  const dir = buildsDir(env)
  if (dir === undefined) {
    return {
      available: false,
      modules: [],
      reason: `no ${name} module: set VALKEY_MODULES or ${explicitVar}, or provide shared/modules/`
    }
  }
  const binary = env.VALKEY_SERVER ?? "valkey-server"
  const server = serverVersion(binary)
  if (server === undefined) return { available: false, modules: [], reason: `cannot run ${binary} --version` }
  const builds = buildsFor(dir, server)
  const path = builds.get(name)
  // valkey-search indexes JSON documents too, which needs valkey-json loaded beside it.
  const json = name === "search" ? builds.get("json") : undefined
  return {
    available: path !== undefined,
    modules: path === undefined ? [] : json === undefined ? [path] : [path, json],
    reason:
      path !== undefined
        ? `${path} (Valkey ${server.join(".")})`
        : `no build of ${name} in ${dir} loads in Valkey ${server.join(".")}`
  }
}
