/**
 * `amtwatch read`: captures -> pipeline -> report. Returns a summary with the exit status; never
 * exits the process itself (the CLI does, after every write has been flushed).
 *
 * Many files are one stream, in the order given (rotated captures continue each other's sessions),
 * except when a file starts earlier than the previous one ended: then it cannot be a continuation,
 * and the open sessions are ended first so time never runs backwards inside a session.
 */
import type { Readable } from 'node:stream';
import { analyzerFor } from '../analyzers/registry.js';
import { statSync, type Stats } from 'node:fs';
import { AmtwatchError, EXIT_INPUT, EXIT_OK, EXIT_UNAUTHORIZED, EXIT_USAGE, isAmtwatchError } from '../core/errors.js';
import { readCapture } from '../io/open.js';
import { isEmptyPolicy } from '../policy/config.js';
import type { FileSummary, InputErrorEntry, StatsRecord } from '../records/index.js';
import { createReporter } from '../report/index.js';
import type { RunConfig } from './config.js';
import { expandInputs } from './inputs.js';
import type { Logger } from './log.js';
import type { OutputSink } from './output.js';
import { Pipeline } from './pipeline.js';

export interface ReadIo {
  stdin: Readable;
  out: OutputSink;
  log: Logger;
  /** Progress lines for a person (stderr on a terminal); null for none. */
  progress: ((line: string) => void) | null;
  /** Wall clock in milliseconds (elapsed time only, never analysis). */
  nowMs: () => number;
  /** Resident memory in bytes (process.memoryUsage.rss), for the stats record. */
  memRss: () => number;
  /**
   * Plain capture files go through the native prefilter when its addon is built (io/prefilter.ts;
   * the CLI turns it off with AMTWATCH_PREFILTER=0). Same records either way.
   */
  prefilter?: boolean;
  /** Walk files that fit the read buffer too (tests: the fixtures are small). */
  prefilterSmallFiles?: boolean;
}

export interface ReadSummary {
  exitCode: number;
  frames: number;
  amtSessions: number;
  unauthorizedSessions: number;
  notices: number;
  inputErrors: number;
  unreadableInputs: number;
  stats: StatsRecord;
}

/**
 * Refuses `-w` naming one of the inputs (or a capture inside a folder given as input): the output
 * is truncated when opened, before anything is read, and the evidence would be gone. Throws
 * AmtwatchError (exit 2); call it before opening the output.
 */
export function checkOutputNotInput(cfg: RunConfig): void {
  if (cfg.output === null) return;
  let out: Stats;
  try {
    out = statSync(cfg.output);
  } catch {
    return; // a new file
  }
  if (!out.isFile()) return;
  for (const f of expandInputs(cfg.inputs).files) {
    if (f === '-') continue;
    try {
      const st = statSync(f);
      if (st.dev === out.dev && st.ino === out.ino) {
        throw new AmtwatchError('AMTW_USAGE', `-w ${cfg.output}: that is an input (${f}); writing would destroy it before it is read`);
      }
    } catch (e) {
      if (isAmtwatchError(e)) throw e;
    }
  }
}

const PROGRESS_AFTER_MS = 2000;
const PROGRESS_EVERY_MS = 1000;

