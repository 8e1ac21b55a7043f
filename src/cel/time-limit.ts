/** A bound on synchronous work that nothing inside it can outrun. */
import vm from "node:vm";

const RUNNER = new vm.Script("run()");
const SANDBOX = vm.createContext({ run: (): unknown => undefined });

/**
 * Runs `work` and stops it after `ms` milliseconds wherever it is (V8 terminates the running
 * script, a CEL comprehension or a regular expression included). CEL always terminates, but a
 * nested comprehension over a long list can take minutes; a review must not.
 */
export function withTimeLimit<T>(ms: number, work: () => T): { ok: true; value: T } | { ok: false } {
  SANDBOX.run = work;
  try {
    return { ok: true, value: RUNNER.runInContext(SANDBOX, { timeout: ms }) as T };
  } catch (err) {
    if ((err as NodeJS.ErrnoException | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return { ok: false };
    throw err;
  } finally {
    SANDBOX.run = () => undefined;
  }
}
