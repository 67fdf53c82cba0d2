/**
 * `amtwatch live`: interfaces -> the shared pipeline -> records, for months.
 *
 * Composition (same shape as read.ts): one Pipeline, one reporter, one output. The capture (io/live.ts)
 * delivers frames stamped by the kernel; a 1-second timer moves the session table on wall time
 * (idle timeouts, linger), writes interim conn records for long sessions, a stats record every
 * --stats-interval, and the summaries of the notice rate limit. Signals:
 *   SIGHUP           reload the policy file (a bad file keeps the old policy, one line on stderr) and
 *                    reopen the output file (logrotate);
 *   SIGINT/SIGTERM   hand over what the kernel still holds, write a conn record for every open
 *                    session, a final stats record, flush the output, resolve with exit status 0.
 *
 * Bounded memory: the session table (limits.maxSessions, evictions counted), the kernel ring
 * (--buffer-size), one batch buffer per interface, the output buffer (--output-buffer: records beyond
 * it are dropped and counted, never queued without bound), and the notice rate limit's counters.
 *
 * Counters this module adds to the stats record's `anomalies`:
 *   live.notice.suppressed        notices held back by --notice-rate (a summary notice says how many)
 *   live.output.dropped_records   records dropped because the output could not keep up
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, write as fsWrite } from 'node:fs';
import { analyzerFor } from '../analyzers/registry.js';
import { registerAnomaly } from '../core/anomaly.js';
import { AmtwatchError, EXIT_CAPTURE, EXIT_OK, isAmtwatchError } from '../core/errors.js';
import type { Clock, Micros } from '../core/time.js';
import { buildBpf, checkFilter, listDevices, loadAddon, openLive, type LiveCapture, type LiveInterfaceStats } from '../io/live.js';
import { isEmptyPolicy } from '../policy/config.js';
import {
  type AnalyzerRecord,
  type CaptureInterfaceStats,
  type ConnRecord,
  type NoticeRecord,
  type StatsRecord,
} from '../records/index.js';
import { plainText } from '../report/format.js';
import { createReporter, formatHostPort, formatInterval, formatTimeUtc, renderValue, type Reporter, type ReportWriter } from '../report/index.js';
import { SGR_ALERT, SGR_RESET } from '../report/text.js';
import { reloadLivePolicy, type LiveConfig } from './config.js';
import type { Logger } from './log.js';
import type { OutputSink } from './output.js';
import { Pipeline } from './pipeline.js';

export const A_LIVE_NOTICE_SUPPRESSED = registerAnomaly('live.notice.suppressed');
export const A_LIVE_OUTPUT_DROPPED = registerAnomaly('live.output.dropped_records');

/** The note of the summary written when --notice-rate held notices back. */
export const NOTE_NOTICES_SUPPRESSED = 'amtwatch.notices_suppressed';

export type LiveSignal = 'SIGHUP' | 'SIGINT' | 'SIGTERM';

export interface LiveOutput extends OutputSink {
  /** For records that must not be dropped (stats). */
  writeUrgent(s: string): void;
  /** Records dropped because more than the output buffer was waiting. */
  dropped(): number;
  /** The output failed for good (EPIPE, disk error): set once. */
  failure(): Error | null;
}

export interface LiveIo {
  /** Where records go; default: openLiveOutput(cfg.output, cfg.outputBufferBytes). */
  out?: LiveOutput;
  log: Logger;
  clock: Clock;
  memRss: () => number;
  /** process, or a test double. */
  signals: { on(sig: LiveSignal, fn: () => void): unknown; off(sig: LiveSignal, fn: () => void): unknown };
  /** Drops root after the interfaces are open; default: dropPrivileges(). */
  dropPrivileges?: (user: ResolvedUser) => void;
}

export interface LiveSummary {
  exitCode: number;
  frames: number;
  amtSessions: number;
  notices: number;
  stats: StatsRecord;
}

// ------------------------------------------------------------------------------- output

