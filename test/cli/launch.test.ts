/**
 * The executable's launcher (src/cli/launch.ts, src/cli/first-capture.ts): the guess of the first
 * capture, the early prefilter walk it starts (whatever the guess, the output is the one of a run
 * without the prefilter), and the V8 code cache the build writes for the command bundle.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstCapture } from '../../src/cli/first-capture.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { writePcap, writePcapng } from '../../pcaps/gen/lib/pcap-writer.js';
import { mix } from '../helpers/mix.js';
import { PCAPS, ROOT } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/amtwatch.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'amtw-launch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('firstCapture: the launcher guesses the first capture of a read command line', () => {
  it.each([
    [['read', 'a.pcap', 'b.pcap'], { path: 'a.pcap', extendedPorts: false }],
    [['-r', 'a.pcap'], { path: 'a.pcap', extendedPorts: false }],
    [['--read=a.pcap'], { path: 'a.pcap', extendedPorts: false }],
    [['read', '-c', 'policy.yaml', '-w', 'out.ndjson', 'a.pcap'], { path: 'a.pcap', extendedPorts: false }],
    [['read', '--authorized', '10.0.0.1', '--max-sessions', '10', '-f', 'csv', 'a.pcap'], { path: 'a.pcap', extendedPorts: false }],
    [['read', 'a.pcap', '--extended-ports'], { path: 'a.pcap', extendedPorts: true }],
    [['read', '-q', '--', '-odd-name.pcap'], { path: '-odd-name.pcap', extendedPorts: false }],
    [['read', '-r', 'x.pcap', 'y.pcap'], { path: 'x.pcap', extendedPorts: false }],
  ])('%j -> %j', (args, want) => {
    expect(firstCapture(args)).toEqual(want);
  });

  it.each([[[]], [['live', '-i', 'eth0']], [['check-policy', 'p.yaml']], [['read', '-']], [['read', '-c', 'p.yaml']], [['--version']]])(
    '%j -> nothing to start',
    (args) => {
      expect(firstCapture(args)).toBeNull();
    },
  );
});

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The records without what differs between any two runs (elapsed time, memory). */
const stable = (s: string) => s.replace(/"elapsed_s":[0-9.]+/g, '"elapsed_s":0').replace(/"mem_rss_bytes":[0-9]+/g, '"mem_rss_bytes":0');

describe('the executable: with or without the early prefilter walk, the same records', () => {
  const lab = join(PCAPS, 'lab');
  const a = join(lab, 'curl-digest-bad.pcap');
  const b = join(PCAPS, 'synthetic/truncated-record.pcap');
  const policy = join(lab, 'amtwatch.yaml');
  it.each([
    ['read', '-f', 'ndjson', a],
    ['-r', a, '-f', 'ndjson'],
    ['read', '-f', 'ndjson', '--extended-ports', a],
    ['read', '-f', 'ndjson', '-c', policy, a, b],
    ['read', '-f', 'ndjson', b, a],
    ['read', '-f', 'csv', '--', a],
  ])('%s %s %s %s', (...args: string[]) => {
    const js = run(args, { AMTWATCH_PREFILTER: '0' });
    const pf = run(args);
    expect(pf.code).toBe(js.code);
    expect(stable(pf.out)).toBe(stable(js.out));
    expect(pf.err.replace(/"time":"[^"]*"/g, '')).toBe(js.err.replace(/"time":"[^"]*"/g, ''));
  });

  it('a capture larger than the read buffer (walked, early): the same records, errors and exit code, in every form', () => {
    const recs = mix(80_000, 50, 5_000);
    const big = join(tmp, 'big.pcap');
    const whole = writePcap(recs, { linkType: 1 });
    writeFileSync(big, whole.subarray(0, whole.length - 7)); // ends inside the last record
    const ng = join(tmp, 'big.pcapng');
    writeFileSync(ng, writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: recs.map((r) => ({ kind: 'epb' as const, iface: 0, tsNs: r.tsNs, data: r.data })) }]));
    expect(statSync(big).size).toBeGreaterThan(DEFAULT_LIMITS.readBufferBytes);
    for (const args of [
      ['read', '-f', 'ndjson', big],
      ['read', '-f', 'ndjson', '--extended-ports', ng, big],
      ['-r', ng, '-f', 'csv'],
    ]) {
      const js = run(args, { AMTWATCH_PREFILTER: '0' });
      const pf = run(args);
      expect(pf.code).toBe(js.code);
      expect(stable(pf.out)).toBe(stable(js.out));
      expect(pf.err.replace(/"time":"[^"]*"/g, '')).toBe(js.err.replace(/"time":"[^"]*"/g, ''));
    }
  });

  it('a FIFO named first is not opened by the launcher (which would wait for a writer): read as a stream', async () => {
    const fifo = join(tmp, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, 'read', '-f', 'ndjson', fifo], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    // the writer opens the FIFO only after amtwatch has had time to get past its launcher
    await new Promise((r) => setTimeout(r, 300));
    const w = spawn('sh', ['-c', `cat "${a}" > "${fifo}"`]);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      w.kill('SIGKILL');
    }, 30_000);
    const code = await done;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stable(out)).toBe(stable(run(['read', '-f', 'ndjson', a], { AMTWATCH_PREFILTER: '0' }).out).replaceAll(a, fifo));
  });
});

describe('the code cache written by the build', () => {
  it('exists beside the bundle and is accepted by this node with the executable flags', () => {
    const cache = join(ROOT, 'dist/amtwatch-main.cache');
    const bundle = join(ROOT, 'dist/amtwatch-main.cjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(cache)).toBe(true);
    expect(statSync(cache).size).toBeGreaterThan(100_000);
    // the flags of the executable's first line (V8 rejects a cache made under other flags)
    const flags = /^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(BIN, 'utf8'))?.[1]?.split(' ') ?? [];
    expect(flags).toEqual(['--max-semi-space-size=8']);
    const probe = `const fs=require('fs'),vm=require('vm');const s=new vm.Script('(function (exports, require, module, __filename, __dirname) {'+fs.readFileSync(${JSON.stringify(bundle)},'utf8')+'\\n})',{filename:${JSON.stringify(bundle)},cachedData:fs.readFileSync(${JSON.stringify(cache)})});process.stdout.write(String(s.cachedDataRejected))`;
    const withFlags = spawnSync(process.execPath, [...flags, '-e', probe], { encoding: 'utf8' });
    expect(withFlags.stdout).toBe('false');
  });
});
