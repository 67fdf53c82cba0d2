/**
 * Runs the amt-redir fuzz targets (test/fuzz/targets/amt-redir.ts) on their seeds, on deterministic
 * mutations of them (truncations, bit flips, interesting bytes, splices, length lies) and on
 * fast-check random inputs. A target fails by throwing; none may.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targets } from '../../../fuzz/targets/amt-redir.js';
import { rng } from '../../../helpers/rng.js';


const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x10, 0x13, 0x14, 0x28, 0x2a, 0x41, 0x54];

function mutate(seeds: Uint8Array[], r: () => number): Uint8Array {
  const base = seeds[r() % seeds.length] as Uint8Array;
  const b = Uint8Array.from(base);
  const n = b.length;
  switch (r() % 6) {
    case 0:
      return b.subarray(0, n ? r() % n : 0);
    case 1:
      for (let i = 0, k = 1 + (r() % 8); i < k && n; i++) {
        const j = r() % n;
        b[j] = (b[j] as number) ^ (1 << (r() % 8));
      }
      return b;
    case 2:
      for (let i = 0, k = 1 + (r() % 4); i < k && n; i++) b[r() % n] = INTERESTING[r() % INTERESTING.length] as number;
      return b;
    case 3: {
      const other = seeds[r() % seeds.length] as Uint8Array;
      const at = n ? r() % n : 0;
      const from = other.length ? r() % other.length : 0;
      const out = new Uint8Array(at + other.length - from);
      out.set(b.subarray(0, at));
      out.set(other.subarray(from), at);
      return out;
    }
    case 4: {
      // a length lie: a run of 0xff (u16/u32 lengths at any offset)
      if (n) {
        const at = r() % n;
        b.fill(0xff, at, Math.min(n, at + 1 + (r() % 4)));
      }
      return b;
    }
    default: {
      // drop or duplicate a slice
      if (n < 2) return b;
      const a = r() % n;
      const c = a + (r() % (n - a));
      return r() % 2 ? Uint8Array.from([...b.subarray(0, a), ...b.subarray(c)]) : Uint8Array.from([...b.subarray(0, c), ...b.subarray(a)]);
    }
  }
}

describe('amt-redir fuzz targets', () => {
  it('exports the three targets with seeds', () => {
    expect(targets.map((t) => t.name)).toEqual(['amt_redir.frame', 'amt_redir.auth', 'amt_redir.analyzer']);
    for (const t of targets) expect(t.seeds.length).toBeGreaterThan(5);
  });

  for (const t of targets) {
    it(`${t.name}: seeds and 3000 mutations never throw`, () => {
      for (const s of t.seeds) t.run(s);
      const r = rng(0x5eed + t.name.length);
      for (let i = 0; i < 3000; i++) {
        const input = mutate(t.seeds, r);
        try {
          t.run(input);
        } catch (e) {
          throw new Error(`${t.name} threw on ${Buffer.from(input).toString('hex')}: ${String(e)}`);
        }
      }
    });

    it(`${t.name}: random inputs never throw`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (input) => {
          t.run(input);
        }),
        { numRuns: 1500, seed: 42 },
      );
    });
  }
});
