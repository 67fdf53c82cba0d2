/**
 * A minimal, defensive X.509 reader for the server's leaf certificate (TLS <= 1.2 sends it in the
 * clear): serial, issuer, subject, validity, and the SHA-256 fingerprint of the DER. Pure, never
 * throws; every DER length is checked against its parent's end (a longer one is malformed, never
 * clamped). Only the TBSCertificate fields up to the subject are read.
 *
 * Output formats (chosen to match the tools an analyst compares with):
 *   - serial: the INTEGER's content octets in lower-case hex, sign octet included (`0080ab` for
 *     0x80AB), exactly as tshark 4.0 shows `x509af.serialNumber`. (`openssl x509 -serial` prints
 *     the same digits upper-case without the leading 00 sign octet.)
 *   - names: RFC 4514 / RFC 2253 string as Zeek's x509.log writes it (OpenSSL
 *     `X509_NAME_print_ex(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)`): the attributes in REVERSE
 *     order of the DER sequence (most specific first, e.g. `CN=amt10.lab.example,O=Intel AMT
 *     stand-in,C=US` for a subject encoded C, O, CN), `,` between RDNs and `+` inside a
 *     multi-valued RDN, OpenSSL short names (CN, O, OU, C, ST, L, emailAddress, DC, UID ...),
 *     `, + " \ < > ;` escaped with a backslash, a leading `#` or space and a trailing space escaped,
 *     control characters as `\XX`, other characters as they are (UTF-8 / BMP / Universal strings are
 *     decoded; T61 and the ASCII string types byte for byte as ISO-8859-1). An attribute type without
 *     a short name prints as its dotted OID and a value that is not a string type as `#` + the
 *     upper-case hex of its DER, as OpenSSL does.
 *     Compare with `openssl x509 -noout -subject -nameopt RFC2253,-esc_msb`.
 *   - notBefore/notAfter: UTCTime (YYMMDDHHMMSSZ, 50-99 -> 19xx) or GeneralizedTime
 *     (YYYYMMDDHHMMSS[.f]Z) -> Micros; anything else is null with tls.x509.bad_time.
 */
import { createHash } from 'node:crypto';
import type { Micros } from '../../core/time.js';
import { A_TLS_X509_BAD_TIME, A_TLS_X509_MALFORMED, DN_SHORT_NAMES } from './constants.js';

export interface X509Info {
  serial: string;
  subject: string;
  issuer: string;
  notBefore: Micros | null;
  notAfter: Micros | null;
  /** [start, end) of the certificate's outer SEQUENCE (what the fingerprint covers). */
  derStart: number;
  derEnd: number;
  anomalies: number[];
}

const TAG_INTEGER: number = 0x02;
const TAG_OID: number = 0x06;
const TAG_UTF8: number = 0x0c;
const TAG_NUMERIC: number = 0x12;
const TAG_PRINTABLE: number = 0x13;
const TAG_T61: number = 0x14;
const TAG_IA5: number = 0x16;
const TAG_UTCTIME: number = 0x17;
const TAG_GENTIME: number = 0x18;
const TAG_VISIBLE: number = 0x1a;
const TAG_UNIVERSAL: number = 0x1c;
const TAG_BMP: number = 0x1e;
const TAG_SEQUENCE: number = 0x30;
const TAG_SET: number = 0x31;
const TAG_CTX0: number = 0xa0;

/** One DER TLV: tag, content [start, end). Filled by readTlv. */
interface Tlv {
  tag: number;
  hdr: number;
  start: number;
  end: number;
}

function tlv(): Tlv {
  return { tag: 0, hdr: 0, start: 0, end: 0 };
}

/**
 * Reads the TLV at `off` that must fit inside `[off, end)`. False on a truncated header, a
 * high-tag-number tag, an indefinite or over-4-byte length, or a content longer than its parent.
 */
function readTlv(buf: Uint8Array, off: number, end: number, out: Tlv): boolean {
  if (end - off < 2) return false;
  const tag = buf[off] as number;
  if ((tag & 0x1f) === 0x1f) return false;
  const l0 = buf[off + 1] as number;
  let len: number;
  let p = off + 2;
  if (l0 < 0x80) len = l0;
  else {
    const nb = l0 & 0x7f;
    if (nb === 0 || nb > 4 || end - p < nb) return false;
    len = 0;
    for (let i = 0; i < nb; i++) len = len * 256 + (buf[p + i] as number);
    p += nb;
  }
  if (len > end - p) return false;
  out.tag = tag;
  out.hdr = off;
  out.start = p;
  out.end = p + len;
  return true;
}

const UTF8 = new TextDecoder('utf-8');
const HEX = '0123456789abcdef';
const HEX_UP = '0123456789ABCDEF';

function hexOf(buf: Uint8Array, off: number, end: number, digits: string): string {
  let s = '';
  for (let i = off; i < end; i++) {
    const b = buf[i] as number;
    s += (digits[b >> 4] as string) + (digits[b & 15] as string);
  }
  return s;
}

