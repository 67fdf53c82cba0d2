/**
 * The plain-RFB analyzer for TCP 5900 (--extended-ports): the AMT KVM desktop name identifies the
 * AMT KVM server (facts, amtIdentified at that packet, one amt_redir record); any other name, a
 * security type it cannot follow, a failed login or a gap: no record at all.
 */
import { describe, expect, it } from 'vitest';
import { createRfbAnalyzer } from '../../../../src/analyzers/rfb/analyzer.js';
import { A_RFB_BAD_VERSION, A_RFB_NAME_TRUNCATED, AMT_KVM_DESKTOP_NAME } from '../../../../src/analyzers/rfb/constants.js';
import type { AnalyzerHost } from '../../../../src/analyzers/types.js';
import { DEFAULT_LIMITS } from '../../../../src/core/limits.js';
import { type AmtRedirRecord, emptyConnFacts } from '../../../../src/records/index.js';

const b = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
const cat = (...p: Uint8Array[]) => Uint8Array.from(Buffer.concat(p));
function serverInit(name: string): Uint8Array {
  const si = new Uint8Array(24);
  si.set([0, 64, 0, 48]);
  si.set([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0], 4);
  si.set(u32(name.length), 20);
  return cat(si, b(name));
}

type Step = [0 | 1, Uint8Array];
/** RFB 3.8 with VNC authentication (what the AMT KVM server on 5900 does), the server naming `name`. */
function vnc38(name: string, result = 0): Step[] {
  return [
    [1, b('RFB 003.008\n')],
    [0, b('RFB 003.008\n')],
    [1, Uint8Array.of(1, 2)],
    [0, Uint8Array.of(2)],
    [1, new Uint8Array(16).fill(0x11)],
    [0, new Uint8Array(16).fill(0x22)],
    [1, result === 0 ? u32(0) : cat(u32(1), u32(21), b('Authentication failed'))],
    ...(result === 0 ? ([[0, Uint8Array.of(1)], [1, serverInit(name)], [0, Uint8Array.of(0, 0, 0, 0)]] as Step[]) : []),
  ];
}

function run(steps: Step[], opts: { split?: boolean; maxFieldChars?: number; gapAt?: number } = {}) {
  const recs: AmtRedirRecord[] = [];
  const anomalies: number[] = [];
  const identified: number[] = [];
  const host: AnalyzerHost = {
    session: { uid: 'CTEST', startTs: 1, origH: Uint8Array.of(192, 0, 2, 99), origP: 40000, respH: Uint8Array.of(192, 0, 2, 10), respP: 5900, vlan: null },
    limits: { ...DEFAULT_LIMITS, ...(opts.maxFieldChars !== undefined ? { maxFieldChars: opts.maxFieldChars } : {}) },
    options: { extract: false },
    facts: emptyConnFacts(),
    emit: (r) => recs.push(r as AmtRedirRecord),
    anomaly: (id) => anomalies.push(id),
    amtIdentified: (ts) => identified.push(ts),
  };
  const a = createRfbAnalyzer(host);
  let ts = 10;
  steps.forEach(([dir, bytes], i) => {
    ts += 10;
    if (opts.gapAt === i) {
      a.gap(dir, bytes.length, ts);
      return;
    }
    if (opts.split) for (let k = 0; k < bytes.length; k++) a.data(dir, bytes, k, k + 1, ts);
    else a.data(dir, bytes, 0, bytes.length, ts);
  });
  a.end(ts + 10);
  return { recs, anomalies, identified, facts: host.facts };
}

