import { describe, expect, it } from 'vitest';
import { AnomalyCounters } from '../../../src/core/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/core/limits.js';
import type { Session } from '../../../src/session/session.js';
import { SessionTable } from '../../../src/session/table.js';
import { Conv, F, pkt } from '../../helpers/facts.js';

const { SYN, ACK, FIN, RST, PSH } = F;
const T0 = 1_768_471_200_000_000;

interface Ended {
  s: Session;
  state: string;
  history: string;
}

function harness(limits: Partial<Limits> = {}, extendedPorts = false) {
  const anomalies = new AnomalyCounters();
  const ended: Ended[] = [];
  const opened: Session[] = [];
  const table: SessionTable = new SessionTable({
    limits: { ...DEFAULT_LIMITS, ...limits },
    anomalies,
    extendedPorts,
    events: {
      open: (s) => opened.push(s),
      end: (s) => ended.push({ s, state: table.connState(s), history: s.history.toString() }),
    },
  });
  let t = T0;
  const feed = (...pkts: { p: ReturnType<typeof pkt>['p']; buf: Uint8Array }[]) => {
    for (const x of pkts) {
      t += 1000;
      table.handle(x.p, x.buf, t);
    }
  };
  const end = () => {
    table.flushAll('end_of_input');
    return ended;
  };
  return { table, anomalies, ended, opened, feed, end, at: () => t };
}

/** A table whose every session gets a recording analyzer from its first packet on. */
function analysed() {
  const anomalies = new AnomalyCounters();
  const got: string[] = [];
  const table = new SessionTable({
    limits: DEFAULT_LIMITS,
    anomalies,
    events: {
      open: (s) => {
        s.consumerFactory = () => ({ data: (d, _b, o, e) => got.push(`${d}:${e - o}`), gap: (d, n) => got.push(`g${d}:${n}`), end: () => got.push('end') });
      },
      end: () => undefined,
    },
  });
  let t = T0;
  const feed = (...xs: { p: ReturnType<typeof pkt>['p']; buf: Uint8Array }[]) => {
    for (const x of xs) table.handle(x.p, x.buf, (t += 1000));
  };
  return { anomalies, got, feed, table };
}

