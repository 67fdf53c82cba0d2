/** Shared helpers for the decode tests: frame builders on top of pcaps/gen/lib/packets.ts, a sweep. */
import { expect } from 'vitest';
import { anomalyName } from '../../../src/core/anomaly.js';
import { decodePacket } from '../../../src/decode/link.js';
import { DECODE_TCP, DecodedPacket } from '../../../src/decode/packet.js';
import { ip4, ip6, ipv4, ipv6, tcp, type Ipv4Opts, type Ipv6Opts, type TcpOpts } from '../../../pcaps/gen/lib/packets.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const GET = enc('GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n');

export interface Decoded {
  r: number;
  p: DecodedPacket;
}

/** decodePacket over a whole frame at offset 0 (or inside a larger buffer with `pre` junk bytes). */
export function dec(frame: Uint8Array, linkType: number, wireLen = frame.length, pre = 0): Decoded {
  const p = new DecodedPacket();
  let buf = frame;
  if (pre) {
    buf = new Uint8Array(pre + frame.length + 7).fill(0xee);
    buf.set(frame, pre);
  }
  const r = decodePacket(buf, pre, pre + frame.length, wireLen, linkType, p);
  return { r, p };
}

/** An IPv4 packet carrying a TCP segment with a correct checksum. */
export function v4tcp(
  t: Partial<Omit<TcpOpts, 'src' | 'dst'>> = {},
  ip: Partial<Omit<Ipv4Opts, 'payload'>> = {},
): Uint8Array {
  const src = ip.src ?? '10.0.0.50';
  const dst = ip.dst ?? '10.0.0.10';
  const seg = tcp({ sport: 50001, dport: 16992, flags: 0x18, seq: 1001, ack: 5001, ...t, src: ip4(src), dst: ip4(dst) });
  return ipv4({ ...ip, src, dst, payload: seg });
}

/** An IPv6 packet carrying a TCP segment (extension headers allowed). */
export function v6tcp(
  t: Partial<Omit<TcpOpts, 'src' | 'dst'>> = {},
  ip: Partial<Omit<Ipv6Opts, 'payload'>> = {},
): Uint8Array {
  const src = ip.src ?? '2001:db8::50';
  const dst = ip.dst ?? '2001:db8::10';
  const seg = tcp({ sport: 50001, dport: 16992, flags: 0x18, seq: 1001, ack: 5001, ...t, src: ip6(src), dst: ip6(dst) });
  return ipv6({ ...ip, src, dst, payload: seg });
}

/** Names a result for readable failures. */
export function rname(r: number): string {
  if (r === 0) return 'DECODE_TCP';
  if (r === 1) return 'DECODE_NOT_IP';
  if (r === 2) return 'DECODE_NOT_TCP';
  return anomalyName(-r);
}

/** Asserts the result code, printing names on mismatch. */
export function expectCode(r: number, want: number): void {
  expect(rname(r)).toBe(rname(want));
}

/**
 * Truncation sweep: every prefix 0..n-1 of `frame`, both as a short frame (wireLen = prefix) and as a
 * snapped frame (wireLen = n). Never throws; a prefix shorter than `ipEnd` (the end of the IP packet
 * in the frame; Ethernet padding may follow) is a negative anomaly code when unsnapped (an IP frame
 * cut short is never "not IP"); a snapped prefix is TCP exactly when it holds the whole TCP header,
 * with payloadCapLen = bytes present, and a negative code otherwise.
 */
export function sweep(frame: Uint8Array, linkType: number, ipEnd: number, tcpHdrEnd: number): void {
  const whole = dec(frame, linkType);
  expect(rname(whole.r)).toBe('DECODE_TCP');
  const payloadLen = whole.p.payloadLen;
  for (let n = 0; n < frame.length; n++) {
    const cut = frame.slice(0, n);
    let res!: Decoded;
    expect(() => {
      res = dec(cut, linkType);
    }).not.toThrow();
    if (n < ipEnd) {
      expect(res.r < 0, `prefix ${n}: ${rname(res.r)}`).toBe(true);
    } else {
      expect(res.r, `prefix ${n}`).toBe(DECODE_TCP);
    }
    const snapped = dec(cut, linkType, frame.length);
    if (n < tcpHdrEnd) {
      expect(snapped.r < 0, `snapped prefix ${n}: ${rname(snapped.r)}`).toBe(true);
    } else {
      expect(snapped.r, `snapped prefix ${n}: ${rname(snapped.r)}`).toBe(DECODE_TCP);
      expect(snapped.p.payloadLen).toBe(payloadLen);
      expect(snapped.p.payloadCapLen).toBe(Math.min(n, ipEnd) - snapped.p.payloadOff);
    }
  }
}
