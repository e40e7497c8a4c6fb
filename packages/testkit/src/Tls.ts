/**
 * Throw-away TLS material for test servers, generated with the `openssl` CLI: a CA, a
 * server certificate valid for `127.0.0.1` and `localhost`, and a client certificate for
 * mutual TLS. EC P-256 keys keep generation to a few milliseconds.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Effect from "effect/Effect"
import { SetupError } from "./errors.ts"

/**
 * Paths and PEM contents of generated certificates. `ca`, `cert` and `key` are what a
 * client needs (`cert`/`key` only for mutual TLS).
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsMaterial {
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
  readonly serverCertFile: string
  readonly serverKeyFile: string
  readonly ca: string
  readonly cert: string
  readonly key: string
}

const openssl = (dir: string, args: ReadonlyArray<string>): Effect.Effect<void, SetupError> =>
  Effect.callback<void, SetupError>((resume) => {
    const child = execFile(
      process.env.OPENSSL ?? "openssl",
      args,
      { cwd: dir, timeout: 20_000 },
      (error, _out, stderr) => {
        if (error === null) return resume(Effect.void)
        resume(
          Effect.fail(
            new SetupError({
              message: `openssl ${args[0]} failed: ${String(stderr).trim() || error.message}`,
              cause: error
            })
          )
        )
      }
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

const sign = (dir: string, name: string, extensions: string) =>
  Effect.gen(function* () {
    yield* Effect.tryPromise({
      try: () => Fs.writeFile(Path.join(dir, `${name}.ext`), extensions),
      catch: (cause) => new SetupError({ message: `could not write ${name}.ext`, cause })
    })
    yield* openssl(dir, [
      "req",
      "-new",
      ...newKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`
    ])
    yield* openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "30",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`
    ])
  })

/**
 * Generates a CA, a server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`; also usable
 * as a client certificate, as cluster nodes need for the TLS cluster bus) and a client
 * certificate into `dir`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateTls = (dir: string): Effect.Effect<TlsMaterial, SetupError> =>
  Effect.gen(function* () {
    yield* openssl(dir, [
      "req",
      "-x509",
      "-new",
      ...newKey,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "30",
      "-subj",
      "/CN=effect-valkey testkit CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign"
    ])
    yield* sign(
      dir,
      "server",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n"
    )
    yield* sign(dir, "client", "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n")
    const read = (name: string) =>
      Effect.tryPromise({
        try: () => Fs.readFile(Path.join(dir, name), "utf8"),
        catch: (cause) => new SetupError({ message: `could not read generated ${name}`, cause })
      })
    return {
      caFile: Path.join(dir, "ca.crt"),
      certFile: Path.join(dir, "client.crt"),
      keyFile: Path.join(dir, "client.key"),
      serverCertFile: Path.join(dir, "server.crt"),
      serverKeyFile: Path.join(dir, "server.key"),
      ca: yield* read("ca.crt"),
      cert: yield* read("client.crt"),
      key: yield* read("client.key")
    }
  })