export async function runRead(cfg: RunConfig, io: ReadIo): Promise<ReadSummary> {
  const t0 = io.nowMs();
  const reporter = createReporter(cfg.format, io.out, { color: cfg.color, verbose: cfg.verbose });
  const pipeline = new Pipeline(
    { limits: cfg.limits, policy: cfg.policy, uidSeed: cfg.uidSeed, analyzerFor, extract: cfg.extract, extendedPorts: cfg.extendedPorts },
    { conn: (r) => reporter.conn(r), notice: (r) => reporter.notice(r), analyzer: (r) => reporter.analyzer(r) },
  );
  if (isEmptyPolicy(cfg.policy)) {
    io.log.warn(
      'no authorized management consoles configured (use --authorized or --config): every AMT session is reported as unauthorized',
    );
  }

  const { files, skipped, problems } = expandInputs(cfg.inputs);
  for (const s of skipped) io.log.debug(`${s}: skipped, not a capture file`);
  const details: FileSummary[] = [];
  const errors: InputErrorEntry[] = [];
  let errorsTotal = 0;
  let unreadable = 0;
  for (const p of problems) {
    errorsTotal++;
    unreadable++;
    details.push({ file: p.file, format: 'unknown', compressed: false, frames: 0, bytes: 0 });
    if (errors.length < cfg.limits.maxInputErrorsKept) {
      errors.push({ file: p.file, frame: 0, offset: 0, code: p.code, message: p.message, fatal: true });
    }
    io.log.error(`${p.file}: ${p.message}`);
  }

  let lastProgress = t0;
  let bytesBefore = 0;
  for (const name of files) {
    if (io.out.failure?.() != null) break; // nothing more can be reported
    pipeline.beginFile();
    const input = name === '-' ? { name: 'stdin', stream: io.stdin } : { name, path: name };
    const outcome = await readCapture(input, pipeline.onFrame, {
      limits: cfg.limits,
      waitForOutput: () => io.out.ready?.() ?? null,
      ...(io.prefilter === true ? { fastPath: pipeline, prefilterSmallFiles: io.prefilterSmallFiles === true } : {}),
      onProgress: (consumed) => {
        if (io.progress === null) return;
        const now = io.nowMs();
        if (now - t0 < PROGRESS_AFTER_MS || now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        const c = pipeline.counters;
        io.progress(
          `${input.name}: ${fmtBytes(bytesBefore + consumed)} read, ${c.frames.toLocaleString('en-US')} frames, ` +
            `${c.amtSessions} AMT sessions (${c.unauthorizedSessions} unauthorized)`,
        );
      },
    });
    bytesBefore += outcome.summary.bytes;
    details.push(outcome.summary);
    if (outcome.unreadable) unreadable++;
    for (const e of outcome.errors) {
      errorsTotal++;
      if (errors.length < cfg.limits.maxInputErrorsKept) errors.push(e);
      const where = e.frame > 0 ? `frame ${e.frame}, byte offset ${e.offset}` : `byte offset ${e.offset}`;
      const line = `${e.file}: ${where}: ${e.message}${e.fatal && !outcome.unreadable ? ' (frames before it were analysed)' : ''}`;
      // an input that gave nothing is why the run exits 3: an error, shown even with --quiet
      if (outcome.unreadable && e.fatal) io.log.error(line);
      else io.log.warn(line);
    }
  }
  pipeline.flush('end_of_input');
  if (io.progress !== null && lastProgress !== t0) io.progress('');

  const c = pipeline.counters;
  if (c.internalErrors > 0) io.log.error(`internal error on ${c.internalErrors} frame(s); last: ${c.lastInternalError ?? ''}`);
  const stats: StatsRecord = pipeline.statsRecord({
    final: true,
    // the last packet time; with no packet at all, the time of the report (never 1970)
    ts: c.lastTs >= 0 ? c.lastTs : Math.round(io.nowMs() * 1000),
    files: files.length + problems.length,
    fileDetails: details,
    inputErrors: errors,
    inputErrorsTotal: errorsTotal,
    capture: null,
    memRssBytes: io.memRss(),
    elapsedUs: (io.nowMs() - t0) * 1000,
  });
  reporter.stats(stats);
  reporter.close();
  await io.out.close();

  // the records are the result: when they could not all be written, that is the outcome
  const outErr = io.out.failure?.() ?? null;
  if (outErr !== null) io.log.error(`output failed (${outErr.message}): the records from then on are lost`);
  const exitCode =
    outErr !== null ? EXIT_USAGE : unreadable > 0 ? EXIT_INPUT : c.unauthorizedSessions > 0 ? EXIT_UNAUTHORIZED : EXIT_OK;
  return {
    exitCode,
    frames: c.frames,
    amtSessions: c.amtSessions,
    unauthorizedSessions: c.unauthorizedSessions,
    notices: c.notices,
    inputErrors: errorsTotal,
    unreadableInputs: unreadable,
    stats,
  };
}

function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}
