// The workers load effect-valkey the way its users do: the JavaScript that `tsc` builds into each
// package's dist/, not the TypeScript sources. Node's type stripping of ~100 source files costs
// a worker ~24 MiB of peak RSS (and start-up time) that the peers, shipped as JavaScript, never
// pay. The harness builds before it measures, so the numbers are never those of a stale dist/.

import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Runs `tsc -p packages/<name>/tsconfig.build.json` for each package; exits on a failed build. */
export const buildPackages = (names: ReadonlyArray<string>): void => {
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc")
  for (const name of names) {
    const result = spawnSync(process.execPath, [tsc, "-p", `packages/${name}/tsconfig.build.json`], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"]
    })
    if (result.status !== 0) {
      process.stderr.write(`bench: building packages/${name} failed (tsc exit ${result.status ?? result.signal})\n`)
      process.exit(1)
    }
  }
}