/**
 * Bytes handed to one fs.write at most. Large on purpose: one write completes per event-loop turn
 * while a burst keeps the loop busy, and 1 MiB per turn dropped 78,479 records of the 1,000,000-SYN
 * flood test that 16 MiB per turn writes in full.
 */
const WRITE_CHUNK_BYTES = 16 * 1024 * 1024;
/** Waiting records are joined into one flat chunk every this many (one array slot and one string each). */
const FLATTEN_EVERY = 256;
/** Wait before retrying a write to a full non-blocking pipe (EAGAIN). */
const EAGAIN_RETRY_MS = 20;
/** How long close() waits for a reader that does not read before giving up. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Records to standard output or a file, written through at once: each record starts an asynchronous
 * write when none is in flight, so a notice is on its way within the same event-loop turn (no
 * minimum batch, no timer). At most `maxBufferBytes` may wait (queued + in flight, counted in UTF-16
 * code units, which bounds the bytes of our ASCII-escaped lines); a record that would exceed it is
 * dropped and counted, so a stalled reader can never grow the process. writeUrgent() (stats records,
 * a few a minute) is never dropped. A file is opened for appending (a restart never truncates it) and
 * reopen() switches to a fresh descriptor of the same path (logrotate).
 *
 * Why not SonicBoom here, as output.ts does for `read`: in asynchronous mode SonicBoom writes one
 * `maxWrite` chunk (16 KiB) per event-loop turn, which under a burst of records (a flood ends tens of
 * thousands of sessions a second) falls behind and drops, and its flushSync() retries EAGAIN forever.
 */
