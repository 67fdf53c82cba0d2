/**
 * Pure TLS handshake parsers over `(buf, off, end)`: record header, ClientHello (TLS and the
 * SSLv2-compatible form), ServerHello, Certificate list. No state, no I/O, never throws.
 *
 * Every length becomes the `end` of what it contains (style.md rule 2, Zeek's `&max-size`):
 * handshake message >= body fields >= extension block >= each extension >= the lists inside it.
 * A nested length larger than its parent is an anomaly, never a clamp:
 *   - when it breaks the message's own structure (a field or the extension block past the
 *     message, one extension past the block, an odd cipher list) the parser returns the negative
 *     anomaly id and nothing from that message is used;
 *   - when it is inside one well-bounded extension (an SNI list longer than the extension, an
 *     ALPN entry past its list ...) only that extension's value is dropped: its type still counts
 *     for fingerprints and the anomaly id is listed in the result's `anomalies`.
 * Strings are decoded as ISO-8859-1 (one code point per byte, as report/sanitize.ts expects);
 * report/ escapes them at the output edge.
 */
import { copyBytes } from '../../core/bytes.js';
import { Buffer } from 'node:buffer';
import {
  A_TLS_CERTIFICATE_BAD_LENGTH,
  A_TLS_CLIENT_HELLO_BAD_CIPHER_LIST,
  A_TLS_CLIENT_HELLO_BAD_LENGTH,
  A_TLS_CLIENT_HELLO_BAD_SESSION_ID,
  A_TLS_CLIENT_HELLO_EXT_MALFORMED,
  A_TLS_CLIENT_HELLO_EXT_OVERFLOW,
  A_TLS_CLIENT_HELLO_SSLV2_MALFORMED,
  A_TLS_CLIENT_HELLO_TRAILING,
  A_TLS_SERVER_HELLO_BAD_LENGTH,
  A_TLS_SERVER_HELLO_EXT_MALFORMED,
  A_TLS_SERVER_HELLO_EXT_OVERFLOW,
  EXT_ALPN,
  EXT_EC_POINT_FORMATS,
  EXT_PRE_SHARED_KEY,
  EXT_SERVER_NAME,
  EXT_SIGNATURE_ALGORITHMS,
  EXT_SUPPORTED_GROUPS,
  EXT_SUPPORTED_VERSIONS,
  HRR_RANDOM,
  SNI_HOST_NAME,
  SSL2_MT_CLIENT_HELLO,
} from './constants.js';

