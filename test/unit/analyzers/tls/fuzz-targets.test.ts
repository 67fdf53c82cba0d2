/**
 * A short, deterministic run of the TLS fuzz targets (test/fuzz/targets/tls.ts): every seed, then
 * mutations of each (truncations, bit flips, byte sets, length-field lies, splices), with a time
 * budget. The long campaign is the fuzz runner's job; this keeps the targets honest in CI.
 */
import { describe, expect, it } from 'vitest';
import { targets } from '../../../fuzz/targets/tls.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(seed: Uint8Array, other: Uint8Array, rnd: () => number): Uint8Array {
  const b = seed.slice();
  const at = () => Math.floor(rnd() * Math.max(1, b.length));
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return b.subarray(0, at());
    case 1: {
      for (let i = 0; i < 1 + rnd() * 4; i++) {
        const k = at();
        if (k < b.length) b[k] = (b[k] as number) ^ (1 << Math.floor(rnd() * 8));
      }
      return b;
    }
    case 2: {
      const k = at();
      if (k < b.length) b[k] = [0x00, 0x01, 0x7f, 0x80, 0xff][Math.floor(rnd() * 5)] as number;
      return b;
    }
    case 3: {
      // a length-looking pair of bytes made larger or smaller
      const k = at();
      if (k + 1 < b.length) {
        const v = (((b[k] as number) << 8) | (b[k + 1] as number)) + (rnd() < 0.5 ? 1 : -1) * (1 + Math.floor(rnd() * 40));
        b[k] = (v >> 8) & 0xff;
        b[k + 1] = v & 0xff;
      }
      return b;
    }
    case 4: {
      const k = at();
      return Uint8Array.from([...b.subarray(0, k), ...other.subarray(Math.floor(rnd() * other.length))]);
    }
    default: {
      const k = at();
      return Uint8Array.from([...b.subarray(0, k), ...b.subarray(Math.min(b.length, k + 1 + Math.floor(rnd() * 16)))]);
    }
  }
}

describe('TLS fuzz targets', () => {
  it('are the four the brief names', () => {
    expect(targets.map((t) => t.name)).toEqual(['tls.client_hello', 'tls.server_hello', 'tls.x509', 'tls.analyzer']);
    for (const t of targets) expect(t.seeds.length).toBeGreaterThan(0);
  });

  for (const t of targets) {
    it(`${t.name}: seeds and mutations never throw`, () => {
      for (const s of t.seeds) t.run(s);
      const rnd = prng(t.name.length * 7919);
      const deadline = Date.now() + 4000;
      let n = 0;
      while (n < 3000 && Date.now() < deadline) {
        const s = t.seeds[Math.floor(rnd() * t.seeds.length)] as Uint8Array;
        const o = t.seeds[Math.floor(rnd() * t.seeds.length)] as Uint8Array;
        t.run(mutate(s, o, rnd));
        n++;
      }
      expect(n).toBeGreaterThan(100);
    });
  }
});