export class BoundedOutput implements LiveOutput {
  private fd: number;
  /** Chunks of joined records, oldest first. */
  private queue: string[] = [];
  /** Records not yet joined into a chunk (fewer than FLATTEN_EVERY). */
  private tail: string[] = [];
  private queuedUnits = 0;
  private inflight: Buffer | null = null;
  private inflightOff = 0;
  private inflightUnits = 0;
  private retry: NodeJS.Timeout | null = null;
  private droppedRecords = 0;
  private failed: Error | null = null;
  /** The descriptor the write in flight goes to (after a reopen, the old file until the buffer is written). */
  private inflightFd = -1;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly path: string | null,
    private readonly maxUnits: number,
  ) {
    if (path === null) this.fd = 1;
    else {
      try {
        this.fd = openSync(path, 'a');
      } catch (e) {
        throw new AmtwatchError('AMTW_OUTPUT', `${path}: cannot open the output file: ${(e as Error).message}`);
      }
    }
  }

  write(s: string): void {
    if (this.failed !== null || this.closing) return;
    if (this.queuedUnits + this.inflightUnits + s.length > this.maxUnits) {
      this.droppedRecords++;
      return;
    }
    this.enqueue(s);
  }

  /** Never dropped (stats records); still bounded by how often it is called. */
  writeUrgent(s: string): void {
    if (this.failed !== null) return;
    this.enqueue(s);
  }

  private enqueue(s: string): void {
    // records wait in `tail`; every FLATTEN_EVERY of them become one chunk in `queue`. (Joining the
    // whole queue into one string each time, as before, copied up to the whole backlog per 256
    // records: quadratic work and a new large string each time while a flood backed the output up.)
    this.tail.push(s);
    this.queuedUnits += s.length;
    if (this.tail.length >= FLATTEN_EVERY) {
      this.queue.push(this.tail.join(''));
      this.tail = [];
    }
    if (this.inflight === null && this.retry === null) this.next();
  }

  private next(): void {
    if (this.failed !== null) return;
    if (this.inflight === null) {
      if (this.queue.length === 0) {
        if (this.tail.length === 0) {
          this.settled();
          return;
        }
        this.queue.push(this.tail.length === 1 ? (this.tail[0] as string) : this.tail.join(''));
        this.tail = [];
      }
      let n = 0;
      let units = 0;
      while (n < this.queue.length && (n === 0 || units < WRITE_CHUNK_BYTES)) {
        units += (this.queue[n] as string).length;
        n++;
      }
      const parts = this.queue.splice(0, n);
      this.queuedUnits -= units;
      this.inflight = Buffer.from(parts.length === 1 ? (parts[0] as string) : parts.join(''), 'utf8');
      this.inflightOff = 0;
      this.inflightUnits = units;
      this.inflightFd = this.fd;
    }
    const buf = this.inflight;
    // the rest of a partly written buffer goes where its start went: a line is never split across files
    const fd = this.inflightFd;
    fsWrite(fd, buf, this.inflightOff, buf.length - this.inflightOff, null, (err, written) => this.done(err, written));
  }

  private done(err: NodeJS.ErrnoException | null, written: number): void {
    if (err) {
      if (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK') {
        this.retry = setTimeout(() => {
          this.retry = null;
          this.next();
        }, EAGAIN_RETRY_MS);
        return;
      }
      this.failed = err;
      this.inflight = null;
      this.closeStale();
      this.queue = [];
      this.tail = [];
      this.queuedUnits = 0;
      this.inflightUnits = 0;
      this.settled();
      return;
    }
    const buf = this.inflight as Buffer;
    this.inflightOff += written;
    if (this.inflightOff >= buf.length) {
      this.inflight = null;
      this.inflightUnits = 0;
      this.closeStale();
    }
    this.next();
  }

  /** Closes the descriptor of the finished write when a reopen replaced it meanwhile. */
  private closeStale(): void {
    if (this.inflightFd >= 0 && this.inflightFd !== this.fd) {
      try {
        closeSync(this.inflightFd);
      } catch {
        // already gone
      }
    }
    this.inflightFd = -1;
  }

  private settled(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  dropped(): number {
    return this.droppedRecords;
  }

  /** Records waiting or in flight (lines not yet written). */
  private pendingRecords(): number {
    let n = 0;
    const count = (x: string): void => {
      for (let i = x.indexOf('\n'); i >= 0; i = x.indexOf('\n', i + 1)) n++;
    };
    for (const q of this.queue) count(q);
    for (const q of this.tail) count(q);
    if (this.inflight !== null) count(this.inflight.subarray(this.inflightOff).toString('utf8'));
    return n;
  }

  failure(): Error | null {
    return this.failed;
  }

  /** logrotate: the next writes go to a new file at the same path. Throws when it cannot be opened. */
  reopen(): void {
    if (this.path === null || this.failed !== null) return;
    const fd = openSync(this.path, 'a');
    const old = this.fd;
    this.fd = fd;
    // a write in flight on the old file finishes there and closes it (closeStale); otherwise close it
    // now (several SIGHUPs during one write used to leak every descriptor but the last)
    if (this.inflight === null || this.inflightFd !== old) closeSync(old);
  }

  /** Resolves when everything queued is written (or after CLOSE_TIMEOUT_MS); closes a file. */
  close(): Promise<void> {
    this.closing = true;
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(t);
        if (this.path !== null) {
          try {
            closeSync(this.fd);
          } catch {
            // ignore
          }
        }
        resolve();
      };
      const t = setTimeout(() => {
        // what still waits is lost: counted, and said (the caller makes it exit 5)
        const lost = this.pendingRecords();
        this.droppedRecords += lost;
        this.failed ??= new Error(`the output did not drain within ${CLOSE_TIMEOUT_MS} ms: ${lost} record(s) not written`);
        finish();
      }, CLOSE_TIMEOUT_MS);
      if (this.inflight === null && this.queue.length === 0 && this.tail.length === 0) finish();
      else this.idleWaiters.push(finish);
    });
  }
}

export function openLiveOutput(path: string | null, maxBufferBytes: number): LiveOutput {
  return new BoundedOutput(path, maxBufferBytes);
}

// ------------------------------------------------------------------------------- text lines

/**
 * Text output for a person watching a terminal: one line per notice, conn and stats record as it
 * happens (the offline text report is written at the end, which a live run never reaches).
 * Every packet-derived value goes through renderValue (sanitized). Analyzer records are summarized
 * by the conn records' amt_* fields, as in the offline text report.
 */
