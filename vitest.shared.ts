import { defaultServerConditions } from "vite"
import { defineProject, mergeConfig, type ViteUserConfig } from "vitest/config"

// Resolve workspace packages (exports["."].source -> ./src/index.ts) to their TypeScript
// sources, so tests never need a build. Mirrors tsconfig "customConditions".
const shared: ViteUserConfig = {
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 }
}

export const project = (name: string, config: ViteUserConfig = {}) =>
  mergeConfig(shared, defineProject({ ...config, test: { ...config.test, name } }))
