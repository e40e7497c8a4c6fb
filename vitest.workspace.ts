// Vitest >= 4 no longer reads this file on its own (the workspace file was replaced by
// `test.projects`). It stays the single list of test projects and vitest.config.ts imports it.
import type { TestProjectConfiguration } from "vitest/config"

export default ["packages/*/vitest.config.ts"] satisfies Array<TestProjectConfiguration>