describe('conn_state and history (Zeek semantics)', () => {
  it('a normal HTTP exchange is SF with history ShADadFf and exact sizes', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40000, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(PSH | ACK, 120), c.S(ACK), c.S(PSH | ACK, 300), c.C(ACK), c.C(FIN | ACK), c.S(FIN | ACK), c.C(ACK));
    const [e] = h.end();
    expect(e?.state).toBe('SF');
    expect(e?.history).toBe('ShADadFf');
    const s = e!.s;
    expect(s.isAmt).toBe(true);
    expect(s.orig.size()).toBe(120);
    expect(s.resp.size()).toBe(300);
    expect(s.orig.pkts).toBe(6);
    expect(s.resp.pkts).toBe(4);
    expect(s.orig.ipBytes).toBe(6 * 40 + 120);
    expect(s.resp.ipBytes).toBe(4 * 40 + 300);
    expect(s.orig.missed + s.resp.missed).toBe(0);
    expect(s.durationUs).toBe(9000);
    expect(s.origPort).toBe(40000);
    expect(s.respPort).toBe(16992);
  });

  const cases: [string, string, (c: Conv) => ReturnType<typeof pkt>[]][] = [
    ['S0', 'S', (c) => [c.C(SYN)]],
    ['S1', 'ShA', (c) => [c.C(SYN), c.S(SYN | ACK), c.C(ACK)]],
    ['REJ', 'Sr', (c) => [c.C(SYN), c.S(RST | ACK)]],
    ['S2', 'ShAF', (c) => [c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(FIN | ACK)]],
    ['S3', 'ShAf', (c) => [c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.S(FIN | ACK)]],
    ['RSTO', 'ShAR', (c) => [c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(RST)]],
    ['RSTR', 'ShAr', (c) => [c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.S(RST)]],
    ['RSTOS0', 'SR', (c) => [c.C(SYN), c.C(RST)]],
    ['RSTRH', '^hr', (c) => [c.S(SYN | ACK), c.S(RST)]],
    ['SH', 'SF', (c) => [c.C(SYN), c.C(FIN)]],
    ['SHR', '^hf', (c) => [c.S(SYN | ACK), c.S(FIN)]],
    ['OTH', 'Dd', (c) => [c.C(PSH | ACK, 10), c.S(PSH | ACK, 20)]],
  ];
  for (const [state, history, script] of cases) {
    it(`${state}: history ${history}`, () => {
      const h = harness();
      const c = new Conv('10.0.0.50', '10.0.0.10', 40001, 16993);
      h.feed(...script(c));
      const ended = h.end();
      expect(ended).toHaveLength(1);
      expect(ended[0]?.state).toBe(state);
      expect(ended[0]?.history).toBe(history);
      expect(ended[0]?.s.origPort).toBe(40001);
      expect(ended[0]?.s.respPort).toBe(16993);
    });
  }

  it('a retransmitted data segment adds T once, then on a log scale', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40002, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(PSH | ACK, 100));
    for (let i = 0; i < 10; i++) {
      c.cseq -= 100;
      h.feed(c.C(PSH | ACK, 100));
    }
    const [e] = h.end();
    expect(e?.history).toBe('ShADTT');
    expect(e?.s.orig.size()).toBe(100);
    expect(e?.s.orig.payloadBytes).toBe(1100);
  });

  it('bytes acknowledged but never seen are missed bytes, with history G', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40003, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(PSH | ACK, 100));
    c.skipC(500); // a 500-byte segment the capture lost
    h.feed(c.C(PSH | ACK, 50), c.S(ACK));
    const [e] = h.end();
    expect(e?.s.orig.missed).toBe(500);
    expect(e?.s.orig.size()).toBe(650);
    expect(e?.history).toBe('ShADaG');
    expect(h.table.stats.missedBytes).toBe(0); // declared by the ACK, not at the end
  });

  it('a hole never acknowledged is declared missed when the session ends', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40004, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(PSH | ACK, 100));
    c.skipC(200);
    h.feed(c.C(PSH | ACK, 10));
    const [e] = h.end();
    expect(e?.s.orig.missed).toBe(200);
    expect(h.table.stats.missedBytes).toBe(200);
  });

  it("gaps count only while both sides are cleanly established or closing (Zeek's is_clean)", () => {
    // a session picked up mid-stream (no handshake): a hole acknowledged, then both sides close
    let h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40050, 16992);
    h.feed(c.C(PSH | ACK, 10));
    c.skipC(10);
    h.feed(c.C(PSH | ACK, 10), c.S(ACK), c.C(FIN | ACK), c.S(FIN | ACK), c.C(ACK));
    let e = h.end()[0];
    expect([e?.state, e?.history, e?.s.orig.missed]).toEqual(['SF', 'DaFfA', 0]);
    // a half-open session (the SYN-ACK never seen): a hole left at the end is not counted either
    h = harness();
    const d = new Conv('10.0.0.50', '10.0.0.10', 40051, 16992);
    h.feed(d.C(SYN), d.C(ACK));
    d.skipC(100);
    h.feed(d.C(PSH | ACK, 50));
    e = h.end()[0];
    expect(e?.s.orig.missed).toBe(0);
    expect(h.table.stats.missedBytes).toBe(0);
  });

  it('out-of-order segments that fill a hole are not missed', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40005, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    const first = c.C(PSH | ACK, 100);
    const second = c.C(PSH | ACK, 100);
    h.feed(second, first, c.S(ACK));
    const [e] = h.end();
    expect(e?.s.orig.missed).toBe(0);
    expect(e?.s.orig.size()).toBe(200);
  });

  it('sequence numbers wrapping past 2^32 keep exact sizes', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40006, 16992, 0xffffff00, 0xfffffff0);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    for (let i = 0; i < 10; i++) h.feed(c.C(PSH | ACK, 1000), c.S(ACK));
    h.feed(c.C(FIN | ACK), c.S(FIN | ACK), c.C(ACK));
    const [e] = h.end();
    expect(e?.state).toBe('SF');
    expect(e?.s.orig.size()).toBe(10_000);
    expect(e?.s.orig.missed).toBe(0);
  });
});

