import { describe, expect, it } from 'vitest';
import { A_TCP_HLEN_TOO_LARGE, A_TCP_HLEN_TOO_SMALL, A_TCP_TRUNCATED } from '../../../src/core/anomaly.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../../src/decode/constants.js';
import { DECODE_TCP, DecodedPacket, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../../src/decode/packet.js';
import { decodeTcp } from '../../../src/decode/tcp.js';
import { ETH_IPV4, ETH_IPV6, ethernet } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, enc, expectCode, sweep, v4tcp, v6tcp } from './helpers.js';

describe('decodeTcp', () => {
  it('fills every field of an Ethernet/IPv4/TCP data segment', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ sport: 50001, dport: 16992, seq: 1001, ack: 5001, flags: TCP_PSH | TCP_ACK, window: 29200, payload: GET }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.tcpOff).toBe(34);
    expect(p.tcpHdrLen).toBe(20);
    expect(p.srcPort).toBe(50001);
    expect(p.dstPort).toBe(16992);
    expect(p.seq).toBe(1001);
    expect(p.ack).toBe(5001);
    expect(p.flags).toBe(0x18);
    expect(p.window).toBe(29200);
    expect(p.payloadOff).toBe(54);
    expect(p.payloadLen).toBe(GET.length);
    expect(p.payloadCapLen).toBe(GET.length);
    expect(Buffer.from(f.subarray(p.payloadOff, p.payloadOff + p.payloadLen)).toString('latin1')).toBe(
      'GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n',
    );
  });

  it('reads seq/ack >= 2^31 as unsigned and every flag bit', () => {
    const all = TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG | TCP_ECE | TCP_CWR;
    const { r, p } = dec(v4tcp({ seq: 0xfffffffe, ack: 0x80000000, flags: all, window: 0xffff, sport: 65535, dport: 1 }), LINKTYPE_RAW);
    expectCode(r, DECODE_TCP);
    expect(p.seq).toBe(4294967294);
    expect(p.ack).toBe(2147483648);
    expect(p.flags).toBe(0xff);
    expect(p.window).toBe(65535);
    expect(p.srcPort).toBe(65535);
    expect(p.dstPort).toBe(1);
  });

  it('skips options by the data offset (options not parsed)', () => {
    const opts = Uint8Array.of(2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1); // MSS, NOP, WS, SACK-permitted, NOPs
    const { r, p } = dec(v4tcp({ flags: TCP_SYN, options: opts, payload: new Uint8Array(0) }), LINKTYPE_RAW);
    expectCode(r, DECODE_TCP);
    expect(p.tcpHdrLen).toBe(32);
    expect(p.payloadOff).toBe(20 + 32);
    expect(p.payloadLen).toBe(0);
    expect(p.payloadCapLen).toBe(0);
  });

  it('data offset lies: < 5, 0, > segment, 15 on a short segment', () => {
    expectCode(dec(v4tcp({ dataOffsetOverride: 4 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_SMALL);
    expectCode(dec(v4tcp({ dataOffsetOverride: 3 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_SMALL);
    expectCode(dec(v4tcp({ dataOffsetOverride: 0 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_SMALL);
    expectCode(dec(v4tcp({ dataOffsetOverride: 15 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_LARGE);
    expectCode(dec(v4tcp({ dataOffsetOverride: 6, payload: new Uint8Array(3) }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_LARGE);
    // 15 is legal when the segment is long enough: the "options" are then 40 payload bytes
    const ok = dec(v4tcp({ dataOffsetOverride: 15, payload: new Uint8Array(45) }), LINKTYPE_RAW);
    expectCode(ok.r, DECODE_TCP);
    expect(ok.p.tcpHdrLen).toBe(60);
    expect(ok.p.payloadLen).toBe(5);
    // the same lies over IPv6
    expectCode(dec(v6tcp({ dataOffsetOverride: 3 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_SMALL);
    expectCode(dec(v6tcp({ dataOffsetOverride: 15 }), LINKTYPE_RAW).r, -A_TCP_HLEN_TOO_LARGE);
  });

  it('data offset larger than the IP-bounded segment even though the frame has the bytes (padding)', () => {
    // 20-byte TCP header claiming 24 bytes; the 60-byte Ethernet minimum gives 6 padding bytes after it
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ dataOffsetOverride: 6, flags: TCP_SYN }) });
    expect(f.length).toBe(60);
    expectCode(dec(f, LINKTYPE_ETHERNET).r, -A_TCP_HLEN_TOO_LARGE);
  });

  it('a segment shorter than 20 bytes by the IP length is truncated even if the frame is longer', () => {
    // IPv4 total length 30: 10 bytes of TCP by the IP length, 20 + payload in the frame
    const ip = v4tcp({ payload: GET }, { totalLenOverride: 30 });
    expectCode(dec(ip, LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
    const ip6 = v6tcp({ payload: GET }, { payloadLenOverride: 19 });
    expectCode(dec(ip6, LINKTYPE_RAW).r, -A_TCP_TRUNCATED);
  });

  it('IP length shorter than the frame: payload is bounded by the IP length', () => {
    const ip = v4tcp({ payload: GET }, { totalLenOverride: 40 + 10 });
    const { r, p } = dec(ip, LINKTYPE_RAW);
    expectCode(r, DECODE_TCP);
    expect(p.ipLen).toBe(50);
    expect(p.payloadLen).toBe(10);
    expect(p.payloadCapLen).toBe(10);
  });

  it('snapped: header present, payloadCapLen < payloadLen; snapped inside the header is truncated', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    const cut = f.slice(0, 60);
    const { r, p } = dec(cut, LINKTYPE_ETHERNET, f.length);
    expectCode(r, DECODE_TCP);
    expect(p.ipLen).toBe(40 + GET.length);
    expect(p.payloadLen).toBe(GET.length);
    expect(p.payloadCapLen).toBe(6);
    expect(p.srcPort).toBe(50001);
    // cut right after the header
    const h = dec(f.slice(0, 54), LINKTYPE_ETHERNET, f.length);
    expectCode(h.r, DECODE_TCP);
    expect(h.p.payloadCapLen).toBe(0);
    // cut inside the 20-byte header
    expectCode(dec(f.slice(0, 53), LINKTYPE_ETHERNET, f.length).r, -A_TCP_TRUNCATED);
    expectCode(dec(f.slice(0, 40), LINKTYPE_ETHERNET, f.length).r, -A_TCP_TRUNCATED);
    // cut inside TCP options (data offset 8)
    const o = ethernet({ type: ETH_IPV4, payload: v4tcp({ options: new Uint8Array(12).fill(1), payload: GET }) });
    expectCode(dec(o.slice(0, 60), LINKTYPE_ETHERNET, o.length).r, -A_TCP_TRUNCATED);
    // IPv6 snapped
    const f6 = ethernet({ type: ETH_IPV6, payload: v6tcp({ payload: GET }) });
    const s6 = dec(f6.slice(0, 96), LINKTYPE_ETHERNET, f6.length);
    expectCode(s6.r, DECODE_TCP);
    expect(s6.p.ipLen).toBe(40 + 20 + GET.length);
    expect(s6.p.payloadLen).toBe(GET.length);
    expect(s6.p.payloadCapLen).toBe(96 - 74);
  });

  it('direct call: uses out.ipOff/ipLen for the segment length', () => {
    const ip = v4tcp({ payload: enc('abc') });
    const p = new DecodedPacket();
    p.ipOff = 0;
    p.ipLen = ip.length;
    expect(decodeTcp(ip, 20, ip.length, p)).toBe(40);
    expect(p.payloadLen).toBe(3);
    p.ipLen = 39;
    expect(decodeTcp(ip, 20, ip.length, p)).toBe(-A_TCP_TRUNCATED);
  });

  it('truncation sweep (Ethernet/IPv4 and Ethernet/IPv6 data segments)', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    sweep(f, LINKTYPE_ETHERNET, f.length, 54);
    const f6 = ethernet({ type: ETH_IPV6, payload: v6tcp({ payload: GET }) });
    sweep(f6, LINKTYPE_ETHERNET, f6.length, 74);
    // a padded SYN: prefixes inside the padding are complete packets
    const syn = ethernet({ type: ETH_IPV4, payload: v4tcp({ flags: TCP_SYN, payload: new Uint8Array(0) }) });
    expect(syn.length).toBe(60);
    sweep(syn, LINKTYPE_ETHERNET, 54, 54);
  });
});
