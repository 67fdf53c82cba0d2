import { describe, expect, it } from 'vitest';
import { A_IP_BAD_VERSION, A_IPV4_TRUNCATED } from '../../../src/core/anomaly.js';
import { DecodedPacket } from '../../../src/decode/packet.js';
import { decodeRaw } from '../../../src/decode/raw.js';

describe('decodeRaw', () => {
  it('picks the IP version from the first nibble and returns the same offset', () => {
    const p = new DecodedPacket();
    const b = Uint8Array.of(0xff, 0x45, 0x60, 0x50, 0x00);
    expect(decodeRaw(b, 1, 5, p)).toBe(1);
    expect(p.etherType).toBe(0x0800);
    expect(decodeRaw(b, 2, 5, p)).toBe(2);
    expect(p.etherType).toBe(0x86dd);
    expect(decodeRaw(b, 3, 5, p)).toBe(-A_IP_BAD_VERSION);
    expect(decodeRaw(b, 4, 5, p)).toBe(-A_IP_BAD_VERSION);
    expect(decodeRaw(b, 5, 5, p)).toBe(-A_IPV4_TRUNCATED);
  });
});
