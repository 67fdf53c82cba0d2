/**
 * `--extended-ports`, through the built binary: it changes nothing for the standard fixtures (apart
 * from the UDP 623 datagrams two synthetic files happen to carry), and it finds the extended-port
 * sessions, datagrams and notices in the fixtures made for it, which report nothing without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENDED_PORT_FIXTURES, fixtureFiles, PCAPS, readsWithExtendedPorts, ROOT } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/amtwatch.mjs');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const lines = (s: string) => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const policyOf = (f: string) => (existsSync(join(dirname(f), 'amtwatch.yaml')) ? ['--config', join(dirname(f), 'amtwatch.yaml')] : []);
/** Stats without the wall-clock fields. */
function stats(recs: Record<string, unknown>[]): Record<string, unknown> {
  const s = { ...(recs.find((r) => r.event_type === 'stats') ?? {}) };
  delete s.mem_rss_bytes;
  delete s.elapsed_s;
  if (s.frames === 0) delete s.ts; // no packet: the time of the report
  return s;
}

/** The standard fixtures that carry UDP 623 and what --extended-ports adds for them. */
const UDP623: Record<string, { rmcp: string[]; anomalies: Record<string, number> }> = {
  'synthetic/pcapng-multi-interface.pcapng': { rmcp: ['ping'], anomalies: {} }, // the SPB's presence ping
  'synthetic/ipv4-options-fragments.pcap': { rmcp: [], anomalies: { 'rmcp.fragment': 1 } }, // a fragmented datagram to 623
};

describe('amtwatch --extended-ports', () => {
  it('is in the help of read and live', () => {
    expect(run(['read', '--help']).out).toContain('--extended-ports');
    const live = run(['live', '--help']).out;
    expect(live).toContain('--extended-ports');
    expect(live).toContain('udp port 623');
  });

  const standard = fixtureFiles().filter((f) => !readsWithExtendedPorts(f));
  it(`changes nothing for the ${standard.length} standard fixtures (except the UDP 623 datagrams two of them carry)`, () => {
    const differing: string[] = [];
    for (const f of standard) {
      const rel = relative(PCAPS, f);
      const off = run(['read', '-f', 'ndjson', ...policyOf(f), f]);
      const on = run(['read', '-f', 'ndjson', '--extended-ports', ...policyOf(f), f]);
      expect(on.code, rel).toBe(off.code);
      const a = lines(off.out);
      const b = lines(on.out);
      const notStats = (r: Record<string, unknown>) => r.event_type !== 'stats';
      const rmcp = b.filter((r) => r.event_type === 'rmcp');
      // compared as multisets: record order is not what this test is about
      const canon = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(r)).sort();
      expect(canon(b.filter((r) => notStats(r) && r.event_type !== 'rmcp')), rel).toEqual(canon(a.filter(notStats)));
      const sa = stats(a);
      const sb = stats(b);
      const want = UDP623[rel];
      if (want === undefined) {
        expect(rmcp, rel).toEqual([]);
        expect(sb, rel).toEqual(sa);
        continue;
      }
      differing.push(rel);
      expect(rmcp.map((r) => r.message_type), rel).toEqual(want.rmcp);
      expect(sb.amt_frames, rel).toBe((sa.amt_frames as number) + want.rmcp.length + Object.values(want.anomalies).reduce((x, y) => x + y, 0));
      expect(sb.anomalies, rel).toEqual({ ...(sa.anomalies as object), ...want.anomalies });
      expect({ ...sb, amt_frames: 0, anomalies: 0 }, rel).toEqual({ ...sa, amt_frames: 0, anomalies: 0 });
    }
    expect(differing.sort()).toEqual(Object.keys(UDP623).sort());
  });

  it('finds the extended sessions in lab/extended-ports.pcap, which reports none of them without the flag', () => {
    const f = join(PCAPS, 'lab/extended-ports.pcap');
    const on = lines(run(['read', '-f', 'ndjson', '--extended-ports', ...policyOf(f), f]).out);
    const conns = on.filter((r) => r.event_type === 'conn');
    const services = conns.map((c) => c.service);
    expect(new Set(services)).toEqual(new Set(['amt-dash-http', 'amt-dash-https', 'amt-kvm-5900']));
    // 5900: the two AMT KVM sessions, not the ordinary VNC server on 192.0.2.77
    expect(conns.filter((c) => c['id.resp_p'] === 5900).map((c) => [c['id.orig_h'], c['id.resp_h'], c.amt_redirection, c.authorized]).sort()).toEqual([
      ['192.0.2.5', '192.0.2.10', 'KVM', true],
      ['192.0.2.99', '192.0.2.10', 'KVM', false],
    ]);
    expect(conns.some((c) => c['id.resp_h'] === '192.0.2.77')).toBe(false);
    const notes = on.filter((r) => r.event_type === 'notice').map((n) => `${n.note} ${n['id.orig_h']}`);
    for (const n of [
      'amt.cve_2017_5689_bypass 192.0.2.99',
      'amt.rogue_device 192.0.2.66',
      'amt.rogue_device 192.0.2.67',
      'amt.unprovisioned_device 192.0.2.67',
      'amt.scan 192.0.2.99',
      'amt.redirection_session 192.0.2.99',
    ]) {
      expect(notes, n).toContain(n);
    }
    expect(notes.filter((n) => n.startsWith('amt.rogue_device') || n.startsWith('amt.unprovisioned_device'))).toHaveLength(3);
    const rmcp = on.filter((r) => r.event_type === 'rmcp');
    expect(new Set(rmcp.map((r) => r.message_type))).toEqual(new Set(['ping', 'ack', 'pong', 'ipmi']));
    expect(stats(on).other_sessions).toBe(1); // the ordinary VNC session

    const off = lines(run(['read', '-f', 'ndjson', ...policyOf(f), f]).out);
    expect(off.filter((r) => r.event_type !== 'stats')).toEqual([]);
    expect(stats(off).amt_frames).toBe(0);
  });

  it('synthetic/rmcp.pcap: rmcp records and notices with the flag, nothing without; JSON gets an "rmcp" array only when there are rmcp records', () => {
    const f = join(PCAPS, 'synthetic/rmcp.pcap');
    const on = lines(run(['read', '-f', 'ndjson', '--extended-ports', ...policyOf(f), f]).out);
    expect(on.filter((r) => r.event_type === 'rmcp').length).toBeGreaterThan(20);
    expect(on.filter((r) => r.event_type === 'notice').map((n) => n.note).sort()).toEqual([
      ...Array(6).fill('amt.rogue_device'),
      'amt.scan',
      ...Array(3).fill('amt.unprovisioned_device'),
    ]);
    expect(lines(run(['read', '-f', 'ndjson', ...policyOf(f), f]).out).filter((r) => r.event_type !== 'stats')).toEqual([]);
    const json = JSON.parse(run(['read', '-f', 'json', '--extended-ports', ...policyOf(f), f]).out) as Record<string, unknown[]>;
    expect(Object.keys(json)).toEqual(['conn', 'notice', 'http', 'tls', 'amt_redir', 'rmcp', 'stats']);
    expect(json.rmcp?.length).toBe(on.filter((r) => r.event_type === 'rmcp').length);
    const plain = JSON.parse(run(['read', '-f', 'json', ...policyOf(f), f]).out) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['conn', 'notice', 'http', 'tls', 'amt_redir', 'stats']);
  });

  it('the manifest names only files that exist', () => {
    for (const r of EXTENDED_PORT_FIXTURES) expect(existsSync(join(PCAPS, r)), r).toBe(true);
  });
});