describe('roles', () => {
  it('first packet a SYN-ACK: its receiver is the originator and history starts with ^', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40010, 16994);
    h.feed(c.S(SYN | ACK), c.C(ACK), c.C(PSH | ACK, 8), c.S(PSH | ACK, 13));
    const [e] = h.end();
    expect(e?.s.origPort).toBe(40010);
    expect(e?.s.respPort).toBe(16994);
    expect(e?.history.startsWith('^h')).toBe(true);
    expect(e?.s.isAmt).toBe(true);
  });

  it('mid-stream without a SYN: the AMT port is the server', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 51000, 16992);
    h.feed(c.S(PSH | ACK, 40), c.C(ACK));
    const [e] = h.end();
    expect(e?.s.respPort).toBe(16992);
    expect(e?.s.isAmt).toBe(true);
    expect(e?.state).toBe('OTH');
  });

  it('a client port in the AMT range talking to a web server is not an AMT session (with or without SYN)', () => {
    const h = harness();
    const a = new Conv('10.0.0.77', '10.0.0.80', 16993, 80);
    h.feed(a.C(SYN), a.S(SYN | ACK), a.C(ACK), a.C(PSH | ACK, 50), a.S(PSH | ACK, 500));
    const b = new Conv('10.0.0.77', '10.0.0.80', 16994, 80);
    h.feed(b.C(PSH | ACK, 50), b.S(PSH | ACK, 500)); // mid-stream
    const d = new Conv('10.0.0.78', '10.0.0.80', 16992, 443);
    h.feed(d.S(PSH | ACK, 100), d.C(ACK)); // mid-stream, first packet from the web server
    const ended = h.end();
    expect(ended).toHaveLength(3);
    for (const e of ended) expect(e.s.isAmt).toBe(false);
    expect(ended.map((e) => e.s.respPort).sort()).toEqual([443, 80, 80]);
    expect(h.table.stats.otherCreated).toBe(3);
    expect(h.table.stats.amtCreated).toBe(0);
  });

  it('extended ports: without a SYN, 623/664/5900 are the server side; 623/664 are AMT sessions, 5900 is not (yet); off, they are ordinary ports', () => {
    const mid = (h: ReturnType<typeof harness>, port: number, cport: number) => {
      const c = new Conv('192.0.2.99', '192.0.2.10', cport, port);
      h.feed(c.S(PSH | ACK, 100), c.C(ACK)); // mid-stream, first packet from the server
    };
    const on = harness({}, true);
    for (const [i, p] of [623, 664, 5900].entries()) mid(on, p, 40000 + i);
    const e = on.end();
    expect(e.map((x) => [x.s.respPort, x.s.origPort, x.s.isAmt])).toEqual([
      [623, 40000, true],
      [664, 40001, true],
      [5900, 40002, false],
    ]);
    const off = harness();
    mid(off, 623, 40000);
    const [o] = off.end();
    expect([o?.s.isAmt, o?.s.respPort]).toEqual([false, 40000]); // the first sender is taken as the originator
  });

  it('IPv6 sessions and VLAN ids are kept; the same 4-tuple on two VLANs is two sessions', () => {
    const h = harness();
    const v6 = new Conv('2001:db8::50', '2001:db8::10', 40020, 16992);
    h.feed(v6.C(SYN), v6.S(SYN | ACK), v6.C(ACK));
    const a = new Conv('10.0.0.50', '10.0.0.10', 40021, 16992, 1, 2, 100);
    const b = new Conv('10.0.0.50', '10.0.0.10', 40021, 16992, 1, 2, 200);
    h.feed(a.C(SYN), b.C(SYN), a.S(SYN | ACK), b.S(RST | ACK));
    const ended = h.end();
    expect(ended).toHaveLength(3);
    const six = ended.find((e) => e.s.isV6);
    expect(six?.s.origAddr).toEqual(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0x50]));
    expect(six?.state).toBe('S1');
    expect(ended.filter((e) => e.s.vlan === 100).map((e) => e.state)).toEqual(['S1']);
    expect(ended.filter((e) => e.s.vlan === 200).map((e) => e.state)).toEqual(['REJ']);
  });
});

