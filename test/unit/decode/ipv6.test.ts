import { describe, expect, it } from 'vitest';
import {
  A_IPV6_BAD_VERSION,
  A_IPV6_EXT_TOO_MANY,
  A_IPV6_EXT_TRUNCATED,
  A_IPV6_FRAGMENT,
  A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME,
  A_IPV6_TRUNCATED,
  A_TCP_TRUNCATED,
} from '../../../src/core/anomaly.js';
import { MAX_IPV6_EXT_HEADERS } from '../../../src/core/limits.js';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV6, LINKTYPE_RAW } from '../../../src/decode/constants.js';
import { decodeIpv6 } from '../../../src/decode/ipv6.js';
import { DECODE_NOT_TCP, DECODE_TCP, DecodedPacket, TCP_ACK, TCP_PSH } from '../../../src/decode/packet.js';
import { ETH_IPV6, concat, ethernet, ip6, ipv6, type Ipv6Ext } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v6tcp } from './helpers.js';

const HBH: Ipv6Ext = { type: 0, body: Uint8Array.of(1, 4, 0, 0, 0, 0) }; // PadN: 8 bytes
const SRH: Ipv6Ext = { type: 43, body: concat(Uint8Array.of(4, 0, 0, 0, 0, 0), ip6('2001:db8::10')) }; // 24 bytes, segments left 0
const DST: Ipv6Ext = { type: 60, body: Uint8Array.of(1, 12, ...new Uint8Array(12)) }; // 16 bytes
const AH: Ipv6Ext = { type: 51, body: new Uint8Array(22).fill(0xa5), lenOverride: 4 }; // (4 + 2) * 4 = 24 bytes
const MOB: Ipv6Ext = { type: 135, body: new Uint8Array(6) }; // 8 bytes
const frag = (offsetUnits: number, more: boolean): Ipv6Ext => {
  const v = (offsetUnits << 3) | (more ? 1 : 0);
  return { type: 44, body: Uint8Array.of(v >> 8, v & 0xff, 0, 0, 0x12, 0x34) };
};

