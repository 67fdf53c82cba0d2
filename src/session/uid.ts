/**
 * Connection uids in Zeek's shape: "C" + 17 base-62 characters (96 bits). Derived deterministically
 * from a seed, the session key, its first timestamp and a per-run counter, so the same capture read
 * twice (in any file format) gives the same uids, the way Zeek's random.seed pins them in tests.
 * Three independent 32-bit MurmurHash3-style lanes: cheap (no crypto), well mixed, not a secret.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function lane(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function makeUid(seed: string, key: string, ts: number, counter: number): string {
  const s = `${seed}\u0000${key}\u0000${ts}\u0000${counter}`;
  // 96 bits as three 32-bit words; base 62 by long division over them
  const w = [lane(s, 0x9747b28c), lane(s, 0x85ebca6b), lane(s, 0xc2b2ae35)];
  // filled right to left, then made into one flat string (appending characters one by one would
  // leave an 18-piece rope in every session)
  const codes = UID_CODES;
  codes[0] = 67; // 'C'
  for (let d = 17; d >= 1; d--) {
    let rem = 0;
    for (let i = 0; i < 3; i++) {
      const cur = rem * 4294967296 + (w[i] as number);
      w[i] = Math.floor(cur / 62);
      rem = cur - (w[i] as number) * 62;
    }
    codes[d] = ALPHABET.charCodeAt(rem);
  }
  return String.fromCharCode.apply(null, codes);
}

const UID_CODES: number[] = new Array<number>(18).fill(0);
