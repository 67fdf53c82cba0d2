/**
 * Privilege and error paths of `amtwatch live`, and `amtwatch interfaces`:
 *   --user nobody really leaves the process unprivileged while capture continues;
 *   no root and no CAP_NET_RAW -> one line naming what is missing and the setcap command, exit 4;
 *   unknown interface -> one line with the interface list, exit 2; bad --filter -> exit 2;
 *   no addon (or no libpcap) -> live and interfaces say what to install (exit 5), read still works.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Lab, ROOT, liveSkipReason, replay, requireAddon, sh } from './helpers.js';

const skip = liveSkipReason();

function statusField(pid: number, field: string): string {
  const m = new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return (m?.[1] ?? '').trim();
}

describe.skipIf(skip !== null)(`live capture privileges and errors${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const lab = new Lab();
  let inj = '';
  let cap = '';
  let ifA = '';
  let ifB = '';

  beforeAll(() => {
    requireAddon();
    inj = lab.ns();
    cap = lab.ns();
    ({ ifA, ifB } = lab.link(inj, cap, { addrB: '192.0.2.10/24' }));
    sh('ip', ['-n', cap, 'addr', 'add', '2001:db8:1::10/64', 'dev', ifB, 'nodad']);
  });
  afterAll(() => lab.cleanup());

  const run = (args: string[]) => spawnSync('ip', ['netns', 'exec', cap, process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

  it('--user nobody: uid, gid, groups and capabilities are dropped once the interface is open, and capture goes on', async () => {
    const live = await lab.live(cap, ['-i', ifB, '--user', 'nobody', '--authorized', '192.0.2.5']);
    const pid = live.pid;
    expect(statusField(pid, 'Uid').split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
    const nogroup = sh('getent', ['passwd', 'nobody']).split(':')[3] as string;
    expect(statusField(pid, 'Gid').split(/\s+/)).toEqual([nogroup, nogroup, nogroup, nogroup]);
    expect(statusField(pid, 'CapEff')).toBe('0000000000000000');
    expect(statusField(pid, 'CapPrm')).toBe('0000000000000000');
    expect(statusField(pid, 'Groups').split(/\s+/).filter((g) => g !== '' && g !== nogroup)).toEqual([]);
    expect(live.stderr).toContain('running as nobody');
    replay(inj, ifA, join(ROOT, 'pcaps/lab/curl-digest-bad.pcap'), ['--pps', '1000']);
    await live.waitFor('a notice captured after the drop', () => live.byType('notice').length > 0, 10_000);
    await lab.stop(live);
    expect(live.exitCode).toBe(0);
  });

  it('without root and without CAP_NET_RAW: one line saying so and how to grant it, exit 4', () => {
    // uid 65534 must be able to read the program: the checkout may sit in a directory only root can
    // enter (CI clones into a mkdtemp folder, mode 0700), so run a world-readable copy of it
    const dir = mkdtempSync(join(tmpdir(), 'amtw-unpriv-'));
    try {
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, 'dist'));
      mkdirSync(join(dir, 'build/Release'), { recursive: true });
      // the executable and the command bundle it loads (with its code cache when built)
      for (const f of ['amtwatch.mjs', 'amtwatch-main.cjs', 'amtwatch-main.cache']) {
        if (existsSync(join(dirname(CLI), f))) cpSync(join(dirname(CLI), f), join(dir, 'dist', f));
      }
      cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      cpSync(join(ROOT, 'build/Release/amtwatch_pcap.node'), join(dir, 'build/Release/amtwatch_pcap.node'));
      for (const d of ['dist', 'build', 'build/Release']) chmodSync(join(dir, d), 0o755);
      const r = spawnSync(
        'ip',
        ['netns', 'exec', cap, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, join(dir, 'dist/amtwatch.mjs'), 'live', '-i', ifB],
        { encoding: 'utf8', timeout: 30_000, cwd: dir },
      );
      expect(r.status).toBe(4);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities');
      expect(lines[0]).toContain('setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown interface: one line with the list of interfaces, exit 2', () => {
    const r = run(['live', '-i', 'eth9']);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`no such capture interface: eth9 \\(interfaces: .*${ifB}.*\\)`));
  });

  it('a bad --filter: libpcap says why, exit 2', () => {
    const r = run(['live', '-i', ifB, '--filter', 'tcp prot 80']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^amtwatch: --filter "tcp prot 80": .*syntax error/);
    const ok = run(['live', '-i', ifB, '--filter', 'host 192.0.2.10', '--timeout', '5000']);
    expect(ok.status).toBe(2); // --timeout out of range, but the filter itself was accepted
    expect(ok.stderr).toContain('--timeout must be');
  });

  it('amtwatch interfaces: names, addresses, description and flags as text and JSON', () => {
    const text = run(['interfaces']);
    expect(text.status).toBe(0);
    const row = text.stdout.split('\n').find((l) => l.startsWith(`${ifB} `)) ?? '';
    expect(row).toMatch(/up,running/);
    expect(row).toContain('192.0.2.10/24');
    expect(row).toContain('2001:db8:1::10/64');
    expect(text.stdout.split('\n').find((l) => l.startsWith('lo '))).toMatch(/up,running,loopback\s+127\.0\.0\.1\/8 ::1\/128/);
    const json = run(['interfaces', '--format', 'json']);
    expect(json.status).toBe(0);
    const list = JSON.parse(json.stdout) as { name: string; up: boolean; loopback: boolean; description: string | null; addresses: { addr: string; prefix: number }[] }[];
    const me = list.find((d) => d.name === ifB);
    expect(me).toMatchObject({ up: true, loopback: false });
    expect(me?.addresses.map((a) => `${a.addr}/${a.prefix}`)).toEqual(expect.arrayContaining(['192.0.2.10/24', '2001:db8:1::10/64']));
    expect(list.find((d) => d.name === 'any')?.description).toMatch(/all interfaces/);
  });
});

describe('without the live-capture addon', () => {
  let dir = '';
  beforeAll(() => {
    // a copy of the built program without build/ (as on a machine where the addon could not be built)
    dir = mkdtempSync(join(tmpdir(), 'amtw-noaddon-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[]) => spawnSync(process.execPath, [join(dir, 'dist/amtwatch.mjs'), ...args], { encoding: 'utf8', timeout: 30_000 });

  it('live and interfaces say what to install (exit 5); read still works', () => {
    for (const args of [['live', '-i', 'lo'], ['interfaces']]) {
      const r = cli(args);
      expect(r.status).toBe(5);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/live capture is unavailable: the live-capture addon is not built .*libpcap-dev.*npm rebuild amtwatch/);
    }
    const r = cli(['read', '--config', join(ROOT, 'pcaps/lab/amtwatch.yaml'), '--format', 'ndjson', join(ROOT, 'pcaps/lab/curl-digest-bad.pcap')]);
    expect(r.status).toBe(1); // unauthorized sessions found
    expect(r.stdout).toContain('"event_type":"conn"');
  });
});
