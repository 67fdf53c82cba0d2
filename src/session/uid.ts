/**
 * Connection uids in Zeek's shape: "C" + base62 of 96 bits. Derived deterministically from a seed,
 * the session key, its first timestamp and a per-run counter, so the same capture read twice (in
 * any file format) gives the same uids, the way Zeek's random.seed pins them in tests.
 */
import { createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function makeUid(seed: string, key: string, ts: number, counter: number): string {
  const h = createHash('sha256').update(`${seed}\u0000${key}\u0000${ts}\u0000${counter}`).digest();
  let n = (BigInt(h.readUInt32BE(0)) << 64n) | (BigInt(h.readUInt32BE(4)) << 32n) | BigInt(h.readUInt32BE(8));
  let s = '';
  for (let i = 0; i < 17; i++) {
    s = (ALPHABET[Number(n % 62n)] as string) + s;
    n /= 62n;
  }
  return `C${s}`;
}
