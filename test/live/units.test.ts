/**
 * The live-capture pieces that need no network: the BPF text, the live configuration, the notice rate
 * limit, the bounded output, the lazy analyzer attachment, the addon's filter check and device list.
 * (Runs everywhere; the namespace tests are in the other files of this folder.)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLiveConfig, LIVE_DEFAULTS } from '../../src/app/config.js';
import { BoundedOutput, NoticeLimiter, NOTE_NOTICES_SUPPRESSED } from '../../src/app/live.js';
import { AMT_BPF, buildBpf, checkFilter, listDevices } from '../../src/io/live.js';
import type { NoticeRecord } from '../../src/records/index.js';
import { ADDON, ROOT } from './helpers.js';

const env = { stdoutIsTTY: false, stderrIsTTY: false, noColor: true };

describe('live configuration', () => {
  it('the kernel filter matches tagged and untagged AMT traffic, and --filter narrows it', () => {
    expect(buildBpf(null)).toBe('tcp portrange 16992-16995 or (vlan and tcp portrange 16992-16995)');
    expect(buildBpf('  ')).toBe(AMT_BPF);
    // the user's expression first, so its own `vlan 42` tests the outer tag (not a QinQ inner one)
    expect(buildBpf('net 192.0.2.0/24')).toBe(`(net 192.0.2.0/24) and (${AMT_BPF})`);
    // link types without 802.1Q (Linux cooked `any`, raw IP): no `vlan` keyword, which libpcap refuses there
    expect(buildBpf(null, false, false)).toBe('tcp portrange 16992-16995');
    expect(buildBpf('host 192.0.2.10', true, false)).toBe(
      '(host 192.0.2.10) and (tcp portrange 16992-16995 or tcp port 623 or tcp port 664 or udp port 623 or tcp port 5900)',
    );
  });

  it('defaults, and every bound checked with the flag named', () => {
    const c = buildLiveConfig({ interfaces: ['eth1'] }, env);
    expect(c).toMatchObject({
      promisc: true,
      snaplen: 262144,
      bufferBytes: 64 << 20,
      timeoutMs: 50,
      interimUs: 300e6,
      statsIntervalUs: 60e6,
      format: 'ndjson',
      user: null,
      filter: null,
      noticeRate: 100,
    });
    expect(c.limits.maxSessions).toBe(LIVE_DEFAULTS.maxSessions);
    expect(buildLiveConfig({ interfaces: ['eth1'] }, { ...env, stdoutIsTTY: true }).format).toBe('text');
    const bad: [object, RegExp][] = [
      [{ interfaces: [] }, /no interface/],
      [{ interfaces: ['eth1', 'eth1'] }, /given twice/],
      [{ interfaces: ['eth1'], snaplen: 10 }, /--snaplen/],
      [{ interfaces: ['eth1'], timeoutMs: 5000 }, /--timeout/],
      [{ interfaces: ['eth1'], bufferSizeMiB: 0 }, /--buffer-size/],
      [{ interfaces: ['eth1'], user: 'a b' }, /--user/],
      [{ interfaces: ['eth1'], format: 'csv' }, /--format/],
      [{ interfaces: ['eth1'], config: '/nonexistent.yaml' }, /cannot read the policy file/],
    ];
    for (const [req, re] of bad) {
      let err: unknown;
      try {
        buildLiveConfig(req as never, env);
      } catch (e) {
        err = e;
      }
      expect((err as { exitCode?: number })?.exitCode, JSON.stringify(req)).toBe(2);
      expect((err as Error).message).toMatch(re);
    }
  });
});

function notice(note: string, port: number): NoticeRecord {
  return {
    event_type: 'notice',
    ts: 1,
    uid: `C${port}`,
    'id.orig_h': Uint8Array.of(198, 51, 100, 7),
    'id.orig_p': port,
    'id.resp_h': Uint8Array.of(192, 0, 2, 10),
    'id.resp_p': 16992,
    vlan: null,
    note,
    msg: 'm',
    sub: null,
    src: null,
    n: null,
    reasons: ['client_not_authorized'],
  };
}

describe('notice rate limit', () => {
  it('passes the first N per second per note type, then counts and summarizes', () => {
    const out: NoticeRecord[] = [];
    const l = new NoticeLimiter(3, (n) => out.push(n));
    for (let i = 0; i < 10; i++) l.offer(notice('amt.unauthorized_session', 1000 + i));
    l.offer(notice('amt.cve_2017_5689_bypass', 2000)); // another note type is not silenced
    expect(out.map((n) => n['id.orig_p'])).toEqual([1000, 1001, 1002, 2000]);
    expect(l.roll(5_000_000)).toBe(7);
    const s = out.at(-1) as NoticeRecord;
    expect(s).toMatchObject({ note: NOTE_NOTICES_SUPPRESSED, n: 7, sub: 'amt.unauthorized_session', uid: 'C1009', 'id.orig_p': 1009, ts: 5_000_000 });
    out.length = 0;
    l.offer(notice('amt.unauthorized_session', 3000)); // a new second: passes again
    expect(out).toHaveLength(1);
    expect(l.roll(6_000_000)).toBe(0);
    const unlimited: NoticeRecord[] = [];
    const u = new NoticeLimiter(0, (n) => unlimited.push(n));
    for (let i = 0; i < 1000; i++) u.offer(notice('x.y', i));
    expect(unlimited).toHaveLength(1000);
  });
});

describe('bounded output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtw-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes through, drops and counts beyond the bound, never drops urgent records, appends, reopens', async () => {
    const path = join(dir, 'out.ndjson');
    const o = new BoundedOutput(path, 100);
    o.write('a'.repeat(60) + '\n');
    o.write('b'.repeat(60) + '\n'); // 122 > 100 while the first is still waiting: dropped
    o.writeUrgent('s'.repeat(60) + '\n');
    expect(o.dropped()).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    o.write('c\n'); // the queue has drained: accepted
    o.reopen();
    o.write('d\n');
    await o.close();
    expect(readFileSync(path, 'utf8')).toBe(`${'a'.repeat(60)}\n${'s'.repeat(60)}\nc\nd\n`);
    expect(o.failure()).toBeNull();
    const again = new BoundedOutput(path, 1000); // append, never truncate
    again.write('e\n');
    await again.close();
    expect(readFileSync(path, 'utf8').endsWith('d\ne\n')).toBe(true);
    expect(() => new BoundedOutput(join(dir, 'no/such/dir/x'), 10)).toThrow(/cannot open the output file/);
  });

  it('SIGHUPs during one write: the write finishes in the old file, no descriptor is left open, no line is split', async () => {
    const path = join(dir, 'rot.ndjson');
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const o = new BoundedOutput(path, 256 << 20);
    const big = `${'x'.repeat(48 << 20)}\n`; // one 48 MiB line: still in flight when the reopens come
    o.write(big);
    for (let i = 1; i <= 3; i++) {
      renameSync(path, `${path}.${i}`);
      o.reopen();
    }
    o.write('after\n');
    await o.close();
    expect(fds()).toBe(before);
    expect(statSync(`${path}.1`).size).toBe(big.length); // the whole line, in the file it started in
    expect(readFileSync(path, 'utf8')).toBe('after\n');
  });

  it('an output nobody reads at shutdown: after the close timeout the records left are counted and it is a failure', async () => {
    const fifo = join(dir, 'stalled.fifo');
    execFileSync('mkfifo', [fifo]);
    const rfd = openSync(fifo, 'r+'); // a reader that never reads: the pipe fills and the write blocks
    try {
      const o = new BoundedOutput(fifo, 64 << 20);
      for (let i = 0; i < 1000; i++) o.write(`${'r'.repeat(1023)}\n`);
      await o.close(); // ~5 s: CLOSE_TIMEOUT_MS
      expect(o.failure()?.message).toMatch(/^the output did not drain within 5000 ms: \d+ record\(s\) not written$/);
      const lost = Number(/: (\d+) record/.exec(o.failure()?.message ?? '')?.[1]);
      expect(lost).toBeGreaterThan(900); // at most the 64 KiB the pipe took got out
      expect(o.dropped()).toBe(lost);
    } finally {
      closeSync(rfd); // the blocked write ends (EPIPE)
    }
  }, 20_000);
});

describe.skipIf(!existsSync(ADDON))('the addon without privilege', () => {
  it('compiles filters without a device and lists devices', () => {
    expect(checkFilter(AMT_BPF)).toBeNull();
    expect(checkFilter('tcp prot 80')).toMatch(/syntax error/);
    // Linux cooked (`-i any`) and raw IP (tun) have no 802.1Q: the built-in program without `vlan` compiles there
    expect(checkFilter(AMT_BPF, 113)).toMatch(/VLAN/i);
    for (const dlt of [113, 276, 12]) expect(checkFilter(buildBpf('net 192.0.2.0/24', true, false), dlt), `dlt ${dlt}`).toBeNull();
    const devs = listDevices();
    const lo = devs.find((d) => d.name === 'lo');
    expect(lo).toMatchObject({ loopback: true, up: true });
    expect(lo?.addresses.some((a) => a.addr === '127.0.0.1' && a.netmask === '255.0.0.0')).toBe(true);
    expect(readFileSync(join(ROOT, 'src/io/native/LICENSE.cap'), 'utf8')).toContain('Copyright Brian White');
  });
});