export function createLiveTextReporter(out: ReportWriter, color: boolean): Reporter {
  let closed = false;
  const s = (v: unknown): string => plainText(renderValue('string', v));
  const line = (x: string): void => {
    if (!closed) out.write(`${x}\n`);
  };
  return {
    notice(r: NoticeRecord) {
      const head = color ? `${SGR_ALERT}NOTICE${SGR_RESET}` : 'NOTICE';
      line(
        `${formatTimeUtc(r.ts)}  ${head}  ${s(r.note)}  ${formatHostPort(r['id.orig_h'], r['id.orig_p'])} -> ` +
          `${formatHostPort(r['id.resp_h'], r['id.resp_p'])}  ${s(r.msg)}  uid=${s(r.uid)}`,
      );
    },
    conn(r: ConnRecord) {
      const verdict = r.authorized ? 'authorized' : `UNAUTHORIZED (${r.reasons.map(s).join(',')})`;
      line(
        `${formatTimeUtc(r.ts)}  ${r.interim ? 'conn (interim)' : 'conn'}  ${formatHostPort(r['id.orig_h'], r['id.orig_p'])} -> ` +
          `${formatHostPort(r['id.resp_h'], r['id.resp_p'])}  ${s(r.service)} ${s(r.conn_state)} ${r.duration === null ? '-' : formatInterval(r.duration)} s ` +
          `${r.orig_bytes ?? '-'}/${r.resp_bytes ?? '-'} B  ${verdict}  uid=${s(r.uid)}`,
      );
    },
    analyzer(_r: AnalyzerRecord) {
      // summarized through the conn record's amt_* fields
    },
    stats(r: StatsRecord) {
      const drops = (r.capture ?? []).map((c) => `${s(c.name)} ${c.received} received ${c.dropped} dropped`).join(', ');
      line(
        `${formatTimeUtc(r.ts)}  ${r.final ? 'stats (final)' : 'stats'}  ${r.frames} frames, ${r.amt_sessions} AMT sessions ` +
          `(${r.sessions_open} open, ${r.sessions_closed} closed, ${r.amt_sessions_unauthorized} unauthorized), ${r.notices} notices, ` +
          `capture loss ${r.capture_loss_pct.toFixed(3)}%, kernel: ${drops || '-'}, rss ${Math.round(r.mem_rss_bytes / 1048576)} MiB`,
      );
    },
    close() {
      closed = true;
    },
  };
}

// ------------------------------------------------------------------------------- notice rate limit

interface NoteWindow {
  sent: number;
  suppressed: number;
  last: NoticeRecord | null;
}

/**
 * At most `rate` notices per second per note type; the rest are counted, and after each second a
 * summary notice (note amtwatch.notices_suppressed, n = how many, the 4-tuple of the last one held
 * back) says so. The first notices of any burst always go out, so a flood still raises its alarm,
 * and one flooded note type never silences another. rate 0 = no limit.
 */
export class NoticeLimiter {
  private readonly windows = new Map<string, NoteWindow>();
  suppressedTotal = 0;

  constructor(
    private readonly rate: number,
    private readonly emit: (n: NoticeRecord) => void,
  ) {}

  offer(n: NoticeRecord): void {
    if (this.rate === 0) {
      this.emit(n);
      return;
    }
    let w = this.windows.get(n.note);
    if (w === undefined) {
      w = { sent: 0, suppressed: 0, last: null };
      this.windows.set(n.note, w); // bounded: one entry per note type
    }
    if (w.sent < this.rate) {
      w.sent++;
      this.emit(n);
      return;
    }
    w.suppressed++;
    w.last = n;
    this.suppressedTotal++;
  }