describe('lifetime and limits', () => {
  it('a closed session ends after the linger time; a new SYN on the same 4-tuple after close is a new session', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40030, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(FIN | ACK), c.S(FIN | ACK), c.C(ACK));
    const c2 = new Conv('10.0.0.50', '10.0.0.10', 40030, 16992, 90000, 95000);
    h.feed(c2.C(SYN));
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]?.s.endReason).toBe('reused');
    h.table.advance(h.at() + DEFAULT_LIMITS.sessionAttemptTimeoutUs + 1);
    expect(h.ended).toHaveLength(2);
    expect(h.ended[1]?.state).toBe('S0');
    expect(h.ended[1]?.s.endReason).toBe('timeout');
    expect(h.ended[0]?.s.uid).not.toBe(h.ended[1]?.s.uid);
  });

  it("port reuse as Zeek's IsReuse: a SYN with a new ISN starts a new session, closed or not; a retransmitted SYN does not", () => {
    // a second SYN with a new ISN while the first is unanswered (S0, S0)
    let h = harness();
    const a = new Conv('10.0.0.50', '10.0.0.10', 40040, 16992, 1000);
    const a2 = new Conv('10.0.0.50', '10.0.0.10', 40040, 16992, 777_000);
    h.feed(a.C(SYN));
    const retx = new Conv('10.0.0.50', '10.0.0.10', 40040, 16992, 1000);
    h.feed(retx.C(SYN)); // same ISN: a retransmission
    h.feed(a2.C(SYN));
    let ended = h.end();
    expect(ended.map((e) => [e.state, e.history, e.s.endReason])).toEqual([
      ['S0', 'S', 'reused'],
      ['S0', 'S', 'end_of_input'],
    ]);
    expect(ended[0]?.s.orig.pkts).toBe(2);
    // established and never closed, then a whole new connection on the same port (S1, SF)
    h = harness();
    const b = new Conv('10.0.0.50', '10.0.0.10', 40041, 16992);
    h.feed(b.C(SYN), b.S(SYN | ACK), b.C(ACK));
    const b2 = new Conv('10.0.0.50', '10.0.0.10', 40041, 16992, 90_000, 95_000);
    h.feed(b2.C(SYN), b2.S(SYN | ACK), b2.C(ACK), b2.C(FIN | ACK), b2.S(FIN | ACK), b2.C(ACK));
    ended = h.end();
    expect(ended.map((e) => [e.state, e.history])).toEqual([
      ['S1', 'ShA'],
      ['SF', 'ShAFf'],
    ]);
    // one side closed (S2), then a new connection
    h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40042, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK), c.C(FIN | ACK), c.S(ACK));
    const c2 = new Conv('10.0.0.50', '10.0.0.10', 40042, 16992, 90_000, 95_000);
    h.feed(c2.C(SYN), c2.S(SYN | ACK), c2.C(ACK));
    expect(h.end().map((e) => [e.state, e.history])).toEqual([
      ['S2', 'ShAFa'],
      ['S1', 'ShA'],
    ]);
  });

  it('a SYN-ACK timestamped before its SYN (two capture interfaces): one established session, S1', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40043, 16992);
    const syn = c.C(SYN);
    const synAck = c.S(SYN | ACK);
    h.feed(synAck, syn, c.C(ACK), c.C(PSH | ACK, 18), c.S(ACK));
    expect(h.end().map((e) => [e.state, e.history])).toEqual([['S1', '^hSADa']]);
  });

  it('a packet stamped earlier than the last one (merged captures) never makes the duration go back', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40052, 16992);
    const t = h.at();
    const syn = c.C(SYN);
    h.table.handle(syn.p, syn.buf, t);
    const sa = c.S(SYN | ACK);
    h.table.handle(sa.p, sa.buf, t + 2000);
    const a = c.C(ACK);
    h.table.handle(a.p, a.buf, t + 1000);
    const [e] = h.end();
    expect(e?.s.lastTs).toBe(t + 2000);
  });

  it('idle timeouts run on packet time', () => {
    const h = harness();
    const c = new Conv('10.0.0.50', '10.0.0.10', 40031, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    h.table.advance(h.at() + DEFAULT_LIMITS.sessionIdleTimeoutUs - 2 * DEFAULT_LIMITS.sessionSweepIntervalUs);
    expect(h.ended).toHaveLength(0);
    h.table.advance(h.at() + DEFAULT_LIMITS.sessionIdleTimeoutUs + DEFAULT_LIMITS.sessionSweepIntervalUs);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]?.s.endReason).toBe('timeout');
    expect(h.ended[0]?.state).toBe('S1');
  });

  it('the table is bounded: the least recently active session is evicted and counted', () => {
    const h = harness({ maxSessions: 3 });
    const convs = [0, 1, 2, 3, 4].map((i) => new Conv(`10.0.1.${i + 1}`, '10.0.0.10', 40100 + i, 16992));
    for (const c of convs) h.feed(c.C(SYN));
    expect(h.table.size).toBe(3);
    expect(h.table.stats.evicted).toBe(2);
    expect(h.anomalies.toObject()).toEqual({ 'session.limit.table_full': 2 });
    expect(h.ended.map((e) => e.s.origPort)).toEqual([40100, 40101]);
    // touching a session makes it recent again
    h.feed(convs[2]!.S(SYN | ACK), new Conv('10.0.1.9', '10.0.0.10', 40200, 16992).C(SYN));
    expect(h.ended.map((e) => e.s.origPort)).toEqual([40100, 40101, 40103]);
  });

  it('history is capped and the cap is marked and counted', () => {
    const h = harness({ maxHistoryLen: 8 });
    const c = new Conv('10.0.0.50', '10.0.0.10', 40040, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    for (let i = 0; i < 30; i++) {
      // RSTs at new sequence numbers each add a letter
      c.cseq += 100;
      h.feed(c.C(RST));
    }
    const [e] = h.end();
    expect(e?.history.length).toBe(8);
    expect(e?.history.endsWith('X')).toBe(true);
    expect(h.anomalies.get(29)).toBe(1);
  });
});

