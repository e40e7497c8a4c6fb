/**
 * Renders `valkey.conf` for a test server. Defaults favour fast, isolated, disposable
 * servers: loopback only, no persistence, logs to stdout (captured for error messages),
 * DEBUG and MODULE commands allowed from loopback so tests can use them.
 *
 * @since 0.1.0
 */
import type { TlsMaterial } from "../Tls.ts"

/**
 * An ACL user created at start-up: `user <name> on ><password> <rules>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AclUser {
  readonly name: string
  readonly password: string
  /** ACL rules, e.g. `"+@all ~* &*"` (the default) or `"+get ~cache:*"`. */
  readonly rules?: string
}

/**
 * Extra configuration: raw lines (`"maxmemory 10mb"`) or a record whose values are
 * written verbatim after the key (booleans become `yes`/`no`).
 *
 * @since 0.1.0
 * @category models
 */
export type ExtraConfig = ReadonlyArray<string> | Readonly<Record<string, string | number | boolean>>

/**
 * @since 0.1.0
 * @category config
 */
export const configLines = (config: ExtraConfig | undefined): ReadonlyArray<string> => {
  if (config === undefined) return []
  if (Array.isArray(config)) return config as ReadonlyArray<string>
  return Object.entries(config as Readonly<Record<string, string | number | boolean>>).map(
    ([key, value]) => `${key} ${typeof value === "boolean" ? (value ? "yes" : "no") : String(value)}`
  )
}

/**
 * Quotes a value for the config parser (double quotes with backslash escapes).
 *
 * @since 0.1.0
 * @category config
 */
export const quote = (value: string): string => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`

/**
 * Everything that decides the content of the config file.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerConfig {
  /** The loopback address it binds. */
  readonly host: string
  readonly port: number
  readonly clusterPort: number | undefined
  readonly dir: string
  readonly password: string | undefined
  readonly users: ReadonlyArray<AclUser>
  readonly tls: (TlsMaterial & { readonly authClients: boolean }) | undefined
  readonly persistence: boolean
  readonly modules: ReadonlyArray<string>
  readonly extra: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category config
 */
export const renderConfig = (config: ServerConfig): string => {
  const lines: Array<string> = [
    `bind ${config.host}`,
    "protected-mode no",
    "daemonize no",
    `dir ${quote(config.dir)}`,
    'logfile ""',
    "loglevel notice",
    "enable-debug-command local",
    "enable-module-command local",
    // Replicas of test servers are started together; waiting for more of them (default 5s)
    // only slows every full sync down
    "repl-diskless-sync-delay 0"
  ]
  if (config.tls === undefined) {
    lines.push(`port ${config.port}`)
  } else {
    // TLS-only: the plaintext port is disabled so nothing can bypass TLS by accident
    lines.push(
      "port 0",
      `tls-port ${config.port}`,
      `tls-cert-file ${quote(config.tls.serverCertFile)}`,
      `tls-key-file ${quote(config.tls.serverKeyFile)}`,
      `tls-ca-cert-file ${quote(config.tls.caFile)}`,
      `tls-auth-clients ${config.tls.authClients ? "yes" : "no"}`,
      "tls-replication yes"
    )
    if (config.clusterPort !== undefined) lines.push("tls-cluster yes")
  }
  if (config.persistence) {
    lines.push("appendonly yes", "appendfsync everysec")
  } else {
    lines.push('save ""', "appendonly no")
  }
  if (config.password !== undefined) {
    // masterauth lets replicas (cluster or REPLICAOF) authenticate to their primary
    lines.push(`requirepass ${quote(config.password)}`, `masterauth ${quote(config.password)}`)
  }
  for (const user of config.users) {
    lines.push(`user ${quote(user.name)} on ${quote(`>${user.password}`)} ${user.rules ?? "+@all ~* &*"}`)
  }
  if (config.clusterPort !== undefined) {
    lines.push("cluster-enabled yes", "cluster-config-file nodes.conf", `cluster-port ${config.clusterPort}`)
  }
  for (const module of config.modules) lines.push(`loadmodule ${module}`)
  // Last, so callers can override any default above
  lines.push(...config.extra)
  return `${lines.join("\n")}\n`
}