  /** Ends the current second: writes the summaries. Returns how many were suppressed in it. */
  roll(now: Micros): number {
    let total = 0;
    for (const [note, w] of this.windows) {
      if (w.suppressed > 0 && w.last !== null) {
        total += w.suppressed;
        const l = w.last;
        this.emit({
          event_type: 'notice',
          ts: now,
          uid: l.uid,
          'id.orig_h': l['id.orig_h'],
          'id.orig_p': l['id.orig_p'],
          'id.resp_h': l['id.resp_h'],
          'id.resp_p': l['id.resp_p'],
          vlan: l.vlan,
          note: NOTE_NOTICES_SUPPRESSED,
          msg: `${w.suppressed} more ${note} notices in the last second were not written (--notice-rate ${this.rate}/s); their sessions' conn records still are (this notice carries the last one's addresses and uid)`,
          sub: note,
          src: null,
          n: w.suppressed,
          reasons: [...l.reasons],
        });
      }
      w.sent = 0;
      w.suppressed = 0;
      w.last = null;
    }
    return total;
  }
}

// ------------------------------------------------------------------------------- privileges

export interface ResolvedUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks a user up through NSS (getent), falling back to /etc/passwd. Throws AMTW_USAGE when unknown. */
export function resolveUser(name: string): ResolvedUser {
  let line: string | undefined;
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status === 0) line = r.stdout.split('\n')[0];
  else if (r.error !== undefined) {
    try {
      line = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.split(':')[0] === name);
    } catch {
      line = undefined;
    }
  }
  const f = line?.split(':') ?? [];
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (f.length < 4 || !Number.isInteger(uid) || !Number.isInteger(gid)) throw new AmtwatchError('AMTW_USAGE', `--user: no such user: ${name}`);
  return { name, uid, gid };
}

/** tcpdump -Z: the user's groups, its primary group, then the user; verified afterwards. */
export function dropPrivileges(u: ResolvedUser): void {
  try {
    const initgroups = (process as unknown as { initgroups?: (user: string, extraGroup: number) => void }).initgroups;
    if (initgroups !== undefined) initgroups.call(process, u.name, u.gid);
    else process.setgroups?.([u.gid]);
    process.setgid?.(u.gid);
    process.setuid?.(u.uid);
  } catch (e) {
    throw new AmtwatchError('AMTW_PERMISSION', `--user ${u.name}: cannot switch to uid ${u.uid} gid ${u.gid}: ${(e as Error).message} (only root can)`, {
      cause: e,
    });
  }
  if (process.getuid?.() !== u.uid || process.geteuid?.() !== u.uid || process.getgid?.() !== u.gid || process.getegid?.() !== u.gid) {
    throw new AmtwatchError('AMTW_PERMISSION', `--user ${u.name}: the switch to uid ${u.uid} gid ${u.gid} did not take effect`);
  }
}

// ------------------------------------------------------------------------------- the run

/** How long shutdown keeps analysing what the kernel ring still holds. */
const SHUTDOWN_DRAIN_US = 20_000_000;

/** How often (wall time) the 1-second tick looks for sessions due an interim record. */
function interimSweepUs(interimUs: number): number {
  return Math.max(1_000_000, Math.min(interimUs / 10, 30_000_000));
}