/** Dotted text of an OID's content octets, or null when malformed (arcs of any size). */
export function oidText(buf: Uint8Array, off: number, end: number): string | null {
  if (end <= off) return null;
  let out = '';
  let v = 0;
  let big: bigint | null = null; // an arc past 2^46 continues in BigInt
  let first = true;
  let inArc = false;
  for (let i = off; i < end; i++) {
    const b = buf[i] as number;
    if (!inArc && b === 0x80) return null; // non-minimal
    if (big === null && v >= 2 ** 46) big = BigInt(v);
    if (big !== null) big = (big << 7n) | BigInt(b & 0x7f);
    else v = v * 128 + (b & 0x7f);
    inArc = (b & 0x80) !== 0;
    if (inArc) continue;
    if (first) {
      if (big !== null) out = `2.${(big - 80n).toString()}`;
      else {
        const x = v < 80 ? Math.floor(v / 40) : 2;
        out = `${x}.${v - x * 40}`;
      }
      first = false;
    } else out += `.${big !== null ? big.toString() : String(v)}`;
    v = 0;
    big = null;
  }
  if (inArc) return null;
  return out;
}

/** Code points of a string-typed value, or null when the tag is not a string type OpenSSL decodes. */
function decodeString(buf: Uint8Array, tag: number, off: number, end: number): string | null {
  switch (tag) {
    case TAG_UTF8:
      return UTF8.decode(buf.subarray(off, end));
    case TAG_NUMERIC:
    case TAG_PRINTABLE:
    case TAG_T61:
    case TAG_IA5:
    case TAG_UTCTIME:
    case TAG_GENTIME:
    case TAG_VISIBLE: {
      let s = '';
      for (let i = off; i < end; i++) s += String.fromCharCode(buf[i] as number);
      return s;
    }
    case TAG_BMP: {
      if ((end - off) % 2 !== 0) return null;
      let s = '';
      for (let i = off; i < end; i += 2) s += String.fromCharCode(((buf[i] as number) << 8) | (buf[i + 1] as number));
      return s;
    }
    case TAG_UNIVERSAL: {
      if ((end - off) % 4 !== 0) return null;
      let s = '';
      for (let i = off; i < end; i += 4) {
        const cp =
          (((buf[i] as number) << 24) | ((buf[i + 1] as number) << 16) | ((buf[i + 2] as number) << 8) | (buf[i + 3] as number)) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return null;
  }
}

/** RFC 2253 escaping as OpenSSL's ASN1_STRFLGS_RFC2253 without ESC_MSB does it. */
export function escapeDnValue(s: string): string {
  let out = '';
  const cps = Array.from(s);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i] as string;
    const c = ch.codePointAt(0) as number;
    if (c < 0x20 || c === 0x7f) {
      out += `\\${HEX_UP[c >> 4] as string}${HEX_UP[c & 15] as string}`;
    } else if (ch === ',' || ch === '+' || ch === '"' || ch === '\\' || ch === '<' || ch === '>' || ch === ';') {
      out += `\\${ch}`;
    } else if ((i === 0 && (ch === '#' || ch === ' ')) || (i === cps.length - 1 && ch === ' ')) {
      out += `\\${ch}`;
    } else out += ch;
  }
  return out;
}

/**
 * Renders a Name (SEQUENCE OF SET OF AttributeTypeAndValue) whose content is `[off, end)`.
 * Returns the string, or null when the structure is malformed.
 */
export function renderName(buf: Uint8Array, off: number, end: number): string | null {
  const rdn = tlv();
  const atv = tlv();
  const oid = tlv();
  const val = tlv();
  const parts: string[] = [];
  const setIdx: number[] = [];
  let set = 0;
  let p = off;
  while (p < end) {
    if (!readTlv(buf, p, end, rdn) || rdn.tag !== TAG_SET) return null;
    let q = rdn.start;
    while (q < rdn.end) {
      if (!readTlv(buf, q, rdn.end, atv) || atv.tag !== TAG_SEQUENCE) return null;
      if (!readTlv(buf, atv.start, atv.end, oid) || oid.tag !== TAG_OID) return null;
      if (!readTlv(buf, oid.end, atv.end, val) || val.end !== atv.end) return null;
      const dotted = oidText(buf, oid.start, oid.end);
      if (dotted === null) return null;
      const short = DN_SHORT_NAMES.get(dotted);
      let text: string | null = short === undefined ? null : decodeString(buf, val.tag, val.start, val.end);
      text = text === null ? `#${hexOf(buf, val.hdr, val.end, HEX_UP)}` : escapeDnValue(text);
      parts.push(`${short ?? dotted}=${text}`);
      setIdx.push(set);
      q = atv.end;
    }
    set++;
    p = rdn.end;
  }
  // OpenSSL's XN_FLAG_DN_REV walks the entries from the last one; '+' joins entries of one RDN.
  let s = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    if (i !== parts.length - 1) s += setIdx[i] === setIdx[i + 1] ? '+' : ',';
    s += parts[i] as string;
  }
  return s;
}

