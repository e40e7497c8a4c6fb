/**
 * How big each test runs. `npm test` (CI) runs the short variants; `npm run test:chaos` sets
 * CHAOS=1 and runs the long ones the issue asks for.
 */
export const chaos = process.env.CHAOS === "1"

/** `ci` normally, `long` under CHAOS=1. */
export const scale = <A>(ci: A, long: A): A => (chaos ? long : ci)

/** A full collection when the runner was started with --expose-gc (see vitest.config.ts). */
export const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) {
    g()
    g()
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === "function"

/** Heap used after a full collection, in bytes. */
export const heapUsed = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

export const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`

/** One line per figure, printed so the run log holds the numbers the issue asks for. */
export const report = (test: string, figures: Record<string, unknown>): void => {
  console.log(`[reliability${chaos ? " chaos" : ""}] ${test}: ${JSON.stringify(figures)}`)
}
