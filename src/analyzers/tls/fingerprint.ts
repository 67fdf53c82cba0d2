/**
 * TLS client/server fingerprints from parsed hellos. Pure (node:crypto hashes only).
 *
 * JA3 (salesforce/ja3): `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`,
 * decimal values joined with '-', GREASE (RFC 8701) removed from ciphers, extensions and groups;
 * SSLVersion is the ClientHello legacy_version; the fingerprint is the MD5 (lower-case hex) of
 * that string. Same as tshark's `tls.handshake.ja3`.
 *
 * JA3S: `SSLVersion,Cipher,Extensions` of the ServerHello (legacy_version, decimal), MD5. Same as
 * tshark's `tls.handshake.ja3s`.
 *
 * JA4 (FoxIO-LLC/ja4 technical_details/JA4.md), for TLS over TCP:
 *   a = 't' + version + ('d' SNI extension present | 'i') + 2-digit cipher count + 2-digit
 *       extension count (GREASE excluded, SNI and ALPN included, capped at 99) + ALPN first/last
 *   b = first 12 hex of SHA-256 of the sorted 4-hex cipher list, comma-joined
 *   c = first 12 hex of SHA-256 of the sorted 4-hex extension list without 0000 (SNI) and 0010
 *       (ALPN), then '_' + the signature algorithms in their original order (no '_' when there
 *       are none)
 *   An empty list hashes to '000000000000'.
 *   version: the highest non-GREASE supported_versions value, else legacy_version: 13, 12, 11,
 *   10, s3, s2, d1, d2, d3, otherwise 00.
 *   ALPN: the first protocol's first and last characters when both are ASCII alphanumeric (one
 *   character counts as both); otherwise the first and last hex digits of the protocol's bytes
 *   (spec examples: 0xAB -> ab, 0x30 0xAB -> 3b); no ALPN or an empty first protocol -> 00.
 *   (The reference Rust/Python code still prints 99 for a non-ASCII first character; this follows
 *   the written specification.)
 */
import { createHash } from 'node:crypto';
import { EXT_ALPN, EXT_SERVER_NAME, isGrease } from './constants.js';
import type { ClientHello, ServerHello } from './parser.js';

function md5Hex(s: string): string {
  return createHash('md5').update(s, 'latin1').digest('hex');
}

function sha256Hex12(s: string): string {
  if (s.length === 0) return '000000000000';
  return createHash('sha256').update(s, 'latin1').digest('hex').slice(0, 12);
}

function joinNoGrease(vals: readonly number[]): string {
  let s = '';
  for (const v of vals) {
    if (isGrease(v)) continue;
    s += s.length === 0 ? String(v) : `-${v}`;
  }
  return s;
}

/** The JA3 input string (before MD5). */
export function ja3String(ch: ClientHello): string {
  return `${ch.version},${joinNoGrease(ch.ciphers)},${joinNoGrease(ch.extTypes)},${joinNoGrease(ch.groups)},${ch.pointFormats.join('-')}`;
}

export function deriveJa3(ch: ClientHello): string {
  return md5Hex(ja3String(ch));
}

/** The JA3S input string (before MD5). */
export function ja3sString(sh: ServerHello): string {
  return `${sh.version},${sh.cipher},${sh.extTypes.join('-')}`;
}

export function deriveJa3s(sh: ServerHello): string {
  return md5Hex(ja3sString(sh));
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function two(n: number): string {
  return n > 99 ? '99' : n < 10 ? `0${n}` : String(n);
}

const JA4_VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** JA4's two ALPN characters for the first protocol's raw bytes. */
export function ja4Alpn(first: Uint8Array | null): string {
  if (first === null || first.length === 0) return '00';
  const a = first[0] as number;
  const z = first[first.length - 1] as number;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a, z);
  const HEX = '0123456789abcdef';
  return (HEX[a >> 4] as string) + (HEX[z & 15] as string);
}

/** The JA4 version pair for a ClientHello. */
export function ja4Version(ch: ClientHello): string {
  let best = -1;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > best) best = v;
  const v = best >= 0 ? best : ch.version;
  return JA4_VERSIONS.get(v) ?? '00';
}

/** JA4_r: the fingerprint before hashing (sorted lists), useful for tests and debugging. */
export function ja4Raw(ch: ClientHello): { a: string; b: string; c: string } {
  const ciphers: string[] = [];
  for (const c of ch.ciphers) if (!isGrease(c)) ciphers.push(hex4(c));
  let extCount = 0;
  let sni = false;
  const exts: string[] = [];
  for (const e of ch.extTypes) {
    if (isGrease(e)) continue;
    extCount++;
    if (e === EXT_SERVER_NAME) sni = true;
    if (e === EXT_SERVER_NAME || e === EXT_ALPN) continue;
    exts.push(hex4(e));
  }
  ciphers.sort();
  exts.sort();
  const sigs: string[] = [];
  for (const s of ch.sigAlgs) sigs.push(hex4(s));
  const a = `t${ja4Version(ch)}${sni ? 'd' : 'i'}${two(ciphers.length)}${two(extCount)}${ja4Alpn(ch.alpnFirst)}`;
  const extPart = exts.join(',');
  const c = sigs.length > 0 ? `${extPart}_${sigs.join(',')}` : extPart;
  return { a, b: ciphers.join(','), c };
}

export function deriveJa4(ch: ClientHello): string {
  const r = ja4Raw(ch);
  return `${r.a}_${sha256Hex12(r.b)}_${sha256Hex12(r.c)}`;
}
