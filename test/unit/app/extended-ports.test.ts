/**
 * The pipeline with --extended-ports: TCP 623/664 are AMT sessions from the SYN; a TCP 5900 session
 * becomes one only when its RFB desktop name is `Intel(r) AMT KVM`, and then its unauthorized-session
 * notice carries the time of that packet (not the SYN's); any other VNC session is an "other"
 * session with no record. Without the flag none of these ports is looked at.
 */
import { describe, expect, it } from 'vitest';
import { analyzerFor } from '../../../src/analyzers/registry.js';
import { parseCidr, type Cidr } from '../../../src/core/addr.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { Pipeline } from '../../../src/app/pipeline.js';
import { newFrame } from '../../../src/io/frame.js';
import { DEFAULT_THRESHOLDS } from '../../../src/policy/config.js';
import type { AnalyzerRecord, ConnRecord, NoticeRecord } from '../../../src/records/index.js';
import { ACK, PSH, TcpConversation } from '../../../pcaps/gen/lib/packets.js';

const T0 = 1_768_471_200_000_000;
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
const b = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...p: Uint8Array[]) => Uint8Array.from(Buffer.concat(p));
function serverInit(name: string): Uint8Array {
  const si = new Uint8Array(24);
  si.set([0, 64, 0, 48, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
  si.set(u32(name.length), 20);
  return cat(si, b(name));
}

/** A whole RFB 3.8 / VNC-auth session on 5900 from `client`; frames 1 ms apart. */
function vncSession(client: string, cport: number, name: string): Uint8Array[] {
  const c = new TcpConversation(client, '192.0.2.10', cport, 5900);
  return [
    ...c.handshake(),
    c.s(PSH | ACK, 'RFB 003.008\n'),
    c.c(PSH | ACK, 'RFB 003.008\n'),
    c.s(PSH | ACK, Uint8Array.of(1, 2)),
    c.c(PSH | ACK, Uint8Array.of(2)),
    c.s(PSH | ACK, new Uint8Array(16).fill(1)),
    c.c(PSH | ACK, new Uint8Array(16).fill(2)),
    c.s(PSH | ACK, u32(0)),
    c.c(PSH | ACK, Uint8Array.of(1)),
    c.s(PSH | ACK, serverInit(name)), // frame 12 (index 11)
    c.c(ACK),
    ...c.close(),
  ];
}

function run(frames: Uint8Array[], extendedPorts: boolean) {
  const conns: ConnRecord[] = [];
  const notices: NoticeRecord[] = [];
  const recs: AnalyzerRecord[] = [];
  const policy = { authorized: [parseCidr('192.0.2.5') as Cidr], amtHosts: [parseCidr('192.0.2.10') as Cidr], thresholds: DEFAULT_THRESHOLDS };
  const p = new Pipeline(
    { limits: DEFAULT_LIMITS, policy, uidSeed: 't', analyzerFor, extendedPorts },
    { conn: (r) => conns.push(r), notice: (r) => notices.push(r), analyzer: (r) => recs.push(r) },
  );
  const f = newFrame();
  frames.forEach((d, i) => {
    f.index = i + 1;
    f.ts = T0 + i * 1000;
    f.linkType = 1;
    f.data = d;
    f.off = 0;
    f.end = d.length;
    f.wireLen = d.length;
    p.onFrame(f);
  });
  p.flush('end_of_input');
  return { conns, notices, recs, counters: p.counters };
}

describe('pipeline with extended ports', () => {
  it('5900 with the AMT KVM desktop name: an AMT session (amt-kvm-5900, KVM); the notice at the ServerInit, not the SYN', () => {
    const r = run(vncSession('192.0.2.99', 40000, 'Intel(r) AMT KVM'), true);
    expect(r.conns).toHaveLength(1);
    const c = r.conns[0] as ConnRecord;
    expect([c.service, c.amt_redirection, c.amt_auth, c.authorized, c.reasons, c.ts]).toEqual(['amt-kvm-5900', 'KVM', 'success', false, ['client_not_authorized'], T0]);
    const un = r.notices.filter((n) => n.note === 'amt.unauthorized_session');
    expect(un).toHaveLength(1);
    expect(un[0]?.ts).toBe(T0 + 11 * 1000); // the ServerInit's frame
    expect(un[0]?.uid).toBe(c.uid);
    expect(un[0]?.msg).toBe('192.0.2.99 opened an AMT KVM (RFB on TCP 5900) session to 192.0.2.10:5900: the client is not an authorized management console');
    expect(r.notices.filter((n) => n.note === 'amt.redirection_session').map((n) => n.uid)).toEqual([c.uid]);
    expect(r.recs.map((x) => x.event_type)).toEqual(['amt_redir']);
    expect([r.counters.amtSessions, r.counters.unauthorizedSessions, r.counters.otherSessions]).toEqual([1, 1, 0]);
  });

  it('5900 from an authorized console: an authorized AMT session, no unauthorized notice', () => {
    const r = run(vncSession('192.0.2.5', 40001, 'Intel(r) AMT KVM'), true);
    expect(r.conns.map((c) => c.authorized)).toEqual([true]);
    expect(r.notices.filter((n) => n.note === 'amt.unauthorized_session')).toEqual([]);
  });

  it('5900 with any other desktop name: no conn record, no notice, no analyzer record; counted as another session', () => {
    const r = run(vncSession('192.0.2.99', 40002, 'ws77:1 (alice)'), true);
    expect([r.conns, r.notices, r.recs]).toEqual([[], [], []]);
    expect([r.counters.amtSessions, r.counters.otherSessions]).toEqual([0, 1]);
  });

  it('TCP 623 and 664 are AMT sessions from the SYN (amt-dash-http / amt-dash-https)', () => {
    const c623 = new TcpConversation('192.0.2.99', '192.0.2.10', 40003, 623);
    const c664 = new TcpConversation('192.0.2.99', '192.0.2.10', 40004, 664);
    const r = run([...c623.handshake(), c623.c(PSH | ACK, 'GET / HTTP/1.1\r\n\r\n'), ...c623.close(), ...c664.handshake(), ...c664.close()], true);
    expect(r.conns.map((c) => c.service)).toEqual(['amt-dash-http', 'amt-dash-https']);
    const n = r.notices.filter((x) => x.note === 'amt.unauthorized_session');
    expect(n.map((x) => x.ts)).toEqual([T0, T0 + 7000]);
    expect(r.recs.map((x) => x.event_type)).toEqual(['http']);
  });

  it('without the flag, 623, 664 and 5900 are not looked at', () => {
    const c623 = new TcpConversation('192.0.2.99', '192.0.2.10', 40003, 623);
    const r = run([...c623.handshake(), ...c623.close(), ...vncSession('192.0.2.99', 40000, 'Intel(r) AMT KVM')], false);
    expect([r.conns, r.notices, r.recs, r.counters.amtFrames, r.counters.otherSessions]).toEqual([[], [], [], 0, 0]);
  });
});
