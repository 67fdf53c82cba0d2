import { describe, expect, it } from 'vitest';
import { A_IP_BAD_VERSION, A_IPV4_BAD_VERSION, A_IPV4_TRUNCATED, A_IPV6_BAD_VERSION, A_LINK_UNSUPPORTED } from '../../../src/core/anomaly.js';
import * as C from '../../../src/decode/constants.js';
import { decodePacket, isSupportedLinkType } from '../../../src/decode/link.js';
import { DECODE_NOT_IP, DECODE_NOT_TCP, DECODE_TCP, DecodedPacket } from '../../../src/decode/packet.js';
import * as F from '../../../src/io/frame.js';
import { ETH_ARP, ETH_IPV4, ETH_IPV6, ethernet, ipv4, nullLink, sll, sll2 } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp, v6tcp } from './helpers.js';

describe('decode constants', () => {
  it('LINKTYPE_* mirror io/frame.ts', () => {
    const ours = Object.entries(C).filter(([k]) => k.startsWith('LINKTYPE_'));
    const theirs = Object.entries(F).filter(([k]) => k.startsWith('LINKTYPE_'));
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));
    for (const [, v] of theirs) expect(isSupportedLinkType(v as number)).toBe(true);
  });
});

describe('decodePacket', () => {
  it('raw IP (101, 12, 14) decides v4/v6 from the version nibble', () => {
    for (const lt of [C.LINKTYPE_RAW, C.LINKTYPE_RAW_DLT12, C.LINKTYPE_RAW_DLT14]) {
      const a = dec(v4tcp({ payload: GET, sport: 50010, dport: 16993 }), lt);
      expectCode(a.r, DECODE_TCP);
      expect(a.p.ipVersion).toBe(4);
      expect(a.p.ipOff).toBe(0);
      expect(a.p.srcPort).toBe(50010);
      expect(a.p.dstPort).toBe(16993);
      expect(a.p.ipLen).toBe(40 + GET.length);
      const b = dec(v6tcp({ payload: GET, sport: 50011, dport: 16994 }), lt);
      expectCode(b.r, DECODE_TCP);
      expect(b.p.ipVersion).toBe(6);
      expect(b.p.ipLen).toBe(60 + GET.length);
      expect(b.p.dstPort).toBe(16994);
      expectCode(dec(v4tcp({}, { versionOverride: 5 }), lt).r, -A_IP_BAD_VERSION);
      expectCode(dec(new Uint8Array(0), lt).r, -A_IPV4_TRUNCATED);
    }
  });

  it('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) insist on their version', () => {
    expectCode(dec(v4tcp(), C.LINKTYPE_IPV4).r, DECODE_TCP);
    expectCode(dec(v6tcp(), C.LINKTYPE_IPV6).r, DECODE_TCP);
    expectCode(dec(v6tcp(), C.LINKTYPE_IPV4).r, -A_IPV4_BAD_VERSION);
    expectCode(dec(v4tcp(), C.LINKTYPE_IPV6).r, -A_IPV6_BAD_VERSION);
  });

  it('unknown link types', () => {
    for (const lt of [2, 9, 105, 127, 147, 0xffff, -1]) {
      expectCode(dec(v4tcp(), lt).r, -A_LINK_UNSUPPORTED);
      expect(isSupportedLinkType(lt)).toBe(false);
    }
  });

  it('Ethernet IPv4 UDP is DECODE_NOT_TCP; ARP is DECODE_NOT_IP', () => {
    expectCode(dec(ethernet({ type: ETH_IPV4, payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: new Uint8Array(20) }) }), 1).r, DECODE_NOT_TCP);
    expectCode(dec(ethernet({ type: ETH_ARP, payload: new Uint8Array(28) }), 1).r, DECODE_NOT_IP);
  });

  it('resets per-packet state: a tagged frame then an untagged one', () => {
    const p = new DecodedPacket();
    const tagged = ethernet({ type: ETH_IPV4, vlans: [{ tpid: 0x88a8, vid: 300 }, { vid: 100 }], payload: v4tcp() });
    const plain = sll2({ protocol: ETH_IPV6, payload: v6tcp() });
    expect(decodePacket(tagged, 0, tagged.length, tagged.length, 1, p)).toBe(DECODE_TCP);
    expect(p.vlan).toBe(300);
    expect(decodePacket(plain, 0, plain.length, plain.length + 100, C.LINKTYPE_LINUX_SLL2, p)).toBe(DECODE_TCP);
    expect(p.vlan).toBe(-1);
    expect(p.innerVlan).toBe(-1);
    expect(p.vlanCount).toBe(0);
    expect(p.snapLoss).toBe(100);
    expect(decodePacket(tagged, 0, tagged.length, tagged.length, 1, p)).toBe(DECODE_TCP);
    expect(p.snapLoss).toBe(0);
  });

  it('an end past the buffer is clamped; wireLen smaller than the capture is ignored', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    const p = new DecodedPacket();
    expect(decodePacket(f, 0, f.length + 50, 10, 1, p)).toBe(DECODE_TCP);
    expect(p.snapLoss).toBe(0);
    expect(p.payloadCapLen).toBe(GET.length);
    const cut = f.slice(0, 60);
    expect(decodePacket(cut, 0, 200, f.length, 1, p)).toBe(DECODE_TCP);
    expect(p.payloadCapLen).toBe(6);
  });

  it('never throws on random bytes, for every supported link type', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    const p = new DecodedPacket();
    const seeds = [
      ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) }),
      ethernet({ type: ETH_IPV6, vlans: [{ vid: 5 }], payload: v6tcp({ payload: GET }, { ext: [{ type: 0 }, { type: 60 }] }) }),
      sll({ protocol: ETH_IPV4, payload: v4tcp() }),
      nullLink(30, v6tcp()),
    ];
    const lts = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];
    for (let i = 0; i < 20000; i++) {
      const base = seeds[i % seeds.length] as Uint8Array;
      const f = base.slice(0, 1 + (rnd() % base.length));
      // flip a few bytes in the headers
      for (let k = 0; k < 3; k++) f[rnd() % Math.min(f.length, 80)] = rnd();
      const lt = lts[i % lts.length] as number;
      const r = decodePacket(f, 0, f.length, f.length + (i & 1 ? rnd() : 0), lt, p);
      expect(Number.isInteger(r)).toBe(true);
      if (r === DECODE_TCP) {
        expect(p.payloadCapLen).toBeGreaterThanOrEqual(0);
        expect(p.payloadCapLen).toBeLessThanOrEqual(p.payloadLen);
        expect(p.payloadOff + p.payloadCapLen).toBeLessThanOrEqual(f.length);
        expect(p.tcpOff + p.tcpHdrLen).toBeLessThanOrEqual(f.length);
      }
    }
  });

  it('truncation sweeps over every link type', () => {
    const v4 = v4tcp({ payload: GET });
    const v6 = v6tcp({ payload: GET });
    sweep(v4, C.LINKTYPE_RAW, v4.length, 40);
    sweep(v6, C.LINKTYPE_RAW_DLT12, v6.length, 60);
    sweep(v6, C.LINKTYPE_IPV6, v6.length, 60);
    const n = nullLink(2, v4);
    sweep(n, C.LINKTYPE_NULL, n.length, 44);
    const s = sll({ protocol: ETH_IPV6, payload: v6 });
    sweep(s, C.LINKTYPE_LINUX_SLL, s.length, 76);
  });
});