/** ISO-8859-1 text of `buf[off..end)` (bounds already checked by the caller). */
export function latin1(buf: Uint8Array, off: number, end: number): string {
  if (end - off < 32) {
    let s = '';
    for (let i = off; i < end; i++) s += String.fromCharCode(buf[i] as number);
    return s;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('latin1');
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

function u24(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 16) | ((b[o + 1] as number) << 8) | (b[o + 2] as number);
}

// ---------------------------------------------------------------- ClientHello

export interface ClientHello {
  /** True for an SSLv2-compatible ClientHello (then there are no extensions). */
  sslv2: boolean;
  /** legacy_version (ClientHello.client_version). */
  version: number;
  /** Session id bytes (at most 32; a copy). */
  sessionId: Uint8Array;
  /** Cipher suites in order, GREASE included (SSLv2 specs that map to a TLS suite only). */
  ciphers: number[];
  compressions: number[];
  /** True when the message carried an extension block (even an empty one). */
  hasExtensions: boolean;
  /** Every extension type, in order, GREASE included. */
  extTypes: number[];
  /** First host_name of server_name (0), or null. */
  sni: string | null;
  /** supported_groups (10), GREASE included. */
  groups: number[];
  /** ec_point_formats (11). */
  pointFormats: number[];
  /** signature_algorithms (13), in order. */
  sigAlgs: number[];
  /** ALPN (16) protocol names, in order. */
  alpn: string[];
  /** Raw bytes of the first ALPN protocol (a copy), for JA4; null when there is none. */
  alpnFirst: Uint8Array | null;
  /** supported_versions (43), GREASE included. */
  supportedVersions: number[];
  /** Anomaly ids of extensions whose inside was malformed (their values are dropped). */
  anomalies: number[];
}

function emptyClientHello(sslv2: boolean, version: number): ClientHello {
  return {
    sslv2,
    version,
    sessionId: new Uint8Array(0),
    ciphers: [],
    compressions: [],
    hasExtensions: false,
    extTypes: [],
    sni: null,
    groups: [],
    pointFormats: [],
    sigAlgs: [],
    alpn: [],
    alpnFirst: null,
    supportedVersions: [],
    anomalies: [],
  };
}

/** A list of u16 values with a `lenBytes`-byte length prefix filling exactly `[off, end)`; null if not. */
function u16List(buf: Uint8Array, off: number, end: number, lenBytes: 1 | 2): number[] | null {
  if (end - off < lenBytes) return null;
  const n = lenBytes === 2 ? u16(buf, off) : (buf[off] as number);
  const s = off + lenBytes;
  if (n !== end - s || (n & 1) !== 0) return null;
  const out: number[] = [];
  for (let i = s; i < end; i += 2) out.push(u16(buf, i));
  return out;
}

/** A list of u8 values with a 1-byte length prefix filling exactly `[off, end)`; null if not. */
function u8List(buf: Uint8Array, off: number, end: number): number[] | null {
  if (end - off < 1) return null;
  const n = buf[off] as number;
  if (n !== end - off - 1) return null;
  const out: number[] = [];
  for (let i = off + 1; i < end; i++) out.push(buf[i] as number);
  return out;
}

/**
 * server_name (RFC 6066 3): ServerNameList<1..2^16-1> of {NameType u8, HostName<1..2^16-1>}.
 * Returns the first host_name, '' when the list holds none, or null when malformed.
 */
function parseSni(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 2) return null;
  const listLen = u16(buf, off);
  if (listLen !== end - off - 2) return null;
  let p = off + 2;
  let first: string | null = null;
  while (p < end) {
    if (end - p < 3) return null;
    const type = buf[p] as number;
    const n = u16(buf, p + 1);
    p += 3;
    if (n > end - p) return null;
    if (type === SNI_HOST_NAME && first === null) first = latin1(buf, p, p + n);
    p += n;
  }
  return first ?? '';
}

/** ALPN (RFC 7301 3.1): ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. Null when malformed. */
function parseAlpn(buf: Uint8Array, off: number, end: number): { names: string[]; first: Uint8Array | null } | null {
  if (end - off < 2) return null;
  const listLen = u16(buf, off);
  if (listLen !== end - off - 2) return null;
  const names: string[] = [];
  let first: Uint8Array | null = null;
  let p = off + 2;
  while (p < end) {
    const n = buf[p] as number;
    p += 1;
    if (n > end - p) return null;
    if (first === null) first = copyBytes(buf, p, p + n);
    names.push(latin1(buf, p, p + n));
    p += n;
  }
  return { names, first };
}

/**
 * ClientHello body (the handshake message without its 4-byte header) in `[off, end)`.
 * Returns the parsed message or a negative anomaly id.
 */
