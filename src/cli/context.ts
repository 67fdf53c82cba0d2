/** What the commands get from the process, so they stay testable. */
import type { Readable } from 'node:stream';

export interface CliContext {
  stdin: Readable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  noColor: boolean;
  /** Plain capture files through the native prefilter when it is built (AMTWATCH_PREFILTER=0: never). */
  prefilter: boolean;
  /** One line for a person on standard error. */
  error(line: string): void;
  /** An overwriting progress line on standard error ('' clears it). */
  progress(line: string): void;
  setExitCode(code: number): void;
}