describe('analyzer attachment and copies', () => {
  it('the consumer is made at the first payload byte: a session without payload costs none', () => {
    const h = harness();
    let made = 0;
    const got: string[] = [];
    const attach = (s: Session) => {
      s.consumerFactory = () => {
        made++;
        return { data: (d, _b, o, e) => got.push(`${d}:${e - o}`), gap: (d, n) => got.push(`g${d}:${n}`), end: () => got.push('end') };
      };
    };
    // a SYN that is never answered, and a rejected one
    const a = new Conv('10.0.0.51', '10.0.0.10', 40301, 16992);
    const b = new Conv('10.0.0.52', '10.0.0.10', 40302, 16992);
    h.feed(a.C(SYN));
    h.feed(b.C(SYN), b.S(RST | ACK));
    for (const s of h.opened) attach(s);
    const c = new Conv('10.0.0.53', '10.0.0.10', 40303, 16992);
    h.feed(c.C(SYN));
    attach(h.opened[2]!);
    h.feed(c.S(SYN | ACK), c.C(ACK));
    expect(made).toBe(0);
    h.feed(c.C(PSH | ACK, 7), c.S(PSH | ACK, 9), c.C(FIN | ACK), c.S(FIN | ACK), c.C(ACK));
    h.end();
    expect(made).toBe(1);
    expect(got).toEqual(['0:7', '1:9', 'end']);
  });

  it('a packet\'s ACK is handled before its payload: the request it releases reaches the analyzer before the answer', () => {
    const h = harness();
    const got: string[] = [];
    const c = new Conv('10.0.0.54', '10.0.0.10', 40304, 16992);
    h.feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    h.opened[0]!.consumerFactory = () => ({ data: (d, _b, o, e) => got.push(`${d}:${e - o}`), gap: (d, n) => got.push(`g${d}:${n}`), end: () => got.push('end') });
    h.feed(c.C(PSH | ACK, 10));
    c.skipC(2); // two bytes of the request never captured
    h.feed(c.C(PSH | ACK, 5)); // held behind the hole
    h.feed(c.S(PSH | ACK, 9)); // the answer, acknowledging all 17 request bytes
    h.end();
    // before: '1:9' came before the held request bytes and the gap
    expect(got).toEqual(['0:10', 'g0:2', '0:5', '1:9', 'end']);
  });

  it('data on a SYN is not analysed (a server without TCP Fast Open drops it), and counted', () => {
    const { anomalies, got, feed, table } = analysed();
    const c = new Conv('10.0.0.55', '10.0.0.10', 40305, 16992);
    // the SYN carries 20 bytes; the SYN-ACK acknowledges only the SYN (ISN + 1): they were not taken
    const c2 = new Conv('10.0.0.55', '10.0.0.10', 40305, 16992, 1001); // the client's sequence after its SYN (ISN 1000)
    feed(c.C(SYN, 20), c2.S(SYN | ACK), c2.C(ACK), c2.C(PSH | ACK, 30));
    table.flushAll('end_of_input');
    expect(got.filter((g) => g.startsWith('0:'))).toEqual(['0:30']);
    expect(anomalies.toObject()).toEqual({ 'session.tcp.syn_with_data': 1 });
  });

  it('a forged SYN-ACK inside an established session does not re-anchor the stream (the request after it is analysed)', () => {
    const { anomalies, got, feed, table } = analysed();
    const c = new Conv('10.0.0.56', '10.0.0.10', 40306, 16992);
    const forged = new Conv('10.0.0.56', '10.0.0.10', 40306, 16992, 777_777);
    feed(c.C(SYN), c.S(SYN | ACK), c.C(ACK));
    feed(forged.C(SYN | ACK)); // a receiver answers it with a challenge ACK and drops it
    feed(c.C(PSH | ACK, 40), c.S(PSH | ACK, 9));
    table.flushAll('end_of_input');
    expect(got).toEqual(['0:40', '1:9', 'end']);
    expect(anomalies.toObject()).toEqual({ 'session.tcp.syn_inside_connection': 1 });
  });

  it('addresses are copied out of the packet buffer (a reused Buffer must not change them)', () => {
    const h = harness();
    const x = pkt({ src: '2001:db8::50', dst: '2001:db8::10', sport: 40400, dport: 16992, flags: SYN, seq: 1 });
    const buf = Buffer.from(x.buf); // a Buffer, whose .slice() would be a view
    h.table.handle(x.p, buf, T0);
    buf.fill(0xee);
    const [e] = h.end();
    expect(Array.from(e!.s.origAddr.subarray(0, 4))).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(Array.from(e!.s.respAddr.subarray(14))).toEqual([0x00, 0x10]);
  });
});