export function parseClientHello(buf: Uint8Array, off: number, end: number): ClientHello | number {
  // legacy_version(2) random(32) session_id length(1)
  if (off < 0 || end > buf.length || end - off < 35) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  const ch = emptyClientHello(false, u16(buf, off));
  let p = off + 34;
  const sidLen = buf[p] as number;
  p += 1;
  if (sidLen > end - p) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  if (sidLen > 32) return -A_TLS_CLIENT_HELLO_BAD_SESSION_ID;
  ch.sessionId = copyBytes(buf, p, p + sidLen);
  p += sidLen;
  // cipher_suites<2..2^16-2>
  if (end - p < 2) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  const csLen = u16(buf, p);
  p += 2;
  if (csLen > end - p) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  if ((csLen & 1) !== 0 || csLen === 0) return -A_TLS_CLIENT_HELLO_BAD_CIPHER_LIST;
  for (let i = p; i < p + csLen; i += 2) ch.ciphers.push(u16(buf, i));
  p += csLen;
  // compression_methods<1..2^8-1>
  if (end - p < 1) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  const cmLen = buf[p] as number;
  p += 1;
  if (cmLen > end - p) return -A_TLS_CLIENT_HELLO_BAD_LENGTH;
  for (let i = p; i < p + cmLen; i++) ch.compressions.push(buf[i] as number);
  p += cmLen;
  if (p === end) return ch; // no extensions (SSLv3 / early TLS)
  // extensions<8..2^16-1>
  if (end - p < 2) return -A_TLS_CLIENT_HELLO_EXT_OVERFLOW;
  const extLen = u16(buf, p);
  p += 2;
  if (extLen > end - p) return -A_TLS_CLIENT_HELLO_EXT_OVERFLOW;
  const extEnd = p + extLen;
  ch.hasExtensions = true;
  while (p < extEnd) {
    if (extEnd - p < 4) return -A_TLS_CLIENT_HELLO_EXT_OVERFLOW;
    const type = u16(buf, p);
    const n = u16(buf, p + 2);
    p += 4;
    if (n > extEnd - p) return -A_TLS_CLIENT_HELLO_EXT_OVERFLOW;
    ch.extTypes.push(type);
    const e = p + n;
    switch (type) {
      case EXT_SERVER_NAME: {
        // An empty server_name is what a server echoes; from a client it is still "SNI present".
        if (n === 0) break;
        const s = parseSni(buf, p, e);
        if (s === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else if (ch.sni === null && s !== '') ch.sni = s;
        break;
      }
      case EXT_SUPPORTED_GROUPS: {
        const l = u16List(buf, p, e, 2);
        if (l === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else ch.groups = l;
        break;
      }
      case EXT_EC_POINT_FORMATS: {
        const l = u8List(buf, p, e);
        if (l === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else ch.pointFormats = l;
        break;
      }
      case EXT_SIGNATURE_ALGORITHMS: {
        const l = u16List(buf, p, e, 2);
        if (l === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else ch.sigAlgs = l;
        break;
      }
      case EXT_ALPN: {
        const a = parseAlpn(buf, p, e);
        if (a === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else {
          ch.alpn = a.names;
          ch.alpnFirst = a.first;
        }
        break;
      }
      case EXT_SUPPORTED_VERSIONS: {
        const l = u16List(buf, p, e, 1);
        if (l === null) ch.anomalies.push(A_TLS_CLIENT_HELLO_EXT_MALFORMED);
        else ch.supportedVersions = l;
        break;
      }
      default:
        break;
    }
    p = e;
  }
  if (p !== end) ch.anomalies.push(A_TLS_CLIENT_HELLO_TRAILING);
  return ch;
}

/**
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2) message in `[off, end)`, starting at its
 * msg_type byte (after the 2-byte record header): msg_type(1) version(2) cipher_spec_length(2)
 * session_id_length(2) challenge_length(2) cipher_specs session_id challenge. 3-byte specs whose
 * first byte is 0 are TLS suites and are kept; SSLv2-only specs are dropped.
 */
export function parseSslv2ClientHello(buf: Uint8Array, off: number, end: number): ClientHello | number {
  if (off < 0 || end > buf.length || end - off < 9) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  if (buf[off] !== SSL2_MT_CLIENT_HELLO) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  const ch = emptyClientHello(true, u16(buf, off + 1));
  const csLen = u16(buf, off + 3);
  const sidLen = u16(buf, off + 5);
  const chalLen = u16(buf, off + 7);
  let p = off + 9;
  if (csLen % 3 !== 0 || csLen === 0) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  if (sidLen !== 0 && sidLen !== 16) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  if (chalLen < 16 || chalLen > 32) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  if (csLen + sidLen + chalLen !== end - p) return -A_TLS_CLIENT_HELLO_SSLV2_MALFORMED;
  for (let i = p; i < p + csLen; i += 3) if (buf[i] === 0) ch.ciphers.push(u16(buf, i + 1));
  p += csLen;
  ch.sessionId = copyBytes(buf, p, p + sidLen);
  return ch;
}

// ---------------------------------------------------------------- ServerHello

export interface ServerHello {
  /** legacy_version (ServerHello.server_version). */
  version: number;
  /** The random is SHA-256("HelloRetryRequest"): this is a HelloRetryRequest (RFC 8446 4.1.3). */
  helloRetry: boolean;
  sessionId: Uint8Array;
  cipher: number;
  compression: number;
  hasExtensions: boolean;
  /** Every extension type, in order. */
  extTypes: number[];
  /** supported_versions (43) selected_version, or null. */
  selectedVersion: number | null;
  /** The protocol the ALPN extension selected, or null. */
  alpn: string | null;
  /** pre_shared_key (41) present: TLS 1.3 resumption. */
  psk: boolean;
  anomalies: number[];
}

/** ServerHello body in `[off, end)`. Returns the parsed message or a negative anomaly id. */
export function parseServerHello(buf: Uint8Array, off: number, end: number): ServerHello | number {
  // version(2) random(32) session_id length(1)
  if (off < 0 || end > buf.length || end - off < 35) return -A_TLS_SERVER_HELLO_BAD_LENGTH;
  let helloRetry = true;
  for (let i = 0; i < 32; i++) {
    if (buf[off + 2 + i] !== HRR_RANDOM[i]) {
      helloRetry = false;
      break;
    }
  }
  let p = off + 34;
  const sidLen = buf[p] as number;
  p += 1;
  if (sidLen > 32 || end - p < sidLen + 3) return -A_TLS_SERVER_HELLO_BAD_LENGTH;
  const sh: ServerHello = {
    version: u16(buf, off),
    helloRetry,
    sessionId: copyBytes(buf, p, p + sidLen),
    cipher: u16(buf, p + sidLen),
    compression: buf[p + sidLen + 2] as number,
    hasExtensions: false,
    extTypes: [],
    selectedVersion: null,
    alpn: null,
    psk: false,
    anomalies: [],
  };
  p += sidLen + 3;
  if (p === end) return sh;
  if (end - p < 2) return -A_TLS_SERVER_HELLO_EXT_OVERFLOW;
  const extLen = u16(buf, p);
  p += 2;
  if (extLen > end - p) return -A_TLS_SERVER_HELLO_EXT_OVERFLOW;
  const extEnd = p + extLen;
  sh.hasExtensions = true;
  while (p < extEnd) {
    if (extEnd - p < 4) return -A_TLS_SERVER_HELLO_EXT_OVERFLOW;
    const type = u16(buf, p);
    const n = u16(buf, p + 2);
    p += 4;
    if (n > extEnd - p) return -A_TLS_SERVER_HELLO_EXT_OVERFLOW;
    sh.extTypes.push(type);
    const e = p + n;
    if (type === EXT_SUPPORTED_VERSIONS) {
      if (n === 2) sh.selectedVersion = u16(buf, p);
      else sh.anomalies.push(A_TLS_SERVER_HELLO_EXT_MALFORMED);
    } else if (type === EXT_ALPN) {
      const a = parseAlpn(buf, p, e);
      if (a === null || a.names.length !== 1) sh.anomalies.push(A_TLS_SERVER_HELLO_EXT_MALFORMED);
      else sh.alpn = a.names[0] as string;
    } else if (type === EXT_PRE_SHARED_KEY) {
      sh.psk = true;
    }
    p = e;
  }
  if (p !== end) sh.anomalies.push(A_TLS_SERVER_HELLO_BAD_LENGTH);
  return sh;
}

// ---------------------------------------------------------------- Certificate (TLS <= 1.2)

/**
 * Certificate body (TLS <= 1.2, RFC 5246 7.4.2): certificate_list<0..2^24-1> of
 * ASN.1Cert<1..2^24-1>. Returns the [start, end) offsets of each DER, flat (`[s0, e0, s1, e1 ...]`),
 * or a negative anomaly id when a length disagrees with its parent.
 */
export function parseCertificateList(buf: Uint8Array, off: number, end: number): number[] | number {
  if (off < 0 || end > buf.length || end - off < 3) return -A_TLS_CERTIFICATE_BAD_LENGTH;
  const listLen = u24(buf, off);
  if (listLen !== end - off - 3) return -A_TLS_CERTIFICATE_BAD_LENGTH;
  const out: number[] = [];
  let p = off + 3;
  while (p < end) {
    if (end - p < 3) return -A_TLS_CERTIFICATE_BAD_LENGTH;
    const n = u24(buf, p);
    p += 3;
    if (n === 0 || n > end - p) return -A_TLS_CERTIFICATE_BAD_LENGTH;
    out.push(p, p + n);
    p += n;
  }
  return out;
}

// ---------------------------------------------------------------- headers

/** Handshake message header at `off` (4 bytes available): type and 24-bit length. */
export function handshakeType(buf: Uint8Array, off: number): number {
  return buf[off] as number;
}

export function handshakeLength(buf: Uint8Array, off: number): number {
  return u24(buf, off + 1);
}
