/** Bounds helpers. Readers check `end - off >= n` once per header and then read freely. */

export function has(off: number, end: number, n: number): boolean {
  return end - off >= n;
}

export function u16be(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

export function u16le(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}

export function u32be(b: Uint8Array, o: number): number {
  return (
    (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>>
    0
  );
}

export function u32le(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>>
    0
  );
}

/** Equal bytes of `a[aOff..aOff+n)` and `b[bOff..bOff+n)`; callers have checked bounds. */
export function bytesEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/**
 * A copy of buf[start..end) in a new Uint8Array. (Buffer.prototype.slice returns a view, not a
 * copy: never use .slice() to keep bytes of a reader's or the capture's reused buffer.)
 */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  out.set(buf.subarray(start, end));
  return out;
}

/** A 32-bit value as 8 lower-case hex digits (magics, checksums in messages). */
export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
