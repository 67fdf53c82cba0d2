/** Runs the offline pipeline in-process on capture files and collects its NDJSON output. */
import { PassThrough } from 'node:stream';
import { buildReadConfig, type ReadRequest } from '../../src/app/config.js';
import { silentLogger } from '../../src/app/log.js';
import type { OutputSink } from '../../src/app/output.js';
import { runRead, type ReadSummary } from '../../src/app/read.js';

export interface RunResult {
  text: string;
  lines: Record<string, unknown>[];
  summary: ReadSummary;
}

export function memorySink(): OutputSink & { text: string } {
  const s = {
    text: '',
    write(x: string) {
      s.text += x;
    },
    reopen() {},
    close: async () => {},
  };
  return s;
}

/** `prefilter`: plain files through the native prefilter (io/prefilter.ts) when its addon is built, as the CLI does, small ones too. */
export async function runCapture(
  req: Partial<ReadRequest> & { inputs: string[] },
  stdinData?: Buffer,
  opts: { prefilter?: boolean } = {},
): Promise<RunResult> {
  const cfg = buildReadConfig(
    { format: 'ndjson', uidSeed: 'golden', progress: false, ...req },
    { stdoutIsTTY: false, stderrIsTTY: false, noColor: true },
  );
  const out = memorySink();
  const stdin = new PassThrough();
  stdin.end(stdinData ?? Buffer.alloc(0));
  const summary = await runRead(cfg, { stdin, out, log: silentLogger(), progress: null, nowMs: () => 0, memRss: () => 0, prefilter: opts.prefilter === true, prefilterSmallFiles: opts.prefilter === true });
  const lines = cfg.format === 'ndjson' ? out.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { text: out.text, lines, summary };
}