export function runLive(cfg: LiveConfig, io: LiveIo): Promise<LiveSummary> {
  // ---- everything that can fail with a usage error comes first, before any device is opened
  loadAddon();
  const bpf = buildBpf(cfg.filter, cfg.extendedPorts);
  if (cfg.filter !== null) {
    const err = checkFilter(bpf, 1, cfg.snaplen);
    if (err !== null) throw new AmtwatchError('AMTW_USAGE', `--filter ${JSON.stringify(cfg.filter)}: ${err}`);
  }
  const user = cfg.user !== null ? resolveUser(cfg.user) : null;
  const log = io.log;
  const clock = io.clock;
  const out = io.out ?? openLiveOutput(cfg.output, cfg.outputBufferBytes);

  const t0 = clock.now();
  // at shutdown every open session's conn record is written, whatever the output bound (the session
  // table bounds how many there are)
  let finalFlush = false;
  const main: ReportWriter = { write: (x) => (finalFlush ? out.writeUrgent(x) : out.write(x)) };
  const reporter = cfg.format === 'text' ? createLiveTextReporter(main, cfg.color) : createReporter('ndjson', main);
  // stats records are never dropped by the output bound
  const urgent: ReportWriter = { write: (x) => out.writeUrgent(x) };
  const statsReporter = cfg.format === 'text' ? createLiveTextReporter(urgent, cfg.color) : createReporter('ndjson', urgent);
  let limiter: NoticeLimiter | null = null;
  const pipeline = new Pipeline(
    { limits: cfg.limits, policy: cfg.policy, uidSeed: cfg.uidSeed, analyzerFor, extract: cfg.extract, extendedPorts: cfg.extendedPorts },
    {
      conn: (r) => reporter.conn(r),
      notice: (r) => (limiter === null ? reporter.notice(r) : limiter.offer(r)),
      analyzer: (r) => reporter.analyzer(r),
    },
  );
  limiter = new NoticeLimiter(cfg.noticeRate, (n) => reporter.notice(n));

  let capture: LiveCapture;
  let captureError: string | null = null;
  let stop: ((code: number, why: string) => void) | null = null;
  try {
    capture = openLive(
      {
        interfaces: cfg.interfaces,
        snaplen: cfg.snaplen,
        promisc: cfg.promisc,
        bufferBytes: cfg.bufferBytes,
        timeoutMs: cfg.timeoutMs,
        bpf,
        bpfNoVlan: buildBpf(cfg.filter, cfg.extendedPorts, false),
        userFilter: cfg.filter !== null,
        batchBytes: cfg.batchBytes,
        maxBatchPackets: cfg.maxBatchPackets,
      },
      pipeline.onFrame,
      (iface, message) => {
        captureError = `${iface}: capture failed: ${message}`;
        log.error(captureError);
        stop?.(EXIT_CAPTURE, 'capture failure');
      },
    );
  } catch (e) {
    void out.close();
    throw e;
  }
  if (user !== null) {
    try {
      (io.dropPrivileges ?? dropPrivileges)(user);
    } catch (e) {
      capture.close();
      void out.close();
      throw e;
    }
  }

  const ifaceText = capture.interfaces.map((i) => `${i.name} (linktype ${i.datalink})`).join(', ');
  for (const i of capture.interfaces) if (i.warning !== null) log.warn(i.warning);
  log.info(
    `listening on ${ifaceText}: snaplen ${cfg.snaplen}, buffer ${cfg.bufferBytes / 1048576} MiB, timeout ${cfg.timeoutMs} ms, ` +
      `${cfg.promisc ? 'promiscuous' : 'not promiscuous'}${user !== null ? `, running as ${user.name}` : ''}; filter: ${bpf}; policy: ${cfg.policySource}`,
  );
  if (isEmptyPolicy(cfg.policy)) {
    log.warn('no authorized management consoles configured (use --authorized or --config): every AMT session is reported as unauthorized');
  }

  const captureStats = (s: readonly LiveInterfaceStats[]): CaptureInterfaceStats[] =>
    s.map((x) => ({ name: x.name, received: x.received, dropped: x.dropped, if_dropped: x.ifDropped }));

  const statsRecord = (final: boolean, s: readonly LiveInterfaceStats[]): StatsRecord => {
    const now = clock.now();
    return pipeline.statsRecord({
      final,
      ts: now,
      files: 0,
      fileDetails: [],
      inputErrors: [],
      inputErrorsTotal: 0,
      capture: captureStats(s),
      memRssBytes: io.memRss(),
      elapsedUs: now - t0,
    });
  };

  return new Promise<LiveSummary>((resolve) => {
    let stopping = false;
    let nextStats = t0 + cfg.statsIntervalUs;
    let nextInterim = t0 + interimSweepUs(cfg.interimUs);
    /** uid -> how many interim periods have been reported; bounded by the session table. */
    const interimDone = new Map<string, number>();
    let droppedReported = 0;
    let kernelDropsReported = 0;
    let lastStats: readonly LiveInterfaceStats[] = capture.stats();

    const syncOutputDrops = (): void => {
      const d = out.dropped();
      if (d > droppedReported) {
        pipeline.anomalies.bump(A_LIVE_OUTPUT_DROPPED, d - droppedReported);
        log.warn(
          `output cannot keep up: ${d - droppedReported} records dropped (more than ${cfg.outputBufferBytes / 1048576} MiB waiting; ${d} since the start)`,
        );
        droppedReported = d;
      }
    };

    const tick = (): void => {
      if (stopping) return;
      const now = clock.now();
      pipeline.advanceTime(now);
      lastStats = capture.stats(); // every second: keeps the 32-bit kernel counters from wrapping unseen
      const suppressed = limiter?.roll(now) ?? 0;
      if (suppressed > 0) pipeline.anomalies.bump(A_LIVE_NOTICE_SUPPRESSED, suppressed);
      if (now >= nextInterim) {
        nextInterim = now + interimSweepUs(cfg.interimUs);
        for (const r of pipeline.interimRecords(now, cfg.interimUs)) {
          const period = Math.floor((now - r.ts) / cfg.interimUs);
          if ((interimDone.get(r.uid) ?? 0) >= period) continue;
          interimDone.set(r.uid, period);
          reporter.conn(r);
        }
        if (interimDone.size > 0) {
          const open = new Set<string>();
          for (const s of pipeline.table.sessions()) open.add(s.uid);
          for (const uid of interimDone.keys()) if (!open.has(uid)) interimDone.delete(uid);
        }
      }
      syncOutputDrops();
      const failure = out.failure();
      if (failure !== null) {
        log.error(`output failed: ${failure.message}; stopping`);
        void shutdown(EXIT_CAPTURE, 'output failure');
        return;
      }
      if (now >= nextStats) {
        nextStats += cfg.statsIntervalUs;
        if (nextStats <= now) nextStats = now + cfg.statsIntervalUs;
        const dropped = lastStats.reduce((a, s) => a + s.dropped + s.ifDropped, 0);
        if (dropped > kernelDropsReported) {
          log.warn(
            `packets lost before analysis: ${dropped - kernelDropsReported} dropped by the kernel or interface since the last stats record ` +
              `(${lastStats.map((s) => `${s.name}: ${s.dropped} + ${s.ifDropped}`).join(', ')}); see the stats record's capture field`,
          );
          kernelDropsReported = dropped;
        }
        statsReporter.stats(statsRecord(false, lastStats));
      }
    };
    const timer = setInterval(tick, 1000);

    const onHup = (): void => {
      if (stopping) return;
      try {
        const { policy, source } = reloadLivePolicy(cfg);
        pipeline.setPolicy(policy);
        log.info(`SIGHUP: policy reloaded from ${source}`);
      } catch (e) {
        const why = isAmtwatchError(e) ? e.message : String((e as Error)?.message ?? e);
        log.error(`SIGHUP: policy not reloaded, the previous one stays in force: ${why}`);
      }
      try {
        out.reopen();
      } catch (e) {
        log.error(`SIGHUP: cannot reopen the output file: ${(e as Error).message}`);
      }
    };
    const onTerm = (): void => {
      if (stopping) {
        log.warn('already shutting down');
        return;
      }
      void shutdown(EXIT_OK, 'signal');
    };

    const shutdown = async (code: number, why: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      log.info(`stopping (${why}): writing the open sessions and the final stats`);
      // The kernel hands over a partly filled block when the block timeout expires: wait for it, then
      // analyse what the ring still holds, a batch per event-loop turn so the output keeps flowing.
      if (captureError === null) {
        await new Promise<void>((r) => setTimeout(r, cfg.timeoutMs + 50));
        const deadline = clock.now() + SHUTDOWN_DRAIN_US;
        try {
          for (;;) {
            const n = capture.drain(cfg.maxBatchPackets);
            if (n === 0) break;
            if (clock.now() > deadline) {
              log.warn(`stopped analysing the capture backlog after ${SHUTDOWN_DRAIN_US / 1e6} s; the final stats record counts what was left`);
              break;
            }
            await new Promise<void>((r) => setImmediate(r));
          }
        } catch (e) {
          log.error(`draining the capture: ${(e as Error).message}`);
        }
      }
      const finalCapture = capture.stats();
      capture.close();
      finalFlush = true;
      pipeline.flush('flushed');
      const suppressed = limiter?.roll(clock.now()) ?? 0;
      if (suppressed > 0) pipeline.anomalies.bump(A_LIVE_NOTICE_SUPPRESSED, suppressed);
      syncOutputDrops();
      const c = pipeline.counters;
      if (c.internalErrors > 0) log.error(`internal error on ${c.internalErrors} frame(s); last: ${c.lastInternalError ?? ''}`);
      const stats = statsRecord(true, finalCapture);
      statsReporter.stats(stats);
      reporter.close();
      statsReporter.close();
      for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) io.signals.off(sig, sig === 'SIGHUP' ? onHup : onTerm);
      await out.close();
      const failure = out.failure();
      if (failure !== null && code === EXIT_OK) {
        log.error(`output failed: ${failure.message}`);
        code = EXIT_CAPTURE;
      }
      resolve({ exitCode: code, frames: c.frames, amtSessions: c.amtSessions, notices: c.notices, stats });
    };
    stop = (code, why) => void shutdown(code, why);

    io.signals.on('SIGHUP', onHup);
    io.signals.on('SIGINT', onTerm);
    io.signals.on('SIGTERM', onTerm);
  });
}

