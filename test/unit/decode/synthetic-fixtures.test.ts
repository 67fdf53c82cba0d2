/**
 * Every frame of every well-formed synthetic capture (pcaps/gen/synthetic.ts) gives the decode
 * result the generator tagged it with, and the committed files are what the generator makes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../../src/decode/link.js';
import { DECODE_NOT_IP, DECODE_NOT_TCP, DECODE_TCP, DecodedPacket } from '../../../src/decode/packet.js';
import { anomalyName } from '../../../src/core/anomaly.js';
import { OUT_DIR, buildFixtures } from '../../../pcaps/gen/synthetic.js';

function resultName(r: number): string {
  if (r === DECODE_TCP) return 'tcp';
  if (r === DECODE_NOT_IP) return 'not_ip';
  if (r === DECODE_NOT_TCP) return 'not_tcp';
  return anomalyName(-r);
}

const fixtures = buildFixtures();

describe('synthetic fixtures', () => {
  it('covers the expected files', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(27);
    expect(new Set(fixtures.map((f) => f.name)).size).toBe(fixtures.length);
  });

  for (const f of fixtures) {
    if (f.frames) {
      it(`${f.name}: every frame decodes as tagged`, () => {
        const p = new DecodedPacket();
        const got = f.frames!.map((r) => resultName(decodePacket(r.data, 0, r.data.length, r.origLen, r.linkType, p)));
        expect(got).toEqual(f.frames!.map((r) => r.expect));
      });
    }

    it(`${f.name}: committed file matches the generator`, () => {
      const disk = readFileSync(join(OUT_DIR, f.name));
      const want = Buffer.from(f.bytes);
      if (f.name.endsWith('.gz') || f.name === 'looks-plain.pcap') {
        // compressed bytes depend on the zlib build; compare what they inflate to
        expect(disk[0]).toBe(0x1f);
        expect(disk[1]).toBe(0x8b);
        if (f.name.startsWith('truncated')) expect(() => gunzipSync(disk)).toThrow();
        else expect(gunzipSync(disk).equals(gunzipSync(want))).toBe(true);
      } else {
        expect(disk.equals(want)).toBe(true);
      }
    });
  }

  it('is deterministic', () => {
    const again = buildFixtures();
    expect(again.map((f) => Buffer.from(f.bytes).toString('base64'))).toEqual(fixtures.map((f) => Buffer.from(f.bytes).toString('base64')));
  });
});
