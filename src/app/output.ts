/**
 * Where records go: standard output or a file (-w), through pino's SonicBoom destination, which
 * handles slow pipes, can be reopened for logrotate, and is flushed before exit.
 */
import pino from 'pino';
import { AmtwatchError } from '../core/errors.js';

export interface OutputSink {
  write(s: string): void;
  /** Reopens the file (live SIGHUP, after logrotate moved it). No-op for stdout. */
  reopen(): void;
  close(): Promise<void>;
}

type Boom = ReturnType<typeof pino.destination>;

export function openOutput(path: string | null): OutputSink {
  let boom: Boom;
  try {
    boom =
      path === null
        ? pino.destination({ dest: 1, sync: false, minLength: 0 })
        : pino.destination({ dest: path, sync: true, mkdir: false, append: false });
  } catch (e) {
    throw new AmtwatchError('AMTW_OUTPUT', `${path}: cannot open the output file: ${(e as Error).message}`);
  }
  let failed: Error | null = null;
  boom.on('error', (e: Error) => {
    failed = e;
  });
  return {
    write(s: string) {
      if (failed === null) boom.write(s);
    },
    reopen() {
      if (path !== null) boom.reopen();
    },
    close() {
      return new Promise<void>((resolve) => {
        if (failed !== null) {
          resolve();
          return;
        }
        // No flushSync() here: while an asynchronous write is in flight (stdout is sync: false),
        // SonicBoom 4's flushSync writes the buffered rest AHEAD of it, so the first record came out
        // last (measured: ~10% of `read` runs into a pipe; a JSON document became invalid). end()
        // waits for the write in flight, writes the rest in order, then closes.
        boom.once('close', () => resolve());
        boom.once('error', () => resolve());
        boom.end();
      });
    },
  };
}