describe('RFB analyzer (TCP 5900)', () => {
  it(`desktop name "${AMT_KVM_DESKTOP_NAME}": identified at the ServerInit packet, facts set, one amt_redir record`, () => {
    for (const split of [false, true]) {
      const r = run(vnc38(AMT_KVM_DESKTOP_NAME), { split });
      expect(r.identified).toEqual([100]); // the 9th step (ServerInit) at ts 100
      expect(r.facts.redirection).toBe('KVM');
      expect(r.facts.auth).toBe('success');
      expect(r.recs).toHaveLength(1);
      const x = r.recs[0] as AmtRedirRecord;
      expect([x.event_type, x.session_type, x.auth_type, x.auth_types_offered, x.auth_result, x.auth_attempts, x.rfb_version, x.rfb_desktop_name, x.session_started, x.partial]).toEqual([
        'amt_redir', 'KVM', 'rfb_vnc', ['rfb_vnc'], 'success', 1, '003.008', AMT_KVM_DESKTOP_NAME, true, false,
      ]);
      expect([x['id.resp_p'], x.uid]).toEqual([5900, 'CTEST']);
    }
  });

  it('any other desktop name: nothing (no record, not identified, facts untouched)', () => {
    for (const name of ['ws77:57 (lab)', 'Intel(r) AMT KVM ', 'intel(r) amt kvm', '']) {
      const r = run(vnc38(name));
      expect([r.recs, r.identified, r.facts.redirection], JSON.stringify(name)).toEqual([[], [], null]);
    }
  });

  it('RFB 3.3 (the server picks VNC auth; vncsnapshot speaks 3.3) and an AMT 11.8 server announcing 4.0', () => {
    const v33: Step[] = [
      [1, b('RFB 003.008\n')],
      [0, b('RFB 003.003\n')],
      [1, cat(u32(2), new Uint8Array(16))],
      [0, new Uint8Array(16)],
      [1, u32(0)],
      [0, Uint8Array.of(1)],
      [1, serverInit(AMT_KVM_DESKTOP_NAME)],
    ];
    const r = run(v33);
    expect([r.identified.length, r.recs[0]?.auth_type, r.recs[0]?.auth_result]).toEqual([1, 'rfb_vnc', 'success']);
    const v40 = vnc38(AMT_KVM_DESKTOP_NAME);
    v40[0] = [1, b('RFB 004.000\n')];
    expect(run(v40).recs[0]?.rfb_version).toBe('004.000');
  });

  it('security None in 3.8 (SecurityResult) and 3.7 (none): identified, auth none', () => {
    const none38: Step[] = [
      [1, b('RFB 003.008\n')],
      [0, b('RFB 003.008\n')],
      [1, Uint8Array.of(1, 1)],
      [0, Uint8Array.of(1)],
      [1, u32(0)],
      [1, serverInit(AMT_KVM_DESKTOP_NAME)],
    ];
    const r = run(none38);
    expect([r.identified.length, r.facts.auth, r.recs[0]?.auth_type, r.recs[0]?.auth_result]).toEqual([1, 'none', 'rfb_none', null]);
    const none37: Step[] = [[1, b('RFB 003.007\n')], [0, b('RFB 003.007\n')], [1, Uint8Array.of(1, 1)], [0, Uint8Array.of(1)], [1, serverInit(AMT_KVM_DESKTOP_NAME)]];
    expect(run(none37).identified).toHaveLength(1);
  });

  it('a failed VNC login shows no desktop name: not identifiable, no record (documented limit)', () => {
    const r = run(vnc38(AMT_KVM_DESKTOP_NAME, 1));
    expect([r.recs, r.identified]).toEqual([[], []]);
  });

  it('security types it cannot follow (VeNCrypt, TLS) end the analysis: no record', () => {
    const s: Step[] = [[1, b('RFB 003.008\n')], [0, b('RFB 003.008\n')], [1, Uint8Array.of(2, 19, 2)], [0, Uint8Array.of(19)], [1, new Uint8Array(40).fill(3)]];
    expect(run(s).recs).toEqual([]);
  });

  it('not RFB on 5900: an anomaly, no record; a gap in the handshake: no record', () => {
    const r = run([[1, b('SSH-2.0-OpenSSH_9.2\r\n')], [0, b('SSH-2.0-x\r\n\r\n')]]);
    expect(r.anomalies).toContain(A_RFB_BAD_VERSION);
    expect(r.recs).toEqual([]);
    expect(run(vnc38(AMT_KVM_DESKTOP_NAME), { gapAt: 6 }).recs).toEqual([]);
  });

  it('a desktop name longer than maxFieldChars is cut (anomaly) and never matches', () => {
    const r = run(vnc38(AMT_KVM_DESKTOP_NAME), { maxFieldChars: 8 });
    expect(r.anomalies).toContain(A_RFB_NAME_TRUNCATED);
    expect(r.identified).toEqual([]);
  });
});
