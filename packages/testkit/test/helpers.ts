/**
 * Shared assertions of the testkit's own tests.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"

/** Whether a process exists: `process.kill(pid, 0)` throws ESRCH once it is gone. */
export const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false
    throw error
  }
}

export const dirExists = (dir: string): boolean => Fs.existsSync(dir)
