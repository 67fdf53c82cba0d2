/**
 * The fuzz engine shared by `npm run fuzz` (1,000,000 inputs per target) and the short CI run:
 * fast-check generates inputs — random bytes, and mutations of each target's real seeds
 * (truncation, bit flips, extreme bytes, insertions, deletions, splices, lying 16/32-bit lengths) —
 * and checks that `run` never throws, never takes long on one input (a hang), and does not grow
 * memory.
 */
import fc from 'fast-check';
import type { FuzzTarget } from './types.js';

export interface FuzzResult {
  target: string;
  inputs: number;
  seconds: number;
  maxInputMs: number;
  heapGrowthMB: number;
  failure: string | null;
}

/** One input slower than this is reported as a hang. */
export const MAX_INPUT_MS = 250;

type Mutation = (b: Uint8Array, r: number, other: Uint8Array) => Uint8Array;

const MUTATIONS: Mutation[] = [
  (b, r) => b.subarray(0, r % (b.length + 1)), // truncate
  (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length) c[r % c.length] = (c[r % c.length] as number) ^ (1 << (r >>> 8) % 8); // bit flip
    return c;
  },
  (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length) c[r % c.length] = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x20][(r >>> 8) % 6] as number; // extreme byte
    return c;
  },
  (b, r) => {
    // lying 16- or 32-bit length (both byte orders) at a random offset
    const c = Uint8Array.from(b);
    if (c.length < 4) return c;
    const o = r % (c.length - 3);
    const v = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, c.length, c.length + 1][(r >>> 8) % 8] as number;
    const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
    if ((r >>> 16) & 1) dv.setUint32(o, v >>> 0, (r >>> 17) & 1 ? true : false);
    else dv.setUint16(o, v & 0xffff, (r >>> 17) & 1 ? true : false);
    return c;
  },
  (b, r) => {
    const o = r % (b.length + 1);
    const ins = new Uint8Array(1 + ((r >>> 8) % 16)).fill((r >>> 16) & 0xff);
    const c = new Uint8Array(b.length + ins.length);
    c.set(b.subarray(0, o));
    c.set(ins, o);
    c.set(b.subarray(o), o + ins.length);
    return c;
  }, // insert
  (b, r) => {
    const o = r % (b.length + 1);
    const n = 1 + ((r >>> 8) % 16);
    const tail = b.subarray(Math.min(b.length, o + n));
    const c = new Uint8Array(o + tail.length);
    c.set(b.subarray(0, o));
    c.set(tail, o);
    return c;
  }, // delete
  (b, r, other) => {
    const o = r % (b.length + 1);
    const p = (r >>> 8) % (other.length + 1);
    const c = new Uint8Array(o + other.length - p);
    c.set(b.subarray(0, o));
    c.set(other.subarray(p), o);
    return c;
  }, // splice with another seed
];

export function inputArbitrary(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ maxLength: 2048 });
  if (seeds.length === 0) return random;
  const mutated = fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.nat({ max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat({ max: MUTATIONS.length - 1 }), fc.nat()), { minLength: 1, maxLength: 6 }))
    .map(([i, j, ops]) => {
      let b = seeds[i] as Uint8Array;
      for (const [m, r] of ops) b = (MUTATIONS[m] as Mutation)(b, r, seeds[j] as Uint8Array);
      return b;
    });
  return fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: random, weight: 1 }, { arbitrary: fc.constantFrom(...seeds), weight: 1 });
}

export function fuzzTarget(t: FuzzTarget, inputs: number, seed = 42): FuzzResult {
  let maxInputMs = 0;
  let failure: string | null = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  try {
    fc.assert(
      fc.property(inputArbitrary(t.seeds), (input) => {
        let s = performance.now();
        t.run(input);
        let ms = performance.now() - s;
        if (ms > MAX_INPUT_MS) {
          // a GC pause or JIT compilation is not a hang: only an input slow every time is
          for (let k = 0; k < 3 && ms > MAX_INPUT_MS; k++) {
            s = performance.now();
            t.run(input);
            ms = Math.min(ms, performance.now() - s);
          }
          if (ms > MAX_INPUT_MS) throw new Error(`one input took ${ms.toFixed(1)} ms every time (hang?)`);
        }
        if (ms > maxInputMs) maxInputMs = ms;
      }),
      { numRuns: inputs, seed, endOnFailure: true },
    );
  } catch (e) {
    failure = (e as Error).message.split('\n').slice(0, 12).join('\n');
  }
  gc?.();
  const heapGrowthMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
  return { target: t.name, inputs, seconds: (performance.now() - t0) / 1000, maxInputMs, heapGrowthMB, failure };
}
