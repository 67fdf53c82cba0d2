import { describe, expect, it } from 'vitest';
import { A_UDP_LEN_EXCEEDS_IP, A_UDP_LEN_TOO_SMALL, A_UDP_TRUNCATED, anomalyName } from '../../../src/core/anomaly.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../../src/decode/constants.js';
import { decodePacket } from '../../../src/decode/link.js';
import { DECODE_NOT_TCP, DECODE_UDP, DecodedPacket, FRAG_FIRST, FRAG_NONE } from '../../../src/decode/packet.js';
import { decodeUdp } from '../../../src/decode/udp.js';
import { concat, ETH_IPV4, ethernet, ipv4, ipv6 } from '../../../pcaps/gen/lib/packets.js';

const PING = Uint8Array.of(0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x01, 0x00, 0x00);
const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);

/** A UDP header + payload whose length field says `ulen` (default: the true length). */
function udpSeg(sport: number, dport: number, payload: Uint8Array, ulen = 8 + payload.length): Uint8Array {
  return concat(u16(sport), u16(dport), u16(ulen), u16(0), payload);
}
const v4 = (seg: Uint8Array, o: { mf?: boolean; fragOffset?: number; totalLenOverride?: number } = {}) =>
  ipv4({ src: '198.51.100.50', dst: '192.0.2.10', proto: 17, payload: seg, ...o });

function dec(frame: Uint8Array, linkType: number, udp: boolean, wireLen = frame.length): { r: number; p: DecodedPacket } {
  const p = new DecodedPacket();
  return { r: decodePacket(frame, 0, frame.length, wireLen, linkType, p, udp), p };
}
const name = (r: number): string => (r === DECODE_UDP ? 'udp' : r === DECODE_NOT_TCP ? 'not_tcp' : r < 0 ? anomalyName(-r) : String(r));

