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
import { readFileSync } from 'node:fs';
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

/** Reads and validates a policy file. Throws AmtwatchError (exit 2) with one line naming the problem. */
export function loadPolicyFile(path: string): PolicyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
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
  return validatePolicyDocument(doc.toJS(), path);
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
  });
}
