import { mergeConfig } from "vitest/config"
import { project } from "../../vitest.shared.ts"

// The AWS SDK signer (a dev dependency: the reference the tests compare with) ships ES modules
// with extensionless imports under the "module" condition, which Node cannot load: resolve
// without that condition here.
const config = project("aws-iam")
config.ssr = {
  ...config.ssr,
  resolve: { ...config.ssr?.resolve, conditions: ["source", "node", "development|production"] }
}
export default mergeConfig(config, {})
