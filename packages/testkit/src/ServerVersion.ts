/**
 * The version of the `valkey-server` the testkit starts (`VALKEY_SERVER`, else `valkey-server`
 * on PATH), asked of the binary once (`--version`). Test files read it when they are collected,
 * so a test of a newer server's command is skipped on an older line with the reason in its name:
 * `it.effect.skipIf(!ServerVersion.atLeast("8.1"))(`HSETEX … ${ServerVersion.needs("8.1")}`)`.
 *
 * @since 0.2.0
 */
import { execFileSync } from "node:child_process"

/**
 * A server version: its numbers and the text `valkey-server --version` gave.
 *
 * @since 0.2.0
 * @category models
 */
export interface Version {
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** `9.1.2`, or `unknown` when the binary could not be asked. */
  readonly text: string
}

const cache = new Map<string, Version>()

/**
 * The version of `binary` (default: the one the testkit starts).
 *
 * @since 0.2.0
 * @category getters
 */
export const of = (binary: string = process.env.VALKEY_SERVER ?? "valkey-server"): Version => {
  const known = cache.get(binary)
  if (known !== undefined) return known
  let version: Version = { major: 0, minor: 0, patch: 0, text: "unknown" }
  try {
    const out = execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 })
    const match = /v=(\d+)\.(\d+)\.(\d+)/.exec(out)
    if (match !== null) {
      version = {
        major: Number(match[1]),
        minor: Number(match[2]),
        patch: Number(match[3]),
        text: match.slice(1).join(".")
      }
    }
  } catch {
    // Left unknown: a missing binary fails the tests that start it, with its own error.
  }
  cache.set(binary, version)
  return version
}

/**
 * Whether the server is at least `wanted` (`"8.1"`, `"9.0.1"`).
 *
 * @since 0.2.0
 * @category predicates
 */
export const atLeast = (wanted: string, version: Version = of()): boolean => {
  const [major = 0, minor = 0, patch = 0] = wanted.split(".").map(Number)
  if (version.major !== major) return version.major > major
  if (version.minor !== minor) return version.minor > minor
  return version.patch >= patch
}

/**
 * The skip reason for a test that needs `wanted`: `(needs Valkey 8.1+, this server is 8.0.1)`.
 *
 * @since 0.2.0
 * @category getters
 */
export const needs = (wanted: string, version: Version = of()): string =>
  atLeast(wanted, version) ? "" : `(needs Valkey ${wanted}+, this server is ${version.text})`
