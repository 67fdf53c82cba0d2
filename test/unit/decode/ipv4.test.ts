import { describe, expect, it } from 'vitest';
import {
  A_IPV4_BAD_VERSION,
  A_IPV4_FRAGMENT,
  A_IPV4_HLEN_TOO_LARGE,
  A_IPV4_HLEN_TOO_SMALL,
  A_IPV4_OPT_MALFORMED,
  A_IPV4_TOTAL_LEN_EXCEEDS_FRAME,
  A_IPV4_TOTAL_LEN_TOO_SMALL,
  A_IPV4_TRUNCATED,
  A_TCP_TRUNCATED,
} from '../../../src/core/anomaly.js';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_RAW } from '../../../src/decode/constants.js';
import { decodeIpv4 } from '../../../src/decode/ipv4.js';
import { DECODE_NOT_TCP, DECODE_TCP, DecodedPacket, TCP_SYN } from '../../../src/decode/packet.js';
import { ETH_IPV4, ethernet, ipv4 } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp } from './helpers.js';

const RR = Uint8Array.of(1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0); // NOP + record route (3 bytes + 8 data)
const RA = Uint8Array.of(148, 4, 0, 0); // router alert

describe('decodeIpv4', () => {
  it('fills the IPv4 fields (Ethernet, padding trimmed by the total length)', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ flags: TCP_SYN, payload: new Uint8Array(0) }, { ttl: 128, src: '10.0.0.50', dst: '10.0.0.10' }) });
    expect(f.length).toBe(60);
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.ipVersion).toBe(4);
    expect(p.ipOff).toBe(14);
    expect(p.ipLen).toBe(40);
    expect(p.ttl).toBe(128);
    expect(p.ipProto).toBe(6);
    expect(p.src4).toBe(0x0a000032);
    expect(p.dst4).toBe(0x0a00000a);
    expect(p.payloadLen).toBe(0);
    expect(p.payloadCapLen).toBe(0);
    expect(p.etherType).toBe(0x0800);
  });

  it('addresses >= 128.0.0.0 are unsigned', () => {
    const { p } = dec(v4tcp({}, { src: '255.254.253.252', dst: '192.168.1.1' }), LINKTYPE_RAW);
    expect(p.src4).toBe(0xfffefdfc);
    expect(p.dst4).toBe(0xc0a80101);
  });

  it('works at a non-zero offset inside a larger buffer', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET, f.length, 37);
    expectCode(r, DECODE_TCP);
    expect(p.ipOff).toBe(37 + 14);
    expect(p.payloadOff).toBe(37 + 54);
    expect(p.payloadLen).toBe(GET.length);
  });

  it('walks options: NOP, record route, router alert, EOL', () => {
    const a = dec(v4tcp({ payload: GET }, { options: RR }), LINKTYPE_RAW);
    expectCode(a.r, DECODE_TCP);
    expect(a.p.tcpOff).toBe(32);
    expect(a.p.ipLen).toBe(32 + 20 + GET.length);
    const b = dec(v4tcp({}, { options: Uint8Array.of(...RA, 0, 0xff, 0xff, 0xff) }), LINKTYPE_RAW); // EOL then junk
    expectCode(b.r, DECODE_TCP);
    expect(b.p.tcpOff).toBe(28);
    const c = dec(v4tcp({}, { options: Uint8Array.of(1, 1, 1, 1) }), LINKTYPE_RAW);
    expectCode(c.r, DECODE_TCP);
  });

  it('malformed options: length < 2, length past the header, length byte missing', () => {
    expectCode(dec(v4tcp({}, { options: Uint8Array.of(7, 1, 0, 0) }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
    expectCode(dec(v4tcp({}, { options: Uint8Array.of(7, 0, 0, 0) }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
    expectCode(dec(v4tcp({}, { options: Uint8Array.of(148, 5, 0, 0) }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
    expectCode(dec(v4tcp({}, { options: Uint8Array.of(1, 1, 1, 148) }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
    expectCode(dec(v4tcp({}, { options: Uint8Array.of(7, 40, 4, 0, 0, 0, 0, 0) }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
  });

  it('fragments of TCP: first (MF), middle, last (offset) are anomalies; fields are filled', () => {
    const first = dec(v4tcp({ payload: GET }, { mf: true, id: 77 }), LINKTYPE_RAW);
    expectCode(first.r, -A_IPV4_FRAGMENT);
    expect(first.p.src4).toBe(0x0a000032);
    expectCode(dec(v4tcp({ payload: GET }, { mf: true, fragOffset: 8 }), LINKTYPE_RAW).r, -A_IPV4_FRAGMENT);
    expectCode(dec(v4tcp({ payload: GET }, { fragOffset: 8 }), LINKTYPE_RAW).r, -A_IPV4_FRAGMENT);
    // DF alone is not a fragment
    expectCode(dec(v4tcp({ payload: GET }, { df: true }), LINKTYPE_RAW).r, DECODE_TCP);
  });

  it('non-TCP is DECODE_NOT_TCP, fragmented or not', () => {
    const udp = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: new Uint8Array(16) });
    const r = dec(udp, LINKTYPE_RAW);
    expectCode(r.r, DECODE_NOT_TCP);
    expect(r.p.ipProto).toBe(17);
    expectCode(dec(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, mf: true, payload: new Uint8Array(16) }), LINKTYPE_RAW).r, DECODE_NOT_TCP);
    expectCode(dec(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1, payload: new Uint8Array(8) }), LINKTYPE_IPV4).r, DECODE_NOT_TCP);
  });

  it('checks in Suricata order', () => {
    expectCode(dec(new Uint8Array(19).fill(0x45), LINKTYPE_IPV4).r, -A_IPV4_TRUNCATED);
    // version 6 in an IPv4 slot; also IHL wrong: version wins
    expectCode(dec(v4tcp({}, { versionOverride: 6, ihlOverride: 2 }), LINKTYPE_IPV4).r, -A_IPV4_BAD_VERSION);
    expectCode(dec(v4tcp({}, { versionOverride: 5 }), LINKTYPE_IPV4).r, -A_IPV4_BAD_VERSION);
    // IHL too small wins over total length 0
    expectCode(dec(v4tcp({}, { ihlOverride: 4, totalLenOverride: 0 }), LINKTYPE_RAW).r, -A_IPV4_HLEN_TOO_SMALL);
    // IHL too large wins over total length too small
    expectCode(dec(v4tcp({ flags: TCP_SYN }, { ihlOverride: 15, totalLenOverride: 10 }), LINKTYPE_RAW).r, -A_IPV4_HLEN_TOO_LARGE);
  });

  it('IHL lies: 4, 0, 15 (past the frame), larger than the total length', () => {
    expectCode(dec(v4tcp({}, { ihlOverride: 4 }), LINKTYPE_RAW).r, -A_IPV4_HLEN_TOO_SMALL);
    expectCode(dec(v4tcp({}, { ihlOverride: 0 }), LINKTYPE_RAW).r, -A_IPV4_HLEN_TOO_SMALL);
    expectCode(dec(v4tcp({ flags: TCP_SYN }, { ihlOverride: 15 }), LINKTYPE_RAW).r, -A_IPV4_HLEN_TOO_LARGE);
    // Ethernet: IHL 15 = 60 bytes > the 46 bytes after the Ethernet header of a padded SYN
    expectCode(dec(ethernet({ type: ETH_IPV4, payload: v4tcp({ flags: TCP_SYN }, { ihlOverride: 15 }) }), LINKTYPE_ETHERNET).r, -A_IPV4_HLEN_TOO_LARGE);
    // IHL 15 with the bytes present but total length 40 < 60
    expectCode(dec(v4tcp({ payload: GET }, { ihlOverride: 15, totalLenOverride: 40 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_TOO_SMALL);
    // IHL 6 on a packet without options: the TCP ports (0xc351 = 50001) read as option 0xc3, length 0x51
    expectCode(dec(v4tcp({ payload: GET }, { ihlOverride: 6 }), LINKTYPE_RAW).r, -A_IPV4_OPT_MALFORMED);
  });

  it('total length lies: too big, too small, zero, nested larger than the frame', () => {
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 1500 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 40 + GET.length + 1 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 0xffff }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 19 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_TOO_SMALL);
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 16 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_TOO_SMALL);
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 0 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_TOO_SMALL);
    expectCode(dec(v4tcp({ payload: GET }, { options: RR, totalLenOverride: 24 }), LINKTYPE_RAW).r, -A_IPV4_TOTAL_LEN_TOO_SMALL);
    // total length = IHL*4 exactly: an IP packet with no room for TCP
    expectCode(dec(v4tcp({ payload: GET }, { totalLenOverride: 20 }), LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
    // Ethernet: total length reaching into nothing (frame not snapped)
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }, { totalLenOverride: 200 }) });
    expectCode(dec(f, LINKTYPE_ETHERNET).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
  });

  it('snapped: total length past the capture is not an anomaly when wireLen accounts for it', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    const cut = f.slice(0, 70);
    const s = dec(cut, LINKTYPE_ETHERNET, f.length);
    expectCode(s.r, DECODE_TCP);
    expect(s.p.snapLoss).toBe(f.length - 70);
    expect(s.p.ipLen).toBe(40 + GET.length);
    expect(s.p.payloadLen).toBe(GET.length);
    expect(s.p.payloadCapLen).toBe(16);
    // same cut, not snapped (wireLen = caplen): the total length lies
    expectCode(dec(cut, LINKTYPE_ETHERNET).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
    // snapped, but the total length is larger than even the wire length
    const lie = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }, { totalLenOverride: 1400 }) });
    expectCode(dec(lie.slice(0, 70), LINKTYPE_ETHERNET, lie.length).r, -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME);
    // snapped inside the options: truncated, not a lying IHL
    const o = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }, { options: RR }) });
    expectCode(dec(o.slice(0, 40), LINKTYPE_ETHERNET, o.length).r, -A_IPV4_TRUNCATED);
    expectCode(dec(o.slice(0, 40), LINKTYPE_ETHERNET).r, -A_IPV4_HLEN_TOO_LARGE);
    // snapped inside the fixed header
    expectCode(dec(o.slice(0, 30), LINKTYPE_ETHERNET, o.length).r, -A_IPV4_TRUNCATED);
  });

  it('direct call returns the transport offset', () => {
    const ip = v4tcp({}, { options: RA });
    const p = new DecodedPacket();
    expect(decodeIpv4(ip, 0, ip.length, p)).toBe(24);
    expect(p.ipLen).toBe(ip.length);
  });

  it('truncation sweep (raw IPv4 with options, LINKTYPE_IPV4)', () => {
    const ip = v4tcp({ payload: GET }, { options: RR });
    sweep(ip, LINKTYPE_RAW, ip.length, 52);
    sweep(ip, LINKTYPE_IPV4, ip.length, 52);
  });
});
