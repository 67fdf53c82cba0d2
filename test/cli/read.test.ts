/**
 * The built binary, spawned as a user would run it: outputs, one-line errors, exit codes.
 * Exit codes: 0 no unauthorized session, 1 unauthorized found, 2 usage/config, 3 unreadable input.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PCAPS, ROOT } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/amtwatch.mjs');
const SYN = join(PCAPS, 'synthetic');
const tmp = mkdtempSync(join(tmpdir(), 'amtw-cli-'));

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'buffer', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

const ndjson = (s: string) => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const stats = (s: string) => ndjson(s).find((l) => l.event_type === 'stats') as Record<string, unknown>;
/** stderr lines a person sees (pino JSON lines carry their msg). */
const errLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.startsWith('{') ? String((JSON.parse(l) as { msg: string }).msg) : l));

describe('amtwatch read', () => {
  it('--version and --help', () => {
    const v = run(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const h = run(['read', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Examples:');
    expect(h.out).toContain('--authorized <cidrs>');
    expect(h.out).toContain('Exit codes:');
  });

  it('reports unauthorized sessions as NDJSON with exit 1, and says once that no policy was given', () => {
    const r = run(['read', join(SYN, 'conn-states.pcap')]);
    expect(r.code).toBe(1);
    const lines = ndjson(r.out);
    expect(lines.filter((l) => l.event_type === 'conn')).toHaveLength(15);
    expect(lines.filter((l) => l.note === 'amt.unauthorized_session')).toHaveLength(15);
    expect(lines.at(-1)?.event_type).toBe('stats');
    const warn = errLines(r.err).filter((l) => l.includes('no authorized management consoles'));
    expect(warn).toHaveLength(1);
  });

  it('exit 0 when every session is authorized', () => {
    const r = run(['read', '--authorized', '10.0.0.0/16', join(SYN, 'pcap-nanosecond.pcap')]);
    expect(r.code).toBe(0);
    const c = ndjson(r.out).filter((l) => l.event_type === 'conn');
    expect(c.length).toBeGreaterThan(0);
    expect(c.every((l) => l.authorized === true)).toBe(true);
  });

  it('reads standard input with `-` and with `-r -`, gzip by magic', () => {
    const data = readFileSync(join(SYN, 'gzip-pcapng.pcapng.gz'));
    for (const args of [['read', '-'], ['-r', '-'], ['read', '-r', '-']]) {
      const r = run([...args, '--authorized', '10.0.0.50'], data);
      expect(r.code, args.join(' ')).toBe(0);
      const s = stats(r.out);
      expect(s.frames).toBe(8);
      expect(s.amt_sessions).toBe(1);
      expect((s.file_details as { file: string; compressed: boolean }[])[0]).toMatchObject({ file: 'stdin', compressed: true });
    }
  });

  it('many files in one run, and folders', () => {
    const r = run(['read', join(SYN, 'pcap-nanosecond.pcap'), join(SYN, 'pcap-bigendian.pcap')]);
    expect(stats(r.out).files).toBe(2);
    const d = run(['read', SYN]);
    const s = stats(d.out);
    expect(s.files).toBeGreaterThan(20);
    // inside a folder, files that are not captures (the empty file, the text file) are skipped
    expect(d.code).toBe(1);
    expect((s.file_details as { file: string }[]).some((x) => x.file.endsWith('empty.pcap'))).toBe(false);
  });

  it('a truncated file is a warning with file, frame and offset; every frame before it is reported', () => {
    const r = run(['read', join(SYN, 'truncated-record.pcap')]);
    expect(r.code).toBe(1);
    const s = stats(r.out);
    expect(s.frames).toBe(7);
    const errs = s.input_errors as { file: string; frame: number; offset: number; code: string; fatal: boolean }[];
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ frame: 8, fatal: true });
    expect(errs[0]?.offset).toBeGreaterThan(24);
    const w = errLines(r.err).filter((l) => l.includes('truncated-record.pcap'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/frame 8, byte offset \d+/);
  });

  it('a corrupt record length stops that file with an error but keeps what came before', () => {
    const r = run(['read', join(SYN, 'corrupt-caplen.pcap')]);
    expect(stats(r.out).frames).toBe(5);
    expect(errLines(r.err).some((l) => /corrupt-caplen\.pcap: frame 6/.test(l))).toBe(true);
  });

  it('an unreadable input: one line, exit 3, stats still written; other inputs still read', () => {
    const r = run(['read', join(tmp, 'missing.pcap'), join(SYN, 'pcap-nanosecond.pcap')]);
    expect(r.code).toBe(3);
    const lines = errLines(r.err).filter((l) => l.includes('missing.pcap'));
    expect(lines).toHaveLength(1);
    expect(stats(r.out).frames).toBe(8);
    for (const f of ['not-a-capture.txt', 'empty.pcap']) {
      const g = run(['read', join(SYN, f)]);
      expect(g.code, f).toBe(3);
      expect(errLines(g.err).filter((l) => l.includes(f)), f).toHaveLength(1);
    }
  });

  it('usage errors: one line, exit 2', () => {
    const cases: string[][] = [
      ['read', '--format', 'xml', join(SYN, 'loop.pcap')],
      ['read', '--bogus', join(SYN, 'loop.pcap')],
      ['read'],
      ['read', '--authorized', '10.0.0.300', join(SYN, 'loop.pcap')],
      ['read', '--max-sessions', '0', join(SYN, 'loop.pcap')],
      ['frobnicate'],
    ];
    for (const c of cases) {
      const r = run(c);
      expect(r.code, c.join(' ')).toBe(2);
      expect(r.out, c.join(' ')).toBe('');
      const lines = r.err.split('\n').filter((l) => l !== '');
      expect(lines, c.join(' ')).toHaveLength(1);
      expect(lines[0], c.join(' ')).toMatch(/^amtwatch: /);
    }
  });

  it('a bad policy file: one line naming the field, exit 2', () => {
    const p = join(tmp, 'bad.yaml');
    writeFileSync(p, 'authorized:\n  - 192.0.2.5\n  - not-an-address\n');
    const r = run(['read', '--config', p, join(SYN, 'loop.pcap')]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`amtwatch: ${p}: authorized[1]: 'not-an-address' is not an IPv4 or IPv6 address`);
    expect(r.out).toBe('');
  });

  it('-w writes records to a file; an unwritable output is exit 2', () => {
    const o = join(tmp, 'out.ndjson');
    const r = run(['read', '-w', o, join(SYN, 'loop.pcap')]);
    expect(r.out).toBe('');
    expect(stats(readFileSync(o, 'utf8')).frames).toBe(16);
    const bad = run(['read', '-w', join(tmp, 'no/such/dir/out'), join(SYN, 'loop.pcap')]);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toMatch(/^amtwatch: .*cannot open the output file/);
  });

  it('a failing output (a full disk): one line, exit 2, and it never hangs', () => {
    for (const args of [['-f', 'csv'], ['-w', '/dev/full']]) {
      const r = spawnSync('bash', ['-c', `${process.execPath} ${BIN} read -q ${args.join(' ')} ${join(SYN, 'loop.pcap')} >/dev/full`], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.signal, args.join(' ')).toBe(null); // not killed by the timeout
      expect(r.status, args.join(' ')).toBe(2);
      expect(errLines(r.stderr)).toEqual(['output failed (ENOSPC: no space left on device, write): the records from then on are lost']);
    }
  });

  it('-w naming an input is refused before anything is written (the capture is evidence)', () => {
    const d = mkdtempSync(join(tmp, 'w-'));
    const p = join(d, 'ev.pcap');
    const bytes = readFileSync(join(SYN, 'loop.pcap'));
    writeFileSync(p, bytes);
    for (const input of [p, d]) {
      const r = run(['read', '-w', p, input]);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toBe(`amtwatch: -w ${p}: that is an input (${p}); writing would destroy it before it is read`);
      expect(readFileSync(p).equals(bytes)).toBe(true);
    }
  });

  it('a folder: what cannot be opened and a folder without captures are reported, exit 3, even with -q', () => {
    const d = mkdtempSync(join(tmp, 'f-'));
    writeFileSync(join(d, 'a.pcap'), readFileSync(join(SYN, 'loop.pcap')));
    writeFileSync(Buffer.concat([Buffer.from(`${d}/b`), Buffer.from([0xff]), Buffer.from('.pcap')]), readFileSync(join(SYN, 'loop.pcap')));
    symlinkSync(join(d, 'gone.pcap'), join(d, 'c.pcap'));
    writeFileSync(join(d, 'notes.txt'), 'not a capture');
    const r = run(['read', '-q', d]);
    expect(r.code).toBe(3);
    expect(errLines(r.err)).toEqual([
      `${d}/b\u{fffd}.pcap: cannot open: the file name is not valid UTF-8; rename the file`,
      `${d}/c.pcap: cannot open: no such file (a dangling link?)`,
    ]);
    expect(stats(r.out)).toMatchObject({ files: 3, frames: 16, input_errors_total: 2 });
    const empty = mkdtempSync(join(tmp, 'e-'));
    writeFileSync(join(empty, 'notes.txt'), 'not a capture');
    const e = run(['read', '-q', empty]);
    expect(e.code).toBe(3);
    expect(errLines(e.err)).toEqual([`${empty}: no capture file in this folder (nothing with a pcap, pcapng or gzip magic)`]);
    // a capture in a compression amtwatch does not read: said, with what to do, named or in a folder
    const bz = mkdtempSync(join(tmp, 'bz-'));
    writeFileSync(join(bz, 'c.pcap.bz2'), Buffer.from('BZh91AY&SY fake bzip2 stream'));
    const hint = 'unknown format: the input is bzip2-compressed, which amtwatch does not decompress (only gzip); try: bzcat FILE | amtwatch read -';
    const z = run(['read', '-q', bz]);
    expect(z.code).toBe(3);
    expect(errLines(z.err)).toEqual([`${bz}/c.pcap.bz2: ${hint}`]);
    expect(errLines(run(['read', '-q', join(bz, 'c.pcap.bz2')]).err)).toEqual([`${bz}/c.pcap.bz2: byte offset 0: ${hint}`]);
    const m = run(['read', '-q', join(tmp, 'missing.pcap')]);
    expect(m.code).toBe(3);
    expect(errLines(m.err)).toEqual([`${join(tmp, 'missing.pcap')}: byte offset 0: cannot open: no such file`]);
  });

  it('control characters in file names and policy values are escaped on standard error', () => {
    const name = join(tmp, 'x\x1b]0;TITLE\x07\x1b[31mred.pcap');
    const r = run(['read', '--log-format', 'text', name]);
    expect(r.code).toBe(3);
    expect(r.err).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.err).toContain('x\\x1b]0;TITLE\\x07\\x1b[31mred.pcap');
    const p = join(tmp, 'esc.yaml');
    writeFileSync(p, 'authorized: ["\\e[31m1.2.3.4"]\n');
    const c = run(['check-policy', p]);
    expect(c.code).toBe(2);
    expect(c.err).not.toMatch(/\x1b/);
    expect(c.err).toContain('\\x1b[31m1.2.3.4');
  });

  it('csv, json and text formats', () => {
    const f = join(SYN, 'conn-states.pcap');
    const csv = run(['read', '-f', 'csv', f]).out.trim().split('\n');
    expect(csv[0]?.startsWith('event_type,ts,uid,id.orig_h')).toBe(true);
    expect(csv).toHaveLength(16);
    const json = JSON.parse(run(['read', '-f', 'json', f]).out) as { conn: unknown[]; notice: unknown[]; stats: { frames: number } };
    expect(json.conn).toHaveLength(15);
    expect(json.stats.frames).toBe(74);
    const text = run(['read', '-f', 'text', f]).out;
    expect(text).toContain('UNAUTHORIZED AMT SESSIONS (15)');
    expect(text).not.toMatch(/\x1b/);
  });

  it('a file without read permission is unreadable (skipped as root, who can read anything)', () => {
    if (process.getuid?.() === 0) return;
    const p = join(tmp, 'noperm.pcap');
    writeFileSync(p, readFileSync(join(SYN, 'loop.pcap')));
    chmodSync(p, 0o000);
    const r = run(['read', p]);
    expect(r.code).toBe(3);
  });
});

describe('amtwatch check-policy', () => {
  it('valid and invalid files', () => {
    const good = join(tmp, 'good.yaml');
    writeFileSync(good, 'authorized: [192.0.2.5]\namt_hosts: [192.0.2.0/28]\n');
    const g = run(['check-policy', good]);
    expect(g.code).toBe(0);
    expect(g.out).toContain('authorized consoles: 192.0.2.5');
    expect(g.out).toContain('thresholds: bruteforce_failures 5, bruteforce_window 300, scan_hosts 8, scan_failed_attempts 10, scan_window 300');
    const none = join(tmp, 'none.yaml');
    writeFileSync(none, 'amt_hosts:\n');
    expect(run(['check-policy', none]).out).toContain('AMT inventory: (empty: every AMT responder is a rogue device)');
    const bad = join(tmp, 'bad2.yaml');
    writeFileSync(bad, 'amt_host: []\n');
    const b = run(['check-policy', bad]);
    expect(b.code).toBe(2);
    expect(b.err.trim()).toBe(`amtwatch: ${bad}: amt_host: unknown field (expected one of: authorized, amt_hosts, thresholds)`);
    // an alias expansion bomb: yaml refuses it; one line, exit 2
    const bomb = join(tmp, 'bomb.yaml');
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (const [i, k] of ['b', 'c', 'd', 'e', 'f'].entries()) levels.push(`${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(',')}]`);
    writeFileSync(bomb, `${levels.join('\n')}\nauthorized: [*f]\n`);
    const x = run(['check-policy', bomb]);
    expect(x.code).toBe(2);
    expect(x.err.trim()).toBe(`amtwatch: ${bomb}: Excessive alias count indicates a resource exhaustion attack`);
  });
});

describe('a reader that goes away early (| head)', () => {
  /** Runs `amtwatch ARGS | head -c 1` in bash; the amtwatch exit code and its standard error. */
  function piped(args: string) {
    const r = spawnSync('bash', ['-c', `${process.execPath} ${BIN} ${args} 2>"$E" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, E: join(tmp, 'pipe.err') },
    });
    return { code: Number(r.stdout.trim()), err: readFileSync(join(tmp, 'pipe.err'), 'utf8') };
  }
  it('help ends quietly with 0', () => {
    expect(piped('--help')).toEqual({ code: 0, err: '' });
    expect(piped('read --help')).toEqual({ code: 0, err: '' });
  });
  it('records: no stack trace, the verdict exit code stays', () => {
    const r = piped(`read -f ndjson --config ${join(PCAPS, 'lab/amtwatch.yaml')} ${join(PCAPS, 'lab')}`);
    expect(r.err).not.toMatch(/EPIPE|node:|at /);
    expect(r.code).toBe(1);
  });
});

describe('the executable', () => {
  it('runs as a command through its first line (env -S node with the young-generation flag)', () => {
    expect(readFileSync(BIN, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env -S node --max-semi-space-size=8');
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const e = spawnSync(BIN, ['read', '-f', 'ndjson', '-'], { input: Buffer.alloc(0), encoding: 'utf8', timeout: 30_000 });
    expect(e.status).toBe(3); // empty standard input: not a capture
  });
});