describe('decodeUdp (via decodePacket with UDP decoding on)', () => {
  it('fills ports, offsets and lengths of an Ethernet/IPv4/UDP datagram (Ethernet padding is not UDP payload)', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4(udpSeg(40000, 623, PING)) });
    expect(f.length).toBe(60); // padded: 14 + 20 + 8 + 12 = 54 on the wire before padding
    const { r, p } = dec(f, LINKTYPE_ETHERNET, true);
    expect(name(r)).toBe('udp');
    expect([p.srcPort, p.dstPort, p.udpOff, p.payloadOff, p.payloadLen, p.payloadCapLen, p.ipFrag]).toEqual([40000, 623, 34, 42, 12, 12, FRAG_NONE]);
    expect(Buffer.from(f.subarray(p.payloadOff, p.payloadOff + p.payloadLen)).equals(Buffer.from(PING))).toBe(true);
  });

  it('without UDP decoding a UDP datagram is DECODE_NOT_TCP, exactly as before (and lies are not looked at)', () => {
    expect(name(dec(v4(udpSeg(40000, 623, PING)), LINKTYPE_RAW, false).r)).toBe('not_tcp');
    expect(name(dec(v4(udpSeg(40000, 623, PING, 3)), LINKTYPE_RAW, false).r)).toBe('not_tcp');
  });

  it('IPv6', () => {
    const seg = udpSeg(623, 40001, PING);
    const { r, p } = dec(ipv6({ src: '2001:db8::10', dst: '2001:db8::50', nextHeader: 17, payload: seg }), LINKTYPE_RAW, true);
    expect(name(r)).toBe('udp');
    expect([p.ipVersion, p.srcPort, p.dstPort, p.payloadOff, p.payloadLen]).toEqual([6, 623, 40001, 48, 12]);
  });

  it('a UDP length below the IP payload bounds the payload (trailing bytes are not UDP) and is no anomaly', () => {
    const seg = concat(udpSeg(40000, 623, PING, 8 + 4), Uint8Array.of(9, 9, 9));
    const { r, p } = dec(v4(seg), LINKTYPE_RAW, true);
    expect(name(r)).toBe('udp');
    expect(p.payloadLen).toBe(4);
  });

  it('lying lengths: UDP length past the IP payload, UDP length under 8, an IP length too short for a UDP header', () => {
    expect(name(dec(v4(udpSeg(40000, 623, PING, 40)), LINKTYPE_RAW, true).r)).toBe(anomalyName(A_UDP_LEN_EXCEEDS_IP));
    for (const l of [0, 1, 7]) expect(name(dec(v4(udpSeg(40000, 623, PING, l)), LINKTYPE_RAW, true).r)).toBe(anomalyName(A_UDP_LEN_TOO_SMALL));
    // IPv4 total length 26: 6 bytes of "UDP"
    expect(name(dec(v4(udpSeg(40000, 623, PING), { totalLenOverride: 26 }), LINKTYPE_RAW, true).r)).toBe(anomalyName(A_UDP_TRUNCATED));
  });

  it('truncation sweep: every prefix, short (anomaly until the header is whole) and snapped (payloadCapLen = bytes there)', () => {
    const frame = v4(udpSeg(40000, 623, PING));
    for (let n = 0; n < frame.length; n++) {
      const cut = frame.slice(0, n);
      let short!: { r: number; p: DecodedPacket };
      expect(() => {
        short = dec(cut, LINKTYPE_RAW, true);
      }).not.toThrow();
      expect(short.r < 0, `prefix ${n}: ${name(short.r)}`).toBe(true);
      const snapped = dec(cut, LINKTYPE_RAW, true, frame.length);
      if (n < 28) expect(snapped.r < 0, `snapped prefix ${n}: ${name(snapped.r)}`).toBe(true);
      else {
        expect(name(snapped.r), `snapped prefix ${n}`).toBe('udp');
        expect(snapped.p.payloadLen).toBe(12);
        expect(snapped.p.payloadCapLen).toBe(n - 28);
      }
    }
    expect(name(dec(frame, LINKTYPE_RAW, true).r)).toBe('udp');
  });

  it('fragments: the first one is decoded (ipFrag FRAG_FIRST, payload = what it carries), a later one has no UDP header', () => {
    const whole = udpSeg(40000, 623, new Uint8Array(40).fill(7));
    const first = dec(v4(whole.subarray(0, 24), { mf: true }), LINKTYPE_RAW, true);
    expect(name(first.r)).toBe('udp');
    expect([first.p.ipFrag, first.p.dstPort, first.p.payloadLen]).toEqual([FRAG_FIRST, 623, 16]);
    const later = dec(v4(whole.subarray(24), { fragOffset: 3 }), LINKTYPE_RAW, true);
    expect(name(later.r)).toBe('not_tcp');
    // IPv6 fragment header: offset 0 with M set, then offset 3
    const f6 = (off: number, m: boolean, body: Uint8Array) =>
      ipv6({ src: '2001:db8::50', dst: '2001:db8::10', nextHeader: 17, ext: [{ type: 44, body: Uint8Array.of((off << 3) >> 8, ((off << 3) & 0xff) | (m ? 1 : 0), 0, 0, 0, 1) }], payload: body });
    const a = dec(f6(0, true, whole.subarray(0, 24)), LINKTYPE_RAW, true);
    expect([name(a.r), a.p.ipFrag]).toEqual(['udp', FRAG_FIRST]);
    expect(name(dec(f6(3, false, whole.subarray(24)), LINKTYPE_RAW, true).r)).toBe('not_tcp');
  });

  it('decodeUdp alone checks its own bounds', () => {
    const p = new DecodedPacket();
    const buf = udpSeg(1, 2, PING);
    p.ipOff = 0;
    p.ipLen = buf.length;
    expect(decodeUdp(buf, 0, buf.length, p)).toBe(8);
    expect(decodeUdp(buf, 0, 7, p)).toBe(-A_UDP_TRUNCATED);
    p.ipLen = 7;
    expect(decodeUdp(buf, 0, buf.length, p)).toBe(-A_UDP_TRUNCATED);
  });
});
