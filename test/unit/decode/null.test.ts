import { describe, expect, it } from 'vitest';
import { A_NULL_BAD_FAMILY, A_NULL_TRUNCATED } from '../../../src/core/anomaly.js';
import { LINKTYPE_LOOP, LINKTYPE_NULL } from '../../../src/decode/constants.js';
import { DECODE_NOT_IP, DECODE_TCP } from '../../../src/decode/packet.js';
import { concat, nullLink } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp, v6tcp } from './helpers.js';

describe('decodeNull (LINKTYPE_NULL)', () => {
  it('AF_INET in little- and big-endian', () => {
    for (const be of [false, true]) {
      const { r, p } = dec(nullLink(2, v4tcp({ payload: GET }), be), LINKTYPE_NULL);
      expectCode(r, DECODE_TCP);
      expect(p.ipOff).toBe(4);
      expect(p.etherType).toBe(0x0800);
      expect(p.tcpOff).toBe(24);
      expect(p.payloadLen).toBe(GET.length);
    }
  });

  it('AF_INET6 values 10, 24, 28, 30 in both byte orders', () => {
    for (const fam of [10, 24, 28, 30]) {
      for (const be of [false, true]) {
        const { r, p } = dec(nullLink(fam, v6tcp({ payload: GET }), be), LINKTYPE_NULL);
        expectCode(r, DECODE_TCP);
        expect(p.ipVersion).toBe(6);
        expect(p.ipOff).toBe(4);
        expect(p.payloadLen).toBe(GET.length);
      }
    }
  });

  it('other families are not IP; garbage is a bad family; short is truncated', () => {
    expectCode(dec(nullLink(7, v4tcp()), LINKTYPE_NULL).r, DECODE_NOT_IP); // AF_ISO/OSI
    expectCode(dec(nullLink(23, v6tcp()), LINKTYPE_NULL).r, DECODE_NOT_IP); // AF_IPX / Windows AF_INET6: not in our table
    expectCode(dec(nullLink(0, v4tcp()), LINKTYPE_NULL).r, DECODE_NOT_IP);
    expectCode(dec(concat(Uint8Array.of(0, 2, 0, 0), v4tcp()), LINKTYPE_NULL).r, -A_NULL_BAD_FAMILY);
    expectCode(dec(concat(Uint8Array.of(0x45, 0, 0, 0x28), v4tcp()), LINKTYPE_NULL).r, -A_NULL_BAD_FAMILY);
    expectCode(dec(Uint8Array.of(2, 0, 0), LINKTYPE_NULL).r, -A_NULL_TRUNCATED);
  });

  it('truncation sweep (both byte orders)', () => {
    const a = nullLink(2, v4tcp({ payload: GET }));
    sweep(a, LINKTYPE_NULL, a.length, 44);
    const b = nullLink(30, v6tcp({ payload: GET }), true);
    sweep(b, LINKTYPE_NULL, b.length, 64);
  });
});

describe('decodeLoop (LINKTYPE_LOOP)', () => {
  it('network byte order only', () => {
    const a = dec(nullLink(2, v4tcp({ payload: GET }), true), LINKTYPE_LOOP);
    expectCode(a.r, DECODE_TCP);
    expect(a.p.ipOff).toBe(4);
    const b = dec(nullLink(24, v6tcp({ payload: GET }), true), LINKTYPE_LOOP);
    expectCode(b.r, DECODE_TCP);
    expect(b.p.ipVersion).toBe(6);
    expectCode(dec(nullLink(2, v4tcp(), false), LINKTYPE_LOOP).r, -A_NULL_BAD_FAMILY);
    expectCode(dec(nullLink(7, v4tcp(), true), LINKTYPE_LOOP).r, DECODE_NOT_IP);
    expectCode(dec(new Uint8Array(3), LINKTYPE_LOOP).r, -A_NULL_TRUNCATED);
  });

  it('truncation sweep', () => {
    const a = nullLink(24, v6tcp({ payload: GET }), true);
    sweep(a, LINKTYPE_LOOP, a.length, 64);
  });
});
