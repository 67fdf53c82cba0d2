/**
 * Test-side TLS byte walkers, written independently of src/analyzers/tls so that tests locate
 * length fields and message boundaries without trusting the code under test.
 */
import { readFileSync } from 'node:fs';
import { hex } from './host.js';

export interface Fixture {
  cert_der: string;
  openssl_x509: Record<string, string>;
  exchanges: {
    name: string;
    version: string;
    servername: string | null;
    alpn: string | null;
    tshark: { ja3: string; ja3_full: string; ja3s: string; ja3s_full: string };
    chunks: [0 | 1, string][];
  }[];
}

export const OSSL: Fixture = JSON.parse(readFileSync(new URL('./fixtures/openssl-exchanges.json', import.meta.url), 'utf8')) as Fixture;


export function streams(name: string): { client: Uint8Array; server: Uint8Array; chunks: { dir: 0 | 1; data: Uint8Array }[] } {
  const e = OSSL.exchanges.find((x) => x.name === name);
  if (!e) throw new Error(`no fixture exchange ${name}`);
  return {
    client: hex(e.chunks.filter((c) => c[0] === 0).map((c) => c[1]).join('')),
    server: hex(e.chunks.filter((c) => c[0] === 1).map((c) => c[1]).join('')),
    chunks: e.chunks.map((c) => ({ dir: c[0], data: hex(c[1]) })),
  };
}

export interface Rec {
  type: number;
  off: number;
  bodyOff: number;
  len: number;
}

/** Records of a stream (stops at a header that does not fit). */
export function records(s: Uint8Array): Rec[] {
  const out: Rec[] = [];
  let p = 0;
  while (p + 5 <= s.length) {
    const len = (s[p + 3]! << 8) | s[p + 4]!;
    out.push({ type: s[p]!, off: p, bodyOff: p + 5, len });
    p += 5 + len;
  }
  return out;
}

export interface Msg {
  type: number;
  /** Stream offset of the 4-byte handshake header. */
  hdrOff: number;
  bodyOff: number;
  len: number;
  /** Stream offset just past the message. */
  end: number;
}

/** Cleartext handshake messages before the first ChangeCipherSpec; each must sit in one record. */
export function messages(s: Uint8Array): Msg[] {
  const out: Msg[] = [];
  for (const r of records(s)) {
    if (r.type === 20 || r.type === 23) break;
    if (r.type !== 22) continue;
    let q = r.bodyOff;
    while (q < r.bodyOff + r.len) {
      const len = (s[q + 1]! << 16) | (s[q + 2]! << 8) | s[q + 3]!;
      if (q + 4 + len > r.bodyOff + r.len) throw new Error('message spans records');
      out.push({ type: s[q]!, hdrOff: q, bodyOff: q + 4, len, end: q + 4 + len });
      q += 4 + len;
    }
  }
  return out;
}

/** Offsets of the fields of a ClientHello body in `b[off, end)`. */
export interface ChLayout {
  sidLenOff: number;
  csLenOff: number;
  cmLenOff: number;
  extBlockLenOff: number;
  exts: { type: number; off: number; lenOff: number; bodyOff: number; len: number }[];
}

export function chLayout(b: Uint8Array, off: number): ChLayout {
  const sidLenOff = off + 34;
  const csLenOff = sidLenOff + 1 + b[sidLenOff]!;
  const csLen = (b[csLenOff]! << 8) | b[csLenOff + 1]!;
  const cmLenOff = csLenOff + 2 + csLen;
  const extBlockLenOff = cmLenOff + 1 + b[cmLenOff]!;
  const extLen = (b[extBlockLenOff]! << 8) | b[extBlockLenOff + 1]!;
  const exts: ChLayout['exts'] = [];
  let p = extBlockLenOff + 2;
  while (p < extBlockLenOff + 2 + extLen) {
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    exts.push({ type: (b[p]! << 8) | b[p + 1]!, off: p, lenOff: p + 2, bodyOff: p + 4, len });
    p += 4 + len;
  }
  return { sidLenOff, csLenOff, cmLenOff, extBlockLenOff, exts };
}

export function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

export function put24(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >> 16) & 0xff;
  b[off + 1] = (v >> 8) & 0xff;
  b[off + 2] = v & 0xff;
}

export function get16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export function get24(b: Uint8Array, off: number): number {
  return (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!;
}

/** A DER node: header offset, length-field offset/size, content [start, end), children for constructed types. */
export interface Der {
  tag: number;
  off: number;
  lenOff: number;
  lenBytes: number;
  start: number;
  end: number;
  kids: Der[];
}

export function derTree(b: Uint8Array, off: number, end: number): Der[] {
  const out: Der[] = [];
  let p = off;
  while (p < end) {
    const tag = b[p]!;
    const l0 = b[p + 1]!;
    let len = l0;
    let lenBytes = 1;
    if (l0 & 0x80) {
      const nb = l0 & 0x7f;
      len = 0;
      for (let i = 0; i < nb; i++) len = len * 256 + b[p + 2 + i]!;
      lenBytes = 1 + nb;
    }
    const start = p + 1 + lenBytes;
    const node: Der = { tag, off: p, lenOff: p + 1, lenBytes, start, end: start + len, kids: [] };
    if (tag & 0x20) node.kids = derTree(b, start, start + len);
    out.push(node);
    p = start + len;
  }
  return out;
}

/** Adds `delta` to a DER length field in place (short or long form; the form must still fit). */
export function bumpDerLen(b: Uint8Array, n: Der, delta: number): void {
  const v = n.end - n.start + delta;
  if (n.lenBytes === 1) {
    if (v > 127) throw new Error('short form overflow');
    b[n.lenOff] = v;
    return;
  }
  const nb = n.lenBytes - 1;
  for (let i = nb - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) b[n.lenOff + 1 + i] = x & 0xff;
}
