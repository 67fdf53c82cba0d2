/**
 * THE configuration owner: flags + policy file + limit defaults -> one frozen RunConfig.
 * Nothing else reads flags, environment or configuration files.
 *
 * Policy file (YAML):
 *   authorized: [CIDR or address, ...]   management consoles allowed to open AMT sessions
 *   amt_hosts:  [CIDR or address, ...]   inventory of known AMT endpoints (optional)
 *   thresholds: { bruteforce_failures, bruteforce_window, scan_hosts, scan_failed_attempts, scan_window }
 * Flags (--authorized, --amt-hosts) add to what the file lists.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseCidr, type Cidr } from '../core/addr.js';
import { AmtwatchError } from '../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_KEYS, type PolicyConfig, type Thresholds } from '../policy/config.js';

export type OutputFormat = 'text' | 'ndjson' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'ndjson', 'json', 'csv'];

export const POLICY_FIELDS = ['authorized', 'amt_hosts', 'thresholds'] as const;

/** What the CLI (or a library caller) passes in; everything optional but inputs. */
export interface ReadRequest {
  inputs: readonly string[];
  authorized?: readonly string[];
  amtHosts?: readonly string[];
  config?: string;
  format?: OutputFormat;
  output?: string;
  maxSessions?: number;
  progress?: boolean;
  color?: boolean;
  verbose?: boolean;
  uidSeed?: string;
  /** Keep SOL console transcripts in amt_redir records. */
  extract?: boolean;
  /** Also TCP 623/664 (DASH), UDP 623 (RMCP presence ping/pong) and TCP 5900 (AMT KVM by desktop name). */
  extendedPorts?: boolean;
}

export interface RunConfig {
  readonly inputs: readonly string[];
  readonly policy: PolicyConfig;
  /** Where the policy came from, for messages ("flags", a file name, or "none"). */
  readonly policySource: string;
  readonly format: OutputFormat;
  readonly output: string | null;
  readonly limits: Limits;
  readonly progress: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly uidSeed: string;
  readonly extract: boolean;
  readonly extendedPorts: boolean;
}

export interface Environment {
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  noColor: boolean;
}

/** Parses `--authorized a,b --authorized c` style values into CIDRs, naming the flag on error. */
export function parseCidrList(values: readonly string[] | undefined, what: string): Cidr[] {
  const out: Cidr[] = [];
  for (const v of values ?? []) {
    for (const item of v.split(',')) {
      const t = item.trim();
      if (t === '') continue;
      const c = parseCidr(t);
      if (typeof c === 'string') throw new AmtwatchError('AMTW_USAGE', `${what}: ${c}`);
      out.push(c);
    }
  }
  return out;
}

export interface PolicyFile {
  authorized: Cidr[];
  amtHosts: Cidr[] | null;
  thresholds: Thresholds;
}

/** Validates a parsed policy document; every problem names the field. */
export function validatePolicyDocument(doc: unknown, source: string): PolicyFile {
  const fail = (field: string, problem: string): never => {
    throw new AmtwatchError('AMTW_CONFIG', `${source}: ${field}: ${problem}`);
  };
  if (doc === null || doc === undefined) return { authorized: [], amtHosts: null, thresholds: DEFAULT_THRESHOLDS };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return fail('(top level)', `must be a mapping with the fields ${POLICY_FIELDS.join(', ')}`);
  }
  const rec = doc as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(k)) {
      fail(k, `unknown field (expected one of: ${POLICY_FIELDS.join(', ')})`);
    }
  }
  const list = (field: string): Cidr[] | null => {
    const v = rec[field];
    if (v === undefined) return null;
    if (v === null) return [];
    const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((x) => x.trim()) : fail(field, 'must be a list of addresses or CIDR prefixes');
    const out: Cidr[] = [];
    items.forEach((item: unknown, i: number) => {
      if (typeof item !== 'string') fail(`${field}[${i}]`, `must be an address or CIDR prefix as text, not ${item === null ? 'null' : typeof item}`);
      const c = parseCidr(item as string);
      if (typeof c === 'string') fail(`${field}[${i}]`, c);
      out.push(c as Cidr);
    });
    return out;
  };
  const thresholds: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  const t = rec.thresholds;
  if (t !== undefined && t !== null) {
    if (typeof t !== 'object' || Array.isArray(t)) fail('thresholds', `must be a mapping with the fields ${THRESHOLD_KEYS.join(', ')}`);
    for (const [k, val] of Object.entries(t as Record<string, unknown>)) {
      if (!(THRESHOLD_KEYS as string[]).includes(k)) fail(`thresholds.${k}`, `unknown field (expected one of: ${THRESHOLD_KEYS.join(', ')})`);
      if (typeof val !== 'number' || !Number.isInteger(val) || val < 1 || val > 1_000_000_000) {
        fail(`thresholds.${k}`, 'must be a whole number from 1 to 1000000000');
      }
      thresholds[k] = val as number;
    }
  }
  return { authorized: list('authorized') ?? [], amtHosts: list('amt_hosts'), thresholds: Object.freeze(thresholds) as unknown as Thresholds };
}