function digits(buf: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = (buf[off + i] as number) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** UTCTime / GeneralizedTime content -> Micros, or null when not a valid DER time. */
export function parseTime(buf: Uint8Array, tag: number, off: number, end: number): Micros | null {
  let year: number;
  let p: number;
  if (tag === TAG_UTCTIME) {
    if (end - off !== 13) return null;
    const yy = digits(buf, off, 2);
    if (yy < 0) return null;
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p = off + 2;
  } else if (tag === TAG_GENTIME) {
    if (end - off < 15) return null;
    year = digits(buf, off, 4);
    if (year < 0) return null;
    p = off + 4;
  } else return null;
  const mo = digits(buf, p, 2);
  const d = digits(buf, p + 2, 2);
  const h = digits(buf, p + 4, 2);
  const mi = digits(buf, p + 6, 2);
  const s = digits(buf, p + 8, 2);
  p += 10;
  let micros = 0;
  if (tag === TAG_GENTIME && p < end - 1) {
    // fraction: '.' then 1+ digits (DER: no trailing zero, but accept it)
    if (buf[p] !== 0x2e) return null;
    p++;
    let scale = 100_000;
    const fs = p;
    while (p < end - 1) {
      const c = (buf[p] as number) - 0x30;
      if (c < 0 || c > 9) return null;
      micros += c * scale;
      scale = Math.floor(scale / 10);
      p++;
    }
    if (p === fs) return null;
  }
  if (p !== end - 1 || buf[p] !== 0x5a /* Z */) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  // setUTCFullYear takes years 0-99 literally (Date.UTC would map them to 1900-1999)
  const dt = new Date(0);
  dt.setUTCFullYear(year, mo - 1, d);
  dt.setUTCHours(h, mi, s, 0);
  if (dt.getUTCDate() !== d || dt.getUTCMonth() !== mo - 1) return null; // 31 Feb and the like
  const ms = dt.getTime();
  return ms * 1000 + micros;
}

/**
 * Parses a DER certificate in `[off, end)`. Returns the leaf facts or a negative anomaly id
 * (`-A_TLS_X509_MALFORMED`) when the structure up to the subject is malformed.
 */
export function parseX509(buf: Uint8Array, off: number, end: number): X509Info | number {
  if (off < 0 || end > buf.length || off >= end) return -A_TLS_X509_MALFORMED;
  const cert = tlv();
  const tbs = tlv();
  const t = tlv();
  if (!readTlv(buf, off, end, cert) || cert.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  if (!readTlv(buf, cert.start, cert.end, tbs) || tbs.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  let p = tbs.start;
  if (!readTlv(buf, p, tbs.end, t)) return -A_TLS_X509_MALFORMED;
  if (t.tag === TAG_CTX0) {
    p = t.end;
    if (!readTlv(buf, p, tbs.end, t)) return -A_TLS_X509_MALFORMED;
  }
  if (t.tag !== TAG_INTEGER || t.end === t.start) return -A_TLS_X509_MALFORMED;
  const serial = hexOf(buf, t.start, t.end, HEX);
  p = t.end;
  // signature AlgorithmIdentifier
  if (!readTlv(buf, p, tbs.end, t) || t.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  p = t.end;
  // issuer
  if (!readTlv(buf, p, tbs.end, t) || t.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  const issuer = renderName(buf, t.start, t.end);
  if (issuer === null) return -A_TLS_X509_MALFORMED;
  p = t.end;
  // validity
  if (!readTlv(buf, p, tbs.end, t) || t.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  const validityEnd = t.end;
  p = t.end;
  const anomalies: number[] = [];
  let notBefore: Micros | null = null;
  let notAfter: Micros | null = null;
  const tm = tlv();
  if (!readTlv(buf, t.start, validityEnd, tm)) return -A_TLS_X509_MALFORMED;
  notBefore = parseTime(buf, tm.tag, tm.start, tm.end);
  const second = tm.end;
  if (!readTlv(buf, second, validityEnd, tm)) return -A_TLS_X509_MALFORMED;
  notAfter = parseTime(buf, tm.tag, tm.start, tm.end);
  if (notBefore === null || notAfter === null) anomalies.push(A_TLS_X509_BAD_TIME);
  // subject
  if (!readTlv(buf, p, tbs.end, t) || t.tag !== TAG_SEQUENCE) return -A_TLS_X509_MALFORMED;
  const subject = renderName(buf, t.start, t.end);
  if (subject === null) return -A_TLS_X509_MALFORMED;
  return { serial, subject, issuer, notBefore, notAfter, derStart: off, derEnd: cert.end, anomalies };
}

/** Lower-case hex SHA-256 of `buf[off..end)` (node:crypto). */
export function sha256Hex(buf: Uint8Array, off: number, end: number): string {
  return createHash('sha256').update(buf.subarray(off, end)).digest('hex');
}