describe('decodeIpv6', () => {
  it('fills the IPv6 fields (Ethernet)', () => {
    const f = ethernet({ type: ETH_IPV6, payload: v6tcp({ payload: GET, flags: TCP_PSH | TCP_ACK, seq: 0x90000000, ack: 7 }, { hopLimit: 255 }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.ipVersion).toBe(6);
    expect(p.ipOff).toBe(14);
    expect(p.ipLen).toBe(40 + 20 + GET.length);
    expect(p.src6Off).toBe(14 + 8);
    expect(p.dst6Off).toBe(14 + 24);
    expect([...f.subarray(p.src6Off, p.src6Off + 16)]).toEqual([...ip6('2001:db8::50')]);
    expect([...f.subarray(p.dst6Off, p.dst6Off + 16)]).toEqual([...ip6('2001:db8::10')]);
    expect(p.ttl).toBe(255);
    expect(p.ipProto).toBe(6);
    expect(p.tcpOff).toBe(54);
    expect(p.srcPort).toBe(50001);
    expect(p.dstPort).toBe(16992);
    expect(p.seq).toBe(0x90000000);
    expect(p.ack).toBe(7);
    expect(p.flags).toBe(0x18);
    expect(p.payloadOff).toBe(74);
    expect(p.payloadLen).toBe(GET.length);
    expect(p.payloadCapLen).toBe(GET.length);
  });

  it('walks hop-by-hop + routing + destination options before TCP', () => {
    const ip = v6tcp({ payload: GET }, { ext: [HBH, SRH, DST] });
    const { r, p } = dec(ip, LINKTYPE_RAW);
    expectCode(r, DECODE_TCP);
    expect(p.tcpOff).toBe(40 + 8 + 24 + 16);
    expect(p.ipLen).toBe(ip.length);
    expect(p.ipLen).toBe(40 + 48 + 20 + GET.length);
    expect(p.payloadLen).toBe(GET.length);
    expect(p.srcPort).toBe(50001);
    expect(p.dstPort).toBe(16992);
  });

  it('walks AH (4-byte units + 2), mobility, an atomic fragment', () => {
    const a = dec(v6tcp({ payload: GET }, { ext: [AH] }), LINKTYPE_RAW);
    expectCode(a.r, DECODE_TCP);
    expect(a.p.tcpOff).toBe(64);
    const m = dec(v6tcp({ payload: GET }, { ext: [HBH, MOB] }), LINKTYPE_RAW);
    expectCode(m.r, DECODE_TCP);
    expect(m.p.tcpOff).toBe(56);
    const at = dec(v6tcp({ payload: GET }, { ext: [frag(0, false)] }), LINKTYPE_RAW);
    expectCode(at.r, DECODE_TCP);
    expect(at.p.tcpOff).toBe(48);
    expect(at.p.payloadLen).toBe(GET.length);
  });

  it('fragments of TCP are anomalies (first, middle, last); others are not TCP', () => {
    const first = dec(v6tcp({ payload: GET }, { ext: [frag(0, true)] }), LINKTYPE_RAW);
    expectCode(first.r, -A_IPV6_FRAGMENT);
    expect(first.p.ipProto).toBe(6);
    expect(first.p.src6Off).toBe(8);
    expectCode(dec(v6tcp({ payload: GET }, { ext: [HBH, frag(4, true)] }), LINKTYPE_RAW).r, -A_IPV6_FRAGMENT);
    expectCode(dec(v6tcp({ payload: GET }, { ext: [frag(4, false)] }), LINKTYPE_RAW).r, -A_IPV6_FRAGMENT);
    // fragment followed by a destination-options header: could be TCP, still an anomaly
    expectCode(dec(v6tcp({ payload: GET }, { ext: [frag(0, true), DST] }), LINKTYPE_RAW).r, -A_IPV6_FRAGMENT);
    const udp = dec(ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, ext: [frag(0, true)], payload: new Uint8Array(16) }), LINKTYPE_RAW);
    expectCode(udp.r, DECODE_NOT_TCP);
    expect(udp.p.ipProto).toBe(17);
  });

  it('ESP, no-next-header, UDP, ICMPv6 are DECODE_NOT_TCP', () => {
    for (const nh of [50, 59, 17, 58]) {
      const { r, p } = dec(ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: nh, ext: [HBH], payload: new Uint8Array(24) }), LINKTYPE_IPV6);
      expectCode(r, DECODE_NOT_TCP);
      expect(p.ipProto).toBe(nh);
    }
  });

  it('extension count limit', () => {
    const ok = new Array<Ipv6Ext>(MAX_IPV6_EXT_HEADERS).fill(DST);
    const r = dec(v6tcp({ payload: GET }, { ext: ok }), LINKTYPE_RAW);
    expectCode(r.r, DECODE_TCP);
    expect(r.p.tcpOff).toBe(40 + 16 * MAX_IPV6_EXT_HEADERS);
    expectCode(dec(v6tcp({ payload: GET }, { ext: [...ok, DST] }), LINKTYPE_RAW).r, -A_IPV6_EXT_TOO_MANY);
    expectCode(dec(v6tcp({ payload: GET }, { ext: [...ok, AH] }), LINKTYPE_RAW).r, -A_IPV6_EXT_TOO_MANY);
    expectCode(dec(v6tcp({ payload: GET }, { ext: [...ok, frag(0, true)] }), LINKTYPE_RAW).r, -A_IPV6_EXT_TOO_MANY);
  });

  it('check order: truncated, version, payload length', () => {
    expectCode(dec(new Uint8Array(39).fill(0x60), LINKTYPE_IPV6).r, -A_IPV6_TRUNCATED);
    expectCode(dec(v6tcp({}, { versionOverride: 4 }), LINKTYPE_IPV6).r, -A_IPV6_BAD_VERSION);
    expectCode(dec(v6tcp({}, { versionOverride: 7, payloadLenOverride: 9999 }), LINKTYPE_IPV6).r, -A_IPV6_BAD_VERSION);
  });

  it('payload length lies: too big, too small, zero, 0xffff', () => {
    const n = 20 + GET.length;
    expectCode(dec(v6tcp({ payload: GET }, { payloadLenOverride: n + 1 }), LINKTYPE_RAW).r, -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME);
    expectCode(dec(v6tcp({ payload: GET }, { payloadLenOverride: 0xffff }), LINKTYPE_RAW).r, -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME);
    expectCode(dec(v6tcp({ payload: GET }, { payloadLenOverride: 19 }), LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
    expectCode(dec(v6tcp({ payload: GET }, { payloadLenOverride: 0 }), LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
    // too small but still holding the header: payload bounded by it
    const s = dec(v6tcp({ payload: GET }, { payloadLenOverride: 25 }), LINKTYPE_RAW);
    expectCode(s.r, DECODE_TCP);
    expect(s.p.ipLen).toBe(65);
    expect(s.p.payloadLen).toBe(5);
    expect(s.p.payloadCapLen).toBe(5);
    // payload length smaller than the extension chain
    expectCode(dec(v6tcp({ payload: GET }, { ext: [HBH, SRH, DST], payloadLenOverride: 30 }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
    // jumbogram shape: payload length 0 with a hop-by-hop header
    expectCode(dec(v6tcp({ payload: GET }, { ext: [HBH], payloadLenOverride: 0 }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
    // Ethernet: payload length past the frame (not snapped)
    expectCode(dec(ethernet({ type: ETH_IPV6, payload: v6tcp({}, { payloadLenOverride: 100 }) }), LINKTYPE_ETHERNET).r, -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME);
  });

  it('each extension length lies: past the payload, past the frame, one unit too many', () => {
    for (const [i, e] of [HBH, SRH, DST, MOB].entries()) {
      const big = { ...e, lenOverride: 200 };
      expectCode(dec(v6tcp({ payload: GET }, { ext: [big] }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
      const ext = [HBH, SRH, DST, MOB];
      ext[i] = { ...e, lenOverride: 255 };
      expectCode(dec(v6tcp({ payload: GET }, { ext }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
    }
    expectCode(dec(v6tcp({ payload: GET }, { ext: [{ ...AH, lenOverride: 200 }] }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
    // an extension length one unit too long swallows the TCP header: TCP is then too short
    const over = dec(v6tcp({}, { ext: [{ ...DST, lenOverride: 2 }] }), LINKTYPE_RAW); // 24 bytes of a 16 + 20 payload
    expectCode(over.r, -A_TCP_TRUNCATED);
    // extension runs exactly to the end of the payload: nothing left for TCP
    const exact = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', ext: [DST], payload: new Uint8Array(0) });
    expectCode(dec(exact, LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
    // fragment header cut by the payload length
    expectCode(dec(v6tcp({}, { ext: [frag(0, true)], payloadLenOverride: 4 }), LINKTYPE_RAW).r, -A_IPV6_EXT_TRUNCATED);
  });

  it('snapped: inside an extension is truncated; after the TCP header decodes', () => {
    const f = ethernet({ type: ETH_IPV6, payload: v6tcp({ payload: GET }, { ext: [HBH, SRH, DST] }) });
    expectCode(dec(f.slice(0, 14 + 40 + 20), LINKTYPE_ETHERNET, f.length).r, -A_IPV6_TRUNCATED);
    expectCode(dec(f.slice(0, 14 + 40 + 20), LINKTYPE_ETHERNET).r, -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME);
    expectCode(dec(f.slice(0, 14 + 40 + 49), LINKTYPE_ETHERNET, f.length).r, -A_TCP_TRUNCATED);
    const s = dec(f.slice(0, 14 + 40 + 48 + 20 + 3), LINKTYPE_ETHERNET, f.length);
    expectCode(s.r, DECODE_TCP);
    expect(s.p.payloadLen).toBe(GET.length);
    expect(s.p.payloadCapLen).toBe(3);
  });

  it('direct call returns the upper-layer offset', () => {
    const ip = v6tcp({}, { ext: [HBH, DST] });
    const p = new DecodedPacket();
    expect(decodeIpv6(ip, 0, ip.length, p)).toBe(64);
    expect(p.ipProto).toBe(6);
  });

  it('truncation sweep (plain and with hop-by-hop + routing + destination options; AH)', () => {
    const a = v6tcp({ payload: GET });
    sweep(a, LINKTYPE_RAW, a.length, 60);
    const b = ethernet({ type: ETH_IPV6, payload: v6tcp({ payload: GET }, { ext: [HBH, SRH, DST] }) });
    sweep(b, LINKTYPE_ETHERNET, b.length, 14 + 40 + 48 + 20);
    const c = v6tcp({ payload: GET }, { ext: [AH, frag(0, false)] });
    sweep(c, LINKTYPE_IPV6, c.length, 40 + 24 + 8 + 20);
  });
});