/** Bytes of a policy file read at most (a real one is a few hundred; /dev/zero must not fill memory). */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/** The file as UTF-8 text, or AmtwatchError when it is longer than `max` bytes. */
function readBounded(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const k = readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) break;
      n += k;
      if (n > max) throw new AmtwatchError('AMTW_CONFIG', `${path}: the policy file is larger than ${max} bytes`);
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates a policy file. Throws AmtwatchError (exit 2) with one line naming the problem. */
export function loadPolicyFile(path: string): PolicyFile {
  let text: string;
  try {
    text = readBounded(path, MAX_POLICY_FILE_BYTES);
  } catch (e) {
    if (e instanceof AmtwatchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new AmtwatchError('AMTW_CONFIG', `${path}: cannot read the policy file: ${why}`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'syntax';
    const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new AmtwatchError('AMTW_CONFIG', `${path}: ${where}: ${what}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    // e.g. yaml's guard against alias expansion bombs
    throw new AmtwatchError('AMTW_CONFIG', `${path}: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
  }
  return validatePolicyDocument(value, path);
}

export function buildPolicy(req: Pick<ReadRequest, 'authorized' | 'amtHosts' | 'config'>): { policy: PolicyConfig; source: string } {
  const file: PolicyFile = req.config !== undefined ? loadPolicyFile(req.config) : { authorized: [], amtHosts: null, thresholds: DEFAULT_THRESHOLDS };
  const authorized = [...file.authorized, ...parseCidrList(req.authorized, '--authorized')];
  const flagHosts = req.amtHosts !== undefined ? parseCidrList(req.amtHosts, '--amt-hosts') : null;
  const amtHosts = file.amtHosts === null && flagHosts === null ? null : [...(file.amtHosts ?? []), ...(flagHosts ?? [])];
  const sources: string[] = [];
  if (req.config !== undefined) sources.push(req.config);
  if ((req.authorized?.length ?? 0) > 0 || req.amtHosts !== undefined) sources.push('flags');
  return {
    policy: Object.freeze({
      authorized: Object.freeze(authorized),
      amtHosts: amtHosts === null ? null : Object.freeze(amtHosts),
      thresholds: file.thresholds,
    }),
    source: sources.length ? sources.join(' + ') : 'none',
  };
}

export function buildReadConfig(req: ReadRequest, env: Environment): RunConfig {
  if (req.inputs.length === 0) throw new AmtwatchError('AMTW_USAGE', 'no input: name one or more capture files, a folder, or - for standard input');
  if (req.format !== undefined && !OUTPUT_FORMATS.includes(req.format)) {
    throw new AmtwatchError('AMTW_USAGE', `--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  const { policy, source } = buildPolicy(req);
  const toTerminal = req.output === undefined && env.stdoutIsTTY;
  const limits: Limits = Object.freeze({ ...DEFAULT_LIMITS, ...(req.maxSessions !== undefined ? { maxSessions: req.maxSessions } : {}) });
  return Object.freeze({
    inputs: Object.freeze([...req.inputs]),
    policy,
    policySource: source,
    format: req.format ?? (toTerminal ? 'text' : 'ndjson'),
    output: req.output ?? null,
    limits,
    progress: req.progress ?? env.stderrIsTTY,
    color: (req.color ?? true) && toTerminal && !env.noColor,
    verbose: req.verbose ?? false,
    uidSeed: req.uidSeed ?? 'amtwatch',
    extract: req.extract ?? false,
    extendedPorts: req.extendedPorts ?? false,
  });
}

// =====================================================================================================
// Live capture (`amtwatch live`). Everything below belongs to the live-capture work; the functions
// above are unchanged. buildLiveConfig() turns the live flags into a frozen LiveConfig;
// reloadLivePolicy() re-reads the policy file on SIGHUP (the flags' additions are kept).
// =====================================================================================================

export type LiveOutputFormat = 'ndjson' | 'text';
/** Live output streams: JSON documents and CSV (conn rows only) do not fit a months-long run. */
export const LIVE_OUTPUT_FORMATS: readonly LiveOutputFormat[] = ['ndjson', 'text'];

/**
 * Defaults for live capture, with the reason for each (README "Live capture").
 *  - snaplen 262144: libpcap's maximum. AMT payloads (HTTP digest, WS-Man bodies, redirection
 *    messages) are reassembled, so a snapped segment would be a gap; with immediate mode off the
 *    ring packs packets by their real size, so a large snaplen costs no ring space.
 *  - bufferMiB 64: 256 TPACKET_V3 blocks of 256 KiB per interface; measured lossless in
 *    test/bench/live.mjs where tcpdump (2 MiB) is. Resident only as far as the kernel fills it.
 *  - timeoutMs 50: a block is handed over when full or after this long, so a SYN reaches the pipeline
 *    within ~50 ms (the alert bar is 1 s) while packets still arrive in batches.
 *  - interimS 300: a session open longer than this gets an interim conn record every 300 s.
 *  - statsIntervalS 60: one stats record a minute.
 *  - noticeRate 100: notices per second per note type before the rest are counted and summarized
 *    (a SYN flood from spoofed sources must not drown the SIEM; the first ones always go out).
 *  - outputBufferMiB 8: records waiting for a slow output; beyond it records are dropped and counted.
 *  - batchBytes 2 MiB, maxBatchPackets 4096: one JS call per batch, and at most this many packets per
 *    event-loop turn, so timers, output writes and signals keep running under a backlog.
 *  - maxSessions 8192: the session table's bound for a live run (offline: core/limits.ts MAX_SESSIONS,
 *    65536). A session costs about 2.5 KB of heap plus GC headroom, and under a SYN flood from spoofed
 *    sources the table is always full: 8192 keeps the process near 200 MB (measured 216 MB peak with
 *    the 64 MiB ring full, 256 MB with 16384) and is far more AMT sessions than a network has at once.
 *    Eviction is least-recently-active first, so a busy KVM session survives a flood; evictions are
 *    counted (session.limit.table_full) and each evicted session still gets its conn record.
 */
export const LIVE_DEFAULTS = Object.freeze({
  snaplen: 262_144,
  bufferMiB: 64,
  timeoutMs: 50,
  interimS: 300,
  statsIntervalS: 60,
  noticeRate: 100,
  outputBufferMiB: 8,
  maxSessions: 8192,
  batchBytes: 2 * 1024 * 1024,
  maxBatchPackets: 4096,
});

export interface LiveRequest {
  interfaces: readonly string[];
  promisc?: boolean;
  snaplen?: number;
  bufferSizeMiB?: number;
  timeoutMs?: number;
  /** Narrows the built-in AMT filter (ANDed). */
  filter?: string;
  interimS?: number;
  statsIntervalS?: number;
  /** Drop to this user (and its groups) once the interfaces and the output are open. */
  user?: string;
  output?: string;
  format?: LiveOutputFormat;
  config?: string;
  authorized?: readonly string[];
  amtHosts?: readonly string[];
  maxSessions?: number;
  /** Notices per second per note type; 0 = no limit. */
  noticeRate?: number;
  outputBufferMiB?: number;
  color?: boolean;
  uidSeed?: string;
  extract?: boolean;
  /** Also TCP 623/664, UDP 623 and TCP 5900 (kernel filter and analysis). */
  extendedPorts?: boolean;
}

export interface LiveConfig {
  readonly interfaces: readonly string[];
  readonly promisc: boolean;
  readonly snaplen: number;
  readonly bufferBytes: number;
  readonly timeoutMs: number;
  /** The user's --filter expression, or null. */
  readonly filter: string | null;
  readonly interimUs: number;
  readonly statsIntervalUs: number;
  readonly user: string | null;
  readonly output: string | null;
  readonly format: LiveOutputFormat;
  readonly color: boolean;
  readonly policy: PolicyConfig;
  readonly policySource: string;
  /** What reloadLivePolicy() rebuilds the policy from. */
  readonly policyRequest: Readonly<Pick<ReadRequest, 'authorized' | 'amtHosts' | 'config'>>;
  readonly limits: Limits;
  readonly noticeRate: number;
  readonly outputBufferBytes: number;
  readonly batchBytes: number;
  readonly maxBatchPackets: number;
  readonly uidSeed: string;
  readonly extract: boolean;
  readonly extendedPorts: boolean;
}

function intIn(v: number | undefined, def: number, min: number, max: number, flag: string, unit: string): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min || v > max) throw new AmtwatchError('AMTW_USAGE', `${flag} must be a whole number of ${unit} from ${min} to ${max}`);
  return v;
}

export function buildLiveConfig(req: LiveRequest, env: Environment): LiveConfig {
  if (req.interfaces.length === 0) throw new AmtwatchError('AMTW_USAGE', 'no interface: name one with -i IFACE (see amtwatch interfaces)');
  const seen = new Set<string>();
  for (const i of req.interfaces) {
    if (i.trim() === '' || /[\s/]/.test(i)) throw new AmtwatchError('AMTW_USAGE', `-i: not an interface name: ${JSON.stringify(i)}`);
    if (seen.has(i)) throw new AmtwatchError('AMTW_USAGE', `-i ${i} is given twice`);
    seen.add(i);
  }
  if (req.format !== undefined && !LIVE_OUTPUT_FORMATS.includes(req.format)) {
    throw new AmtwatchError('AMTW_USAGE', `--format must be one of ${LIVE_OUTPUT_FORMATS.join(', ')} for live capture`);
  }
  if (req.user !== undefined && !/^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*\$?$/.test(req.user)) {
    throw new AmtwatchError('AMTW_USAGE', `--user: not a user name: ${JSON.stringify(req.user)}`);
  }
  const filter = req.filter !== undefined && req.filter.trim() !== '' ? req.filter.trim() : null;
  const policyRequest = Object.freeze({
    ...(req.authorized !== undefined ? { authorized: Object.freeze([...req.authorized]) } : {}),
    ...(req.amtHosts !== undefined ? { amtHosts: Object.freeze([...req.amtHosts]) } : {}),
    ...(req.config !== undefined ? { config: req.config } : {}),
  });
  const { policy, source } = buildPolicy(policyRequest);
  const snaplen = intIn(req.snaplen, LIVE_DEFAULTS.snaplen, 64, 262_144, '--snaplen', 'bytes');
  const bufferMiB = intIn(req.bufferSizeMiB, LIVE_DEFAULTS.bufferMiB, 1, 2047, '--buffer-size', 'MiB');
  const timeoutMs = intIn(req.timeoutMs, LIVE_DEFAULTS.timeoutMs, 1, 1000, '--timeout', 'milliseconds');
  const interimS = intIn(req.interimS, LIVE_DEFAULTS.interimS, 1, 86_400 * 365, '--interim', 'seconds');
  const statsS = intIn(req.statsIntervalS, LIVE_DEFAULTS.statsIntervalS, 1, 86_400, '--stats-interval', 'seconds');
  const noticeRate = intIn(req.noticeRate, LIVE_DEFAULTS.noticeRate, 0, 1_000_000, '--notice-rate', 'notices per second');
  const outMiB = intIn(req.outputBufferMiB, LIVE_DEFAULTS.outputBufferMiB, 1, 1024, '--output-buffer', 'MiB');
  const limits: Limits = Object.freeze({ ...DEFAULT_LIMITS, maxSessions: req.maxSessions ?? LIVE_DEFAULTS.maxSessions });
  const toTerminal = req.output === undefined && env.stdoutIsTTY;
  return Object.freeze({
    interfaces: Object.freeze([...req.interfaces]),
    promisc: req.promisc ?? true,
    snaplen,
    bufferBytes: bufferMiB * 1024 * 1024,
    timeoutMs,
    filter,
    interimUs: interimS * 1_000_000,
    statsIntervalUs: statsS * 1_000_000,
    user: req.user ?? null,
    output: req.output ?? null,
    format: req.format ?? (toTerminal ? 'text' : 'ndjson'),
    color: (req.color ?? true) && toTerminal && !env.noColor,
    policy,
    policySource: source,
    policyRequest,
    limits,
    noticeRate,
    outputBufferBytes: outMiB * 1024 * 1024,
    batchBytes: Math.max(LIVE_DEFAULTS.batchBytes, snaplen + 64),
    maxBatchPackets: LIVE_DEFAULTS.maxBatchPackets,
    uidSeed: req.uidSeed ?? 'amtwatch-live',
    extract: req.extract ?? false,
    extendedPorts: req.extendedPorts ?? false,
  });
}

/** SIGHUP: the policy again from the same file and flags. Throws AmtwatchError (the caller keeps the old one). */
export function reloadLivePolicy(cfg: LiveConfig): { policy: PolicyConfig; source: string } {
  return buildPolicy(cfg.policyRequest);
}
