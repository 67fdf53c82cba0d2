/**
 * Live capture of replayed real-client captures equals `amtwatch read` on the same files.
 *
 * amt-lab.pcap (36 s, 441 frames, real curl/nmap/amtterm/openssl sessions, IPv6, VLAN 100, decoys) is
 * replayed at 4x its own pace. Why 4x cannot change a record: the whole capture (36 s, 9 s replayed)
 * lies inside every correlation window (brute force and scan: 300 s), and every idle timeout that
 * could fire in `read` (attempts: 30 s) only decides WHEN a session's record is written, not what it
 * says (an expired S0 and a flushed S0 are the same record); the 5 s close linger likewise. What does
 * change is timing: ts and duration (kernel time of the replay), and uids (seeded per run), which the
 * comparison leaves out. Stats records are compared on their counters.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVlan } from './gen-captures.mjs';
import { Lab, ROOT, liveSkipReason, multiset, readRecords, replay, requireAddon } from './helpers.js';

const skip = liveSkipReason();
const LAB = join(ROOT, 'pcaps/lab/amt-lab.pcap');
const POLICY = join(ROOT, 'pcaps/lab/amtwatch.yaml');

describe.skipIf(skip !== null)(`live capture of replayed captures${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const lab = new Lab();
  let dir = '';

  beforeAll(() => {
    requireAddon();
    dir = mkdtempSync(join(tmpdir(), 'amtw-live-'));
  });
  afterAll(async () => {
    await lab.cleanup();
    if (dir !== '' && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it('amt-lab.pcap replayed through a veth pair gives the records `amtwatch read` gives', async () => {
    const inj = lab.ns();
    const cap = lab.ns();
    const { ifA, ifB } = lab.link(inj, cap);
    const live = await lab.live(cap, ['-i', ifB, '--config', POLICY, '--stats-interval', '3600']);
    replay(inj, ifA, LAB, ['-x', '4']);
    const expected = readRecords(['--config', POLICY, LAB]);
    const expectedConns = expected.filter((r) => r.event_type === 'conn').length;
    await live.waitFor('every conn record', () => live.byType('conn').length >= expectedConns - 5, 20_000); // the rest are open until SIGTERM
    await lab.stop(live);
    expect(live.exitCode).toBe(0);

    const noStats = (rs: Record<string, unknown>[]) => rs.filter((r) => r.event_type !== 'stats');
    expect(multiset(noStats(live.records))).toEqual(multiset(noStats(expected)));

    const ls = live.byType('stats').at(-1) as Record<string, unknown>;
    const rs = expected.find((r) => r.event_type === 'stats') as Record<string, unknown>;
    expect(ls.final).toBe(true);
    for (const k of ['amt_frames', 'amt_sessions', 'amt_sessions_unauthorized', 'notices', 'sessions_closed', 'missed_bytes', 'anomalies']) {
      expect([k, ls[k]]).toEqual([k, rs[k]]);
    }
    // the kernel filter passed only AMT frames; none were dropped, and every one reached the pipeline
    const capStats = ls.capture as { name: string; received: number; dropped: number }[];
    expect(capStats).toEqual([{ name: ifB, received: rs.amt_frames, dropped: 0, if_dropped: 0 }]);
    expect(ls.frames).toBe(rs.amt_frames);
  });

  it('802.1Q: tagged frames through the veth keep their VLAN id; tagged non-AMT frames are filtered out', async () => {
    // (this kernel has no 8021q module, so the tags are in the frames tcpreplay sends, as on a trunk SPAN)
    const inj = lab.ns();
    const cap = lab.ns();
    const { ifA, ifB } = lab.link(inj, cap);
    const pcap = join(dir, 'vlan.pcap');
    const info = writeVlan(pcap) as { amtSessions: number };
    const tagged42 = join(ROOT, 'pcaps/lab/formats-vlan.pcap'); // real clients, every frame tagged 42
    const live = await lab.live(cap, ['-i', ifB, '--config', POLICY, '--stats-interval', '3600']);
    replay(inj, ifA, pcap, ['--pps', '2000']); // VID 100, untagged, and tagged port-443 decoys
    replay(inj, ifA, tagged42, ['-x', '8']);
    const expected = [...readRecords(['--config', POLICY, pcap]), ...readRecords(['--config', POLICY, tagged42])].filter(
      (r) => r.event_type === 'conn' || r.event_type === 'notice',
    );
    const want = expected.filter((r) => r.event_type === 'conn').length;
    await live.waitFor('conn records', () => live.byType('conn').length >= want - 8, 20_000);
    await lab.stop(live);
    expect(live.exitCode).toBe(0);

    const got = live.records.filter((r) => r.event_type === 'conn' || r.event_type === 'notice');
    expect(multiset(got)).toEqual(multiset(expected));
    const conns = live.byType('conn');
    expect(conns.filter((c) => c.vlan === 100)).toHaveLength(4);
    expect(conns.filter((c) => c.vlan === null)).toHaveLength(info.amtSessions - 4);
    expect(conns.filter((c) => c.vlan === 42).length).toBeGreaterThan(10);
    expect(conns.some((c) => c['id.resp_p'] === 443)).toBe(false);
  });

  it('`-i any` (Linux cooked, no 802.1Q) captures with the built-in filter; --filter "vlan 42" keeps VLAN 42', async () => {
    const base = join(ROOT, 'pcaps/lab/formats-base.pcap');
    const tagged42 = join(ROOT, 'pcaps/lab/formats-vlan.pcap');
    const inj = lab.ns();
    const cap = lab.ns();
    const { ifA } = lab.link(inj, cap);
    // before: "--filter: bad filter expression: no VLAN support for Linux cooked v1", exit 2
    const any = await lab.live(cap, ['-i', 'any', '--config', POLICY, '--stats-interval', '3600']);
    replay(inj, ifA, base, ['-x', '8']);
    const want = readRecords(['--config', POLICY, base]).filter((r) => r.event_type === 'conn').length;
    await any.waitFor('conn records on any', () => any.byType('conn').length >= want - 5, 20_000);
    await lab.stop(any);
    expect(any.exitCode).toBe(0);
    expect(any.byType('conn').length).toBe(want);

    // before: the user's `vlan` came after the built-in `vlan` half and tested a QinQ inner tag: nothing
    const inj2 = lab.ns();
    const cap2 = lab.ns();
    const l2 = lab.link(inj2, cap2);
    const v = await lab.live(cap2, ['-i', l2.ifB, '--config', POLICY, '--stats-interval', '3600', '--filter', 'vlan 42']);
    replay(inj2, l2.ifA, base, ['-x', '8']); // untagged: filtered out
    replay(inj2, l2.ifA, tagged42, ['-x', '8']);
    const want42 = readRecords(['--config', POLICY, tagged42]).filter((r) => r.event_type === 'conn').length;
    await v.waitFor('VLAN 42 conn records', () => v.byType('conn').length >= want42 - 5, 20_000);
    await lab.stop(v);
    expect(v.exitCode).toBe(0);
    expect(v.byType('conn').length).toBe(want42);
    expect(v.byType('conn').every((c) => c.vlan === 42)).toBe(true);
  });

  it('the interface going down: exit 5 with the reason, after the final records', async () => {
    const inj = lab.ns();
    const cap = lab.ns();
    const { ifB } = lab.link(inj, cap);
    const live = await lab.live(cap, ['-i', ifB, '--stats-interval', '3600']);
    execFileSync('ip', ['-n', cap, 'link', 'set', ifB, 'down']);
    await live.waitFor('the exit', () => !live.running, 20_000);
    expect(live.exitCode).toBe(5);
    // before: "poll: bad file descriptor" (libuv's status for POLLERR)
    expect(live.stderr).toContain(`${ifB}: capture failed: the interface went down`);
    expect(live.byType('stats').at(-1)?.final).toBe(true);
  });
});
