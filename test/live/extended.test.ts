/**
 * `amtwatch live --extended-ports` on a veth pair between two namespaces (C: clients 192.0.2.99 and
 * the console 192.0.2.5; S: the stand-in AMT server 192.0.2.10 with its RMCP responder on UDP 623,
 * pre-provisioning, and the AMT KVM server on TCP 5900):
 *   - the extended kernel filter compiles (also ANDed with --filter) and is the one installed;
 *   - a presence ping from a real client gets the stand-in's pong captured as rmcp records with the
 *     pong's facts, and amt.rogue_device / amt.unprovisioned_device notices;
 *   - a real VNC client (vncsnapshot) to the AMT KVM server on 5900 becomes an AMT session;
 *   - without the flag the same traffic never passes the kernel filter.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLiveConfig } from '../../src/app/config.js';
import { AMT_BPF, AMT_EXTENDED_BPF, buildBpf, checkFilter } from '../../src/io/live.js';
import { Lab, ROOT, liveSkipReason, requireAddon, sh } from './helpers.js';

const skip = liveSkipReason();
const SERVER = join(ROOT, 'pcaps/gen/amt-server.ts');
const PING = join(ROOT, 'pcaps/gen/real/rmcp-ping.ts');
const HAVE_VNCSNAPSHOT = spawnSync('sh', ['-c', 'command -v vncsnapshot && command -v vncpasswd'], { stdio: 'ignore' }).status === 0;

describe('live --extended-ports: the kernel filter (no network needed)', () => {
  it('adds TCP 623/664, UDP 623 and TCP 5900, tagged and untagged; --filter still ANDs', () => {
    expect(AMT_EXTENDED_BPF).toBe(
      'tcp portrange 16992-16995 or tcp port 623 or tcp port 664 or udp port 623 or tcp port 5900 or ' +
        '(vlan and (tcp portrange 16992-16995 or tcp port 623 or tcp port 664 or udp port 623 or tcp port 5900))',
    );
    expect(buildBpf(null, true)).toBe(AMT_EXTENDED_BPF);
    expect(buildBpf(null, false)).toBe(AMT_BPF);
    expect(buildBpf(' host 192.0.2.10 ', true)).toBe(`(host 192.0.2.10) and (${AMT_EXTENDED_BPF})`);
    expect(buildLiveConfig({ interfaces: ['eth1'], extendedPorts: true }, { stdoutIsTTY: false, stderrIsTTY: false, noColor: true }).extendedPorts).toBe(true);
    expect(buildLiveConfig({ interfaces: ['eth1'] }, { stdoutIsTTY: false, stderrIsTTY: false, noColor: true }).extendedPorts).toBe(false);
  });

  it.skipIf(skip !== null)('compiles (libpcap, Ethernet and with --filter)', () => {
    requireAddon();
    expect(checkFilter(AMT_EXTENDED_BPF)).toBeNull();
    expect(checkFilter(buildBpf('net 192.0.2.0/24', true))).toBeNull();
  });
});

describe.skipIf(skip !== null)(`live --extended-ports in namespaces${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const lab = new Lab();
  let C = '';
  let S = '';
  let capIf = '';
  let dir = '';
  let policy = '';

  beforeAll(async () => {
    requireAddon();
    dir = mkdtempSync(join(tmpdir(), 'amtw-ext-'));
    policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'authorized: [192.0.2.5]\namt_hosts: [192.0.2.11]\n'); // 192.0.2.10 is NOT in the inventory
    C = lab.ns();
    S = lab.ns();
    const { ifA, ifB } = lab.link(C, S, { addrA: '192.0.2.99/24', addrB: '192.0.2.10/24' });
    sh('ip', ['-n', C, 'addr', 'add', '192.0.2.5/24', 'dev', ifA]);
    capIf = ifB;
    const server = lab.start(S, process.execPath, [
      '--import', 'tsx', SERVER, '--bind', '192.0.2.10', '--firmware', '11.8.50.3425', '--rmcp', '623', '--rmcp-state', 'pre',
      '--kvm', '5900', '--kvm-password', 'Kvm-P4s!', '--quiet',
    ]);
    await server.waitFor('the AMT server', () => server.lines.some((l) => l.startsWith('READY')) || !server.running, 30_000);
    expect(server.running).toBe(true);
  });

  afterAll(async () => {
    await lab.cleanup();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const ping = (from: string) =>
    sh('ip', ['netns', 'exec', C, process.execPath, '--import', 'tsx', PING, '--timeout', '1500', '--bind', from, '192.0.2.10'], { timeoutMs: 30_000 });

  it('captures the UDP 623 pong of the stand-in server (rmcp records, rogue and unprovisioned notices) with the extended filter installed', async () => {
    const live = await lab.live(S, ['-i', capIf, '--config', policy, '--extended-ports', '--filter', 'host 192.0.2.10']);
    expect(live.stderr).toContain(`filter: (host 192.0.2.10) and (${AMT_EXTENDED_BPF})`);
    const out = ping('192.0.2.99');
    expect(out).toMatch(/^PONG 192\.0\.2\.10 tag=0 amt=11\.8 state=pre port=0/m);
    await live.waitFor('the pong record', () => live.byType('rmcp').some((r) => r.message_type === 'pong'), 10_000);
    await live.waitFor('the notices', () => live.byType('notice').length >= 2, 5_000);
    const recs = live.byType('rmcp');
    const pingRec = recs.find((r) => r.message_type === 'ping');
    const pong = recs.find((r) => r.message_type === 'pong') as Record<string, unknown>;
    expect(recs.map((r) => r.message_type)).toEqual(['ping', 'ack', 'pong']);
    expect([pong['id.orig_h'], pong['id.orig_p'], pong['id.resp_h'], pong.iana, pong.amt_version, pong.provisioning_state, pong.amt_port, pong.uid]).toEqual([
      '192.0.2.10', 623, '192.0.2.99', 343, '11.8', 'pre', 0, pingRec?.uid,
    ]);
    expect(live.byType('notice').map((n) => n.note).sort()).toEqual(['amt.rogue_device', 'amt.unprovisioned_device']);
    await lab.stop(live);
    expect(live.exitCode).toBe(0);
    const st = live.byType('stats').at(-1) as Record<string, unknown>;
    expect(st.amt_frames).toBe(3);
    expect(st.frames).toBe(3);
  });

  it.skipIf(!HAVE_VNCSNAPSHOT)('a real VNC client (vncsnapshot) to the AMT KVM server on 5900: an AMT session, noticed when the desktop name is seen', async () => {
    const live = await lab.live(S, ['-i', capIf, '--config', policy, '--extended-ports']);
    const pw = join(dir, 'kvm.passwd');
    writeFileSync(pw, spawnSync('vncpasswd', ['-f'], { input: 'Kvm-P4s!\n' }).stdout);
    sh('ip', ['netns', 'exec', C, 'vncsnapshot', '-allowblank', '-quiet', '-passwd', pw, '192.0.2.10::5900', join(dir, 'snap.jpg')], { timeoutMs: 30_000 });
    await live.waitFor('the KVM notice', () => live.byType('notice').some((n) => n['id.resp_p'] === 5900 && n.note === 'amt.unauthorized_session'), 10_000);
    await live.waitFor('the conn record', () => live.byType('conn').some((c) => c['id.resp_p'] === 5900), 15_000);
    const conn = live.byType('conn').find((c) => c['id.resp_p'] === 5900) as Record<string, unknown>;
    expect([conn.service, conn.amt_redirection, conn.amt_auth, conn.authorized]).toEqual(['amt-kvm-5900', 'KVM', 'success', false]);
    const n = live.byType('notice').find((x) => x.note === 'amt.unauthorized_session') as Record<string, unknown>;
    expect(n.ts as number).toBeGreaterThan(conn.ts as number); // raised at the ServerInit, not the SYN
    await lab.stop(live);
    expect(live.exitCode).toBe(0);
  });

  it('without --extended-ports the same ping never passes the kernel filter', async () => {
    const live = await lab.live(S, ['-i', capIf, '--config', policy]);
    expect(live.stderr).toContain(`filter: ${AMT_BPF};`);
    ping('192.0.2.99');
    await new Promise((r) => setTimeout(r, 300));
    await lab.stop(live);
    expect(live.exitCode).toBe(0);
    expect(live.byType('rmcp')).toEqual([]);
    const st = live.byType('stats').at(-1) as Record<string, unknown>;
    expect(st.frames).toBe(0);
  });
});
