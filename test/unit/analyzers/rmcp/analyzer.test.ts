/** The per-datagram RMCP analyzer: one record per datagram, ping/pong/ACK pairing by uid, bounded. */
import { describe, expect, it } from 'vitest';
import { RmcpAnalyzer, type RmcpDatagram } from '../../../../src/analyzers/rmcp/analyzer.js';
import { A_RMCP_BAD_VERSION, A_RMCP_PONG_SHORT } from '../../../../src/analyzers/rmcp/constants.js';
import { DEFAULT_LIMITS, type Limits } from '../../../../src/core/limits.js';
import type { RmcpRecord } from '../../../../src/records/index.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const A = Uint8Array.of(198, 51, 100, 50);
const B = Uint8Array.of(192, 0, 2, 10);
const C = Uint8Array.of(192, 0, 2, 11);
const ping = (seq: number, tag: number) => hex(`0600${seq.toString(16).padStart(2, '0')}06 000011be 80${tag.toString(16).padStart(2, '0')}0000`);
const pong = (seq: number, tag: number) =>
  hex(`0600${seq.toString(16).padStart(2, '0')}06 000011be 40${tag.toString(16).padStart(2, '0')}0010 00000157 42609502 00200000 00000000`);

function harness(limits: Partial<Limits> = {}) {
  const recs: RmcpRecord[] = [];
  const anomalies: number[] = [];
  let n = 0;
  const a = new RmcpAnalyzer({
    limits: { ...DEFAULT_LIMITS, ...limits },
    emit: (r) => recs.push(r),
    anomaly: (id) => anomalies.push(id),
    newUid: (key, ts) => `U${++n}:${key}@${ts}`,
  });
  const send = (src: Uint8Array, sp: number, dst: Uint8Array, dp: number, b: Uint8Array, ts: number, vlan: number | null = null) => {
    const d: RmcpDatagram = { src, srcPort: sp, dst, dstPort: dp, vlan };
    a.datagram(d, b, 0, b.length, b.length, ts);
  };
  return { a, recs, anomalies, send };
}

describe('RmcpAnalyzer', () => {
  it('a ping, its ACK and its pong share one uid; id.orig_h is each datagram sender', () => {
    const h = harness();
    h.send(A, 40000, B, 623, ping(0, 3), 1_000_000, 100);
    h.send(B, 623, A, 40000, hex('06000086'), 1_000_100, 100);
    h.send(B, 623, A, 40000, pong(0, 3), 1_000_200, 100);
    expect(h.recs.map((r) => r.message_type)).toEqual(['ping', 'ack', 'pong']);
    expect(new Set(h.recs.map((r) => r.uid)).size).toBe(1);
    const p = h.recs[2] as RmcpRecord;
    expect([p['id.orig_h'], p['id.orig_p'], p['id.resp_h'], p['id.resp_p'], p.vlan]).toEqual([B, 623, A, 40000, 100]);
    expect([p.iana, p.amt_version, p.provisioning_state, p.amt_port, p.dual_port, p.dash, p.tag, p.rmcp_seq, p.partial]).toEqual([
      343, '9.5', 'post', 16992, false, true, 3, 0, false,
    ]);
    const q = h.recs[0] as RmcpRecord;
    expect([q.iana, q.amt_version, q.provisioning_state, q.amt_port, q.dual_port, q.dash]).toEqual([null, null, null, null, null, null]);
  });

  it('pairs by target and tag: pongs from two targets of one socket, a wrong tag, a late pong, a broadcast ping', () => {
    const h = harness({ rmcpPairTimeoutUs: 5_000_000 });
    h.send(A, 40000, B, 623, ping(0xff, 0), 0);
    h.send(A, 40000, C, 623, ping(0xff, 1), 10);
    h.send(C, 623, A, 40000, pong(0xff, 1), 20); // C answers tag 1
    h.send(B, 623, A, 40000, pong(0xff, 7), 30); // B answers with a tag it was not sent: no pairing
    h.send(B, 623, A, 40000, pong(0xff, 0), 6_000_000); // too late
    const [pB, pC, gC, gB7, gBlate] = h.recs as [RmcpRecord, RmcpRecord, RmcpRecord, RmcpRecord, RmcpRecord];
    expect(gC.uid).toBe(pC.uid);
    expect(gB7.uid).not.toBe(pB.uid);
    expect(gBlate.uid).not.toBe(pB.uid);
    // broadcast: the pong comes from the host's own address, so it cannot pair
    const h2 = harness();
    h2.send(A, 40001, Uint8Array.of(192, 0, 2, 255), 623, ping(0xff, 9), 0);
    h2.send(B, 623, A, 40001, pong(0xff, 9), 10);
    expect(h2.recs[0]?.uid).not.toBe(h2.recs[1]?.uid);
  });

  it('a retried ping (same target, tag, within the timeout) keeps its uid; a ping with a new tag starts a new exchange', () => {
    const h = harness();
    h.send(A, 40000, B, 623, ping(0xff, 0), 0);
    h.send(A, 40000, B, 623, ping(0xff, 0), 1_000_000);
    h.send(A, 40000, B, 623, ping(0xff, 1), 2_000_000);
    expect(h.recs[0]?.uid).toBe(h.recs[1]?.uid);
    expect(h.recs[2]?.uid).not.toBe(h.recs[0]?.uid);
  });

  it('the pairing table is bounded (least recently used out) and says how much it forgot', () => {
    const h = harness({ maxRmcpPending: 2 });
    for (let i = 0; i < 5; i++) h.send(A, 40000 + i, B, 623, ping(0xff, 0), i);
    expect(h.a.forgotten).toBe(3);
    h.send(B, 623, A, 40000, pong(0xff, 0), 10); // its ping was forgotten
    h.send(B, 623, A, 40004, pong(0xff, 0), 11); // still remembered
    expect(h.recs[5]?.uid).not.toBe(h.recs[0]?.uid);
    expect(h.recs[6]?.uid).toBe(h.recs[4]?.uid);
  });

  it('not RMCP: an anomaly and no record; a malformed message: an anomaly and a partial record; IPMI: a record of its own', () => {
    const h = harness();
    h.send(A, 40000, B, 623, hex('474554'), 0);
    h.send(A, 40000, B, 623, hex('0500ff06 000011be 80000000'), 0);
    expect(h.recs).toEqual([]);
    expect(h.anomalies).toEqual([expect.any(Number), A_RMCP_BAD_VERSION]);
    h.send(B, 623, A, 40000, hex('0600ff06 000011be 40000004 00000157'), 1);
    expect(h.anomalies.at(-1)).toBe(A_RMCP_PONG_SHORT);
    expect([h.recs[0]?.message_type, h.recs[0]?.partial, h.recs[0]?.iana, h.recs[0]?.amt_version]).toEqual(['pong', true, 343, null]);
    h.send(A, 40000, B, 623, hex('0600ff07000000000000000000092018c88100388e04b5'), 2);
    expect([h.recs[1]?.message_type, h.recs[1]?.tag, h.recs[1]?.iana]).toEqual(['ipmi', null, null]);
  });
});