// ------------------------------------------------------------------------------- amtwatch interfaces

export interface InterfaceAddress {
  family: 'IPv4' | 'IPv6';
  addr: string;
  /** Prefix length from the netmask, null when libpcap gives none. */
  prefix: number | null;
  netmask: string | null;
  broadcast: string | null;
  peer: string | null;
}

export interface CaptureInterfaceInfo {
  name: string;
  description: string | null;
  addresses: InterfaceAddress[];
  up: boolean;
  running: boolean;
  loopback: boolean;
  wireless: boolean;
}

function prefixLength(mask: string | null): number | null {
  if (mask === null) return null;
  let bits = 0;
  if (mask.includes(':')) {
    for (const g of mask.split('::').flatMap((part) => part.split(':').filter((x) => x !== ''))) {
      bits += (parseInt(g, 16) >>> 0).toString(2).replace(/0/g, '').length;
    }
    return bits;
  }
  for (const o of mask.split('.')) bits += (Number(o) >>> 0).toString(2).replace(/0/g, '').length;
  return bits;
}

/** Capture devices as libpcap lists them. Throws AMTW_NO_ADDON (exit 5) when live capture is unavailable. */
export function captureInterfaces(): CaptureInterfaceInfo[] {
  return listDevices().map((d) => ({
    name: d.name,
    description: d.description,
    addresses: d.addresses
      .filter((a) => a.addr !== null)
      .map((a) => ({
        family: a.family,
        addr: a.addr as string,
        prefix: prefixLength(a.netmask),
        netmask: a.netmask,
        broadcast: a.broadaddr,
        peer: a.dstaddr,
      })),
    up: d.up,
    running: d.running,
    loopback: d.loopback,
    wireless: d.wireless,
  }));
}

/** `amtwatch interfaces` output: an aligned table, or a JSON array (one document, newline-terminated). */
export function listCaptureInterfaces(format: 'text' | 'json'): string {
  const list = captureInterfaces();
  if (format === 'json') return `${JSON.stringify(list, null, 2)}\n`;
  const clean = (s: string): string => plainText(renderValue('string', s));
  const rows = list.map((d) => {
    const flags = [d.up ? 'up' : 'down', ...(d.running ? ['running'] : []), ...(d.loopback ? ['loopback'] : []), ...(d.wireless ? ['wireless'] : [])];
    const addrs = d.addresses.map((a) => (a.prefix !== null ? `${a.addr}/${a.prefix}` : a.addr)).join(' ');
    return [clean(d.name), flags.join(','), addrs === '' ? '-' : addrs, d.description !== null ? clean(d.description) : '-'];
  });
  const head = ['interface', 'flags', 'addresses', 'description'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}
