/**
 * Network-namespace lab for the live tests: uniquely named namespaces (amtw-t-<pid>-<n>) joined by veth
 * pairs, child processes started inside them, and a cleanup that deletes every namespace and kills
 * every child even when an assertion failed (call lab.cleanup() in afterAll; it is idempotent).
 * Traffic stays inside the namespaces the tests create; addresses are documentation prefixes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/amtwatch.mjs');
export const ADDON = join(ROOT, 'build/Release/amtwatch_pcap.node');

/** Why the namespace tests cannot run here, or null. (A missing addon is a failure, not a skip.) */
export function liveSkipReason(): string | null {
  if (process.platform !== 'linux') return 'live capture tests need Linux';
  if (process.getuid?.() !== 0) return 'live capture tests need root (network namespaces, packet sockets); CI runs them as root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns is unavailable: ${(r.stderr || String(r.error)).trim()}`;
  for (const tool of ['tcpreplay', 'tcpdump']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (bash .ci/setup installs it)`;
  }
  return null;
}

export function requireAddon(): void {
  if (!existsSync(ADDON)) throw new Error(`the live-capture addon is not built (${ADDON}): run npm run build:addon (needs libpcap-dev)`);
}

export function sh(cmd: string, args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  if (!opts.allowFail && r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || String(r.error)}`);
  }
  return r.stdout ?? '';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let seq = 0;

/** A line-oriented child process: stdout lines (NDJSON parsed when possible), stderr text, exit. */
export class Proc {
  readonly lines: string[] = [];
  readonly records: Record<string, unknown>[] = [];
  readonly lineTimes: number[] = [];
  stderr = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (l) => {
        const t = Date.now();
        this.lines.push(l);
        this.lineTimes.push(t);
        try {
          const o = JSON.parse(l) as Record<string, unknown>;
          (o as { __readAt?: number }).__readAt = t;
          this.records.push(o);
        } catch {
          // not NDJSON (text format, READY lines)
        }
        this.wake();
      });
    }
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString('utf8');
      this.wake();
    });
    this.exited = new Promise((res) => {
      child.on('exit', (code, sig) => {
        this.exitCode = code;
        this.signal = sig;
        this.wake();
        res();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === null && this.signal === null;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `pred()` holds; rejects after `timeoutMs` with `what` and the process's stderr. */
  async waitFor(what: string, pred: () => boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  byType(t: string): Record<string, unknown>[] {
    return this.records.filter((r) => r.event_type === t);
  }

  kill(sig: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(sig);
  }
}

export class Lab {
  readonly namespaces: string[] = [];
  readonly procs: Proc[] = [];
  private cleaned = false;

  /** A new namespace with loopback up. */
  ns(): string {
    const name = `amtw-t-${process.pid}-${++seq}`;
    sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /**
   * A veth pair between namespaces a and b; returns the interface names. Addresses are optional
   * (CIDR). Offloads stay at their defaults.
   */
  link(a: string, b: string, opts: { addrA?: string; addrB?: string; mtu?: number } = {}): { ifA: string; ifB: string } {
    const k = ++seq;
    const ifA = `aw${k}a`;
    const ifB = `aw${k}b`;
    sh('ip', ['link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
    for (const [ns, itf, addr] of [
      [a, ifA, opts.addrA],
      [b, ifB, opts.addrB],
    ] as const) {
      if (opts.mtu !== undefined) sh('ip', ['-n', ns, 'link', 'set', itf, 'mtu', String(opts.mtu)]);
      if (addr !== undefined) sh('ip', ['-n', ns, 'addr', 'add', addr, 'dev', itf, ...(addr.includes(':') ? ['nodad'] : [])]);
      sh('ip', ['-n', ns, 'link', 'set', itf, 'up']);
    }
    return { ifA, ifB };
  }

  /** Starts `cmd args` inside namespace `ns` (ip netns exec execs it: the child's pid is the command's). */
  start(ns: string | null, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
    const argv = ns === null ? [cmd, ...args] : ['ip', 'netns', 'exec', ns, cmd, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const p = new Proc(child);
    this.procs.push(p);
    return p;
  }

  /** amtwatch live in `ns`, NDJSON on stdout, JSON logs on stderr; resolves once it is listening. */
  async live(ns: string, args: string[], opts: { env?: NodeJS.ProcessEnv; node?: string[] } = {}): Promise<Proc> {
    const p = this.start(ns, process.execPath, [...(opts.node ?? []), CLI, 'live', '--log-format', 'json', ...args], opts.env);
    await p.waitFor('amtwatch live to start listening', () => p.stderr.includes('listening on') || !p.running, 20_000);
    if (!p.running) throw new Error(`amtwatch live exited with ${p.exitCode}: ${p.stderr}`);
    return p;
  }

  /** Sends `sig` and waits for the exit (SIGKILL after `timeoutMs`). */
  async stop(p: Proc, sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    p.kill(sig);
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    await p.exited;
    clearTimeout(t);
  }

  /** Kills every child still running and deletes every namespace. Never throws. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const p of this.procs) p.kill('SIGTERM');
    await Promise.race([Promise.all(this.procs.map((p) => p.exited)), sleep(3000)]);
    for (const p of this.procs) p.kill('SIGKILL');
    await Promise.race([Promise.all(this.procs.map((p) => p.exited)), sleep(2000)]);
    for (const ns of this.namespaces) {
      // processes still inside (grandchildren) go with the namespace's pids
      const pids = sh('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter((x) => /^\d+$/.test(x));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      sh('ip', ['netns', 'del', ns], { allowFail: true });
    }
  }
}

/** tcpreplay of `pcap` out of `iface` in namespace `ns` (bounded). */
export function replay(ns: string, iface: string, pcap: string, rate: string[] = ['--topspeed']): string {
  return sh('ip', ['netns', 'exec', ns, 'tcpreplay', '-q', '-i', iface, ...rate, pcap], { timeoutMs: 120_000 });
}

/** Resident set size of a process in KiB (0 when gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** A record without its uid and timing fields, as a canonical string (for live vs read comparisons). */
export function comparable(r: Record<string, unknown>): string {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'uid' || k === 'ts' || k === 'duration' || k === '__readAt' || k.endsWith('_ts')) continue;
    c[k] = v;
  }
  return JSON.stringify(c);
}

/** `amtwatch read` on a capture: its records (NDJSON). */
export function readRecords(args: string[]): Record<string, unknown>[] {
  const r = spawnSync(process.execPath, [CLI, 'read', '--format', 'ndjson', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`amtwatch read failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function multiset(recs: Record<string, unknown>[]): string[] {
  return recs.map(comparable).sort();
}
