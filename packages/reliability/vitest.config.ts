import { project } from "../../vitest.shared.ts"

// `--expose-gc` so the heap checks measure after a full collection (forks pool: a child process).
// CHAOS=1 (`npm run test:chaos`) runs the long variants; the timeouts grow with them.
const chaos = process.env.CHAOS === "1"

export default project("reliability", {
  test: {
    pool: "forks",
    execArgv: ["--expose-gc"],
    testTimeout: chaos ? 1_800_000 : 60_000,
    hookTimeout: chaos ? 600_000 : 120_000
  }
})
