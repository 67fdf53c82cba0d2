/**
 * Pure HTTP/1.x, Digest/Basic, WS-Management and WebSocket framing parsers over `(buf, off, end)`.
 *
 * Nothing here keeps state between calls except through the explicit state objects the caller owns
 * (HeadScan, ChunkState), so every function can be fed a byte range that grows (incremental use) or
 * a fuzzer's arbitrary bytes. Results are offsets into the caller's buffer; strings are made by the
 * analyzer, and only for the few values it keeps. On malformed input the functions return a
 * negative anomaly id (`-A_HTTP_*`) and never throw.
 */
import {
  A_HTTP_BAD_CHUNK_SIZE,
  A_HTTP_BAD_CHUNK_TERMINATOR,
  A_HTTP_BAD_REQUEST_LINE,
  A_HTTP_BAD_STATUS_LINE,
  A_HTTP_CHUNK_LINE_TOO_LONG,
  A_HTTP_HEAD_TOO_LONG,
  A_HTTP_TRAILER_TOO_LONG,
  A_HTTP_WS_BAD_LENGTH,
  DIGEST_PARAM_NAMES,
  H_AUTHORIZATION,
  H_CONTENT_LENGTH,
  H_CONTENT_TYPE,
  H_HOST,
  H_SERVER,
  H_TRANSFER_ENCODING,
  H_UPGRADE,
  H_USER_AGENT,
  H_WWW_AUTHENTICATE,
  MAX_CHUNK_SIZE_DIGITS,
  MAX_CONTENT_LENGTH_DIGITS,
  MAX_METHOD_LEN,
  MAX_WSMAN_PARAMS,
  SERVER_AMT_PRODUCTS,
  SERVER_INTEL_PREFIX,
  T_BASIC,
  T_CHUNKED,
  T_DIGEST,
  T_HTTP_SLASH,
  T_WEBSOCKET,
  WSMAN_ACTION,
  WSMAN_PARAM_BYTES,
  WSMAN_RESOURCE_URI,
} from './constants.js';

export const KIND_REQUEST = 0;
export const KIND_RESPONSE = 1;
export type MessageKind = typeof KIND_REQUEST | typeof KIND_RESPONSE;

const HT = 9;
const LF = 10;
const CR = 13;
const SP = 32;
const DQUOTE = 34;
const SQUOTE = 39;
const COMMA = 44;
const SLASH = 47;
const COLON = 58;
const SEMI = 59;
const LT = 60;
const EQ = 61;
const GT = 62;
const QMARK = 63;
const BANG = 33;
const BSLASH = 92;

/** RFC 9110 tchar. */
const TCHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

/** Hex digit value + 1 (0 = not a hex digit). */
const HEXV = new Uint8Array(256);
for (let c = 0; c < 10; c++) HEXV[0x30 + c] = c + 1;
for (let c = 0; c < 6; c++) {
  HEXV[0x41 + c] = c + 11;
  HEXV[0x61 + c] = c + 11;
}

/** Base64 value + 1 (0 = not in the alphabet). */
const B64V = new Uint8Array(256);
{
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < a.length; i++) B64V[a.charCodeAt(i)] = i + 1;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isOws(b: number): boolean {
  return b === SP || b === HT;
}

/** Index of byte `b` in `buf[from..to)`, or -1. Never looks past `to`. */
export function findByte(buf: Uint8Array, from: number, to: number, b: number): number {
  // Most searches end within a few dozen bytes (next LF in a head, next `<` in XML): plain loop first.
  const near = to - from > 48 ? from + 48 : to;
  for (let i = from; i < near; i++) if (buf[i] === b) return i;
  if (near === to) return -1;
  // Native search; over the whole tail when it is short, else on a view bounded by `to`.
  if (buf.length - to <= 256) {
    const i = buf.indexOf(b, near);
    return i >= 0 && i < to ? i : -1;
  }
  const i = buf.subarray(near, to).indexOf(b);
  return i < 0 ? -1 : near + i;
}

/** `buf[s..e)` equals `lowerName` ignoring ASCII case (lowerName is lower case). */
export function equalsLower(buf: Uint8Array, s: number, e: number, lowerName: Uint8Array): boolean {
  const n = lowerName.length;
  if (e - s !== n) return false;
  for (let i = 0; i < n; i++) if (lower(buf[s + i] as number) !== lowerName[i]) return false;
  return true;
}

/** `buf[s..e)` starts with `lowerName` ignoring ASCII case. */
export function startsWithLower(buf: Uint8Array, s: number, e: number, lowerName: Uint8Array): boolean {
  const n = lowerName.length;
  if (e - s < n) return false;
  for (let i = 0; i < n; i++) if (lower(buf[s + i] as number) !== lowerName[i]) return false;
  return true;
}

/** Index of `lowerName` inside `buf[s..e)` ignoring ASCII case, or -1 (short needles only). */
export function indexOfLower(buf: Uint8Array, s: number, e: number, lowerName: Uint8Array): number {
  const n = lowerName.length;
  const first = lowerName[0];
  for (let i = s; i + n <= e; i++) {
    if (lower(buf[i] as number) === first && startsWithLower(buf, i, e, lowerName)) return i;
  }
  return -1;
}

/** A comma-separated list in `buf[s..e)` has the element `tokenLower` (parameters after `;` ignored). */
export function listHasToken(buf: Uint8Array, s: number, e: number, tokenLower: Uint8Array): boolean {
  let i = s;
  while (i < e) {
    while (i < e && (isOws(buf[i] as number) || buf[i] === COMMA)) i++;
    const ts = i;
    while (i < e && buf[i] !== COMMA && buf[i] !== SEMI && !isOws(buf[i] as number)) i++;
    if (equalsLower(buf, ts, i, tokenLower)) return true;
    while (i < e && buf[i] !== COMMA) i++;
  }
  return false;
}

/** Start and end offsets of a value; s < 0 means absent. */
export class Span {
  s = -1;
  e = -1;
}

// ---------------------------------------------------------------- start lines

/** Offsets of a request line or a status line (relative to the buffer it was parsed from). */
export class StartLine {
  methodS = 0;
  methodE = 0;
  uriS = 0;
  uriE = 0;
  /** `1.1` in `HTTP/1.1`. */
  verS = 0;
  verE = 0;
  status = 0;
  reasonS = 0;
  reasonE = 0;
}

function lineEnd(buf: Uint8Array, off: number, eol: number): number {
  return eol > off && buf[eol - 1] === CR ? eol - 1 : eol;
}

/** `HTTP/d.d` at `i` (within `le`): returns the offset after it, or -1. */
function httpVersion(buf: Uint8Array, i: number, le: number): number {
  if (le - i < 8) return -1;
  for (let k = 0; k < 5; k++) if (buf[i + k] !== T_HTTP_SLASH[k]) return -1;
  if (!isDigit(buf[i + 5] as number) || buf[i + 6] !== 0x2e || !isDigit(buf[i + 7] as number)) return -1;
  return i + 8;
}

/**
 * `METHOD SP request-target SP HTTP/d.d [CR] LF`, `eol` being the index of the LF.
 * Returns 1, or -A_HTTP_BAD_REQUEST_LINE.
 */
export function parseRequestLine(buf: Uint8Array, off: number, eol: number, out: StartLine): number {
  const le = lineEnd(buf, off, eol);
  let i = off;
  while (i < le && TCHAR[buf[i] as number] === 1) i++;
  if (i === off || i >= le || buf[i] !== SP) return -A_HTTP_BAD_REQUEST_LINE;
  out.methodS = off;
  out.methodE = i;
  const us = ++i;
  while (i < le) {
    const b = buf[i] as number;
    if (b <= SP || b === 0x7f) break;
    i++;
  }
  if (i === us || i >= le || buf[i] !== SP) return -A_HTTP_BAD_REQUEST_LINE;
  out.uriS = us;
  out.uriE = i;
  const v = httpVersion(buf, i + 1, le);
  if (v !== le) return -A_HTTP_BAD_REQUEST_LINE;
  out.verS = i + 6;
  out.verE = v;
  return 1;
}

/**
 * `HTTP/d.d SP 3DIGIT [SP reason] [CR] LF`, `eol` being the index of the LF.
 * Returns 1, or -A_HTTP_BAD_STATUS_LINE.
 */
export function parseStatusLine(buf: Uint8Array, off: number, eol: number, out: StartLine): number {
  const le = lineEnd(buf, off, eol);
  const v = httpVersion(buf, off, le);
  if (v < 0 || le - v < 4 || buf[v] !== SP) return -A_HTTP_BAD_STATUS_LINE;
  const a = buf[v + 1] as number;
  const b = buf[v + 2] as number;
  const c = buf[v + 3] as number;
  if (!isDigit(a) || !isDigit(b) || !isDigit(c)) return -A_HTTP_BAD_STATUS_LINE;
  const r = v + 4;
  if (r < le && buf[r] !== SP) return -A_HTTP_BAD_STATUS_LINE;
  out.verS = off + 5;
  out.verE = v;
  out.status = (a - 0x30) * 100 + (b - 0x30) * 10 + (c - 0x30);
  out.reasonS = r < le ? r + 1 : le;
  out.reasonE = le;
  return 1;
}

/**
 * Could a message of `kind` start at `off`? Used to resynchronise after a gap or a framing error
 * (Suricata's probe): a request starts with an upper-case method token and a space, a response with
 * `HTTP/`. Returns true also when the bytes available are a plausible beginning that is too short
 * to decide; the full start line is validated once it is complete.
 */
export function looksLikeMessageStart(kind: MessageKind, buf: Uint8Array, off: number, end: number): boolean {
  if (off >= end) return false;
  if (kind === KIND_RESPONSE) {
    const n = end - off < 5 ? end - off : 5;
    for (let k = 0; k < n; k++) if (buf[off + k] !== T_HTTP_SLASH[k]) return false;
    return true;
  }
  let i = off;
  const stop = end - off > MAX_METHOD_LEN + 1 ? off + MAX_METHOD_LEN + 1 : end;
  while (i < stop) {
    const b = buf[i] as number;
    if (b === SP) return i > off;
    if (!((b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x5f)) return false;
    i++;
  }
  return i === end;
}

// ---------------------------------------------------------------- head scanning

/** Incremental state of a head search; positions are relative to the head's first byte. */
export class HeadScan {
  /** Where the next LF search starts. */
  pos = 0;
  /** Start of the current (not yet terminated) line. */
  lineStart = 0;
  /** Index of the first LF (end of the start line), -1 until seen. */
  firstEol = -1;

  reset(): void {
    this.pos = 0;
    this.lineStart = 0;
    this.firstEol = -1;
  }
}

/**
 * Looks for the end of a message head that starts at `base` and has been received up to `end`.
 * Continues where the previous call on the same `st` stopped, so bytes are scanned once however
 * the head arrives. The start line is validated as soon as its LF is seen (into `line`), and
 * before that its first bytes must look like a message start (looksLikeMessageStart), so that
 * non-HTTP bytes are rejected at once instead of being buffered up to the limit.
 * Returns the head length (through the empty line's LF), 0 when more bytes are needed, or:
 *   -A_HTTP_BAD_REQUEST_LINE / -A_HTTP_BAD_STATUS_LINE  the start line is not HTTP/1.x
 *                                                       (st.firstEol is -1 when rejected early)
 *   -A_HTTP_HEAD_TOO_LONG                               `limit` bytes hold no complete head
 */
export function scanHead(
  buf: Uint8Array,
  base: number,
  end: number,
  kind: MessageKind,
  limit: number,
  st: HeadScan,
  line: StartLine,
): number {
  const stop = end - base > limit ? base + limit : end;
  if (st.firstEol < 0 && base < stop && !looksLikeMessageStart(kind, buf, base, stop)) {
    return kind === KIND_REQUEST ? -A_HTTP_BAD_REQUEST_LINE : -A_HTTP_BAD_STATUS_LINE;
  }
  let i = base + st.pos;
  while (i < stop) {
    const lf = findByte(buf, i, stop, LF);
    if (lf < 0) {
      i = stop;
      break;
    }
    const rel = lf - base;
    if (st.firstEol < 0) {
      st.firstEol = rel;
      const r = kind === KIND_REQUEST ? parseRequestLine(buf, base, lf, line) : parseStatusLine(buf, base, lf, line);
      if (r < 0) {
        st.pos = rel + 1;
        return r;
      }
    } else if (rel === st.lineStart || (rel === st.lineStart + 1 && buf[lf - 1] === CR)) {
      st.pos = rel + 1;
      return rel + 1;
    }
    st.lineStart = rel + 1;
    i = lf + 1;
  }
  st.pos = i - base;
  return end - base >= limit ? -A_HTTP_HEAD_TOO_LONG : 0;
}

// ---------------------------------------------------------------- header fields

export const CL_NONE = 0;
export const CL_OK = 1;
/** Not a list of digits (e.g. `-1`, `abc`, empty). */
export const CL_BAD = -1;
/** Digits, but more than MAX_CONTENT_LENGTH_DIGITS significant ones. */
export const CL_TOO_LARGE = -2;
/** Different values (in one list, or in two headers). */
export const CL_CONFLICT = -3;

export const TE_NONE = 0;
export const TE_CHUNKED = 1;
/** Transfer-Encoding whose final coding is not chunked. */
export const TE_OTHER = 2;

/** What a head says, as offsets into the buffer it was parsed from (-1 = header absent). */
export class HeadInfo {
  /** Header fields seen (capped at the limit + 1). */
  count = 0;
  tooMany = false;
  badLines = 0;
  host = new Span();
  userAgent = new Span();
  authorization = new Span();
  /** The first WWW-Authenticate whose scheme is Digest. */
  wwwDigest = new Span();
  server = new Span();
  contentType = new Span();
  clState = CL_NONE;
  clValue = 0;
  teState = TE_NONE;
  upgrade = false;
  upgradeWebsocket = false;

  reset(): void {
    this.count = 0;
    this.tooMany = false;
    this.badLines = 0;
    this.host.s = this.userAgent.s = this.authorization.s = this.wwwDigest.s = this.server.s = this.contentType.s = -1;
    this.host.e = this.userAgent.e = this.authorization.e = this.wwwDigest.e = this.server.e = this.contentType.e = -1;
    this.clState = CL_NONE;
    this.clValue = 0;
    this.teState = TE_NONE;
    this.upgrade = false;
    this.upgradeWebsocket = false;
  }
}

function keep(span: Span, s: number, e: number): void {
  if (span.s < 0) {
    span.s = s;
    span.e = e;
  }
}

/**
 * Content-Length value (possibly a list of identical values, RFC 9110 8.6): the number, or CL_BAD,
 * CL_TOO_LARGE, CL_CONFLICT.
 */
export function parseContentLength(buf: Uint8Array, s: number, e: number): number {
  let value = -1;
  let tooLarge = false;
  let conflict = false;
  let i = s;
  for (;;) {
    while (i < e && isOws(buf[i] as number)) i++;
    let v = 0;
    let sig = 0;
    const ds = i;
    while (i < e && isDigit(buf[i] as number)) {
      const d = (buf[i] as number) - 0x30;
      if (sig > 0 || d !== 0) sig++;
      if (sig <= MAX_CONTENT_LENGTH_DIGITS) v = v * 10 + d;
      i++;
    }
    if (i === ds) return CL_BAD;
    if (sig > MAX_CONTENT_LENGTH_DIGITS) tooLarge = true;
    else if (value >= 0 && v !== value) conflict = true;
    else value = v;
    while (i < e && isOws(buf[i] as number)) i++;
    if (i >= e) break;
    if (buf[i] !== COMMA) return CL_BAD;
    i++;
  }
  if (tooLarge) return CL_TOO_LARGE;
  if (conflict) return CL_CONFLICT;
  return value;
}

function lastCodingIsChunked(buf: Uint8Array, s: number, e: number): boolean {
  let i = e;
  while (i > s && buf[i - 1] !== COMMA) i--;
  let ce = i;
  while (ce < e && buf[ce] !== SEMI) ce++;
  while (i < ce && isOws(buf[i] as number)) i++;
  while (ce > i && isOws(buf[ce - 1] as number)) ce--;
  return equalsLower(buf, i, ce, T_CHUNKED);
}

function mergeContentLength(out: HeadInfo, v: number): void {
  if (out.clState === CL_NONE) {
    if (v >= 0) {
      out.clState = CL_OK;
      out.clValue = v;
    } else out.clState = v;
  } else if (out.clState === CL_OK) {
    if (v < 0) out.clState = v;
    else if (v !== out.clValue) out.clState = CL_CONFLICT;
  }
}

/**
 * Header lines in `buf[off..end)`, each ended by LF (CR optional), up to the empty line or `end`
 * (an unterminated last line is ignored: a truncated head gives only the complete fields). Names
 * are compared as bytes, by length first; only the fields of HeadInfo are kept.
 */
export function parseHeaders(buf: Uint8Array, off: number, end: number, maxHeaders: number, out: HeadInfo): void {
  let ls = off;
  while (ls < end) {
    const lf = findByte(buf, ls, end, LF);
    if (lf < 0) return;
    const le = lineEnd(buf, ls, lf);
    if (le === ls) return;
    const b0 = buf[ls] as number;
    let c = ls;
    while (c < le && TCHAR[buf[c] as number] === 1) c++;
    if (isOws(b0) || c === ls || c >= le || buf[c] !== COLON) {
      out.badLines++;
      ls = lf + 1;
      continue;
    }
    // past the limit the head is flagged but still read (its byte limit bounds the work), so
    // padding headers cannot hide an Authorization or a Content-Length behind them
    if (++out.count > maxHeaders) out.tooMany = true;
    let vs = c + 1;
    let ve = le;
    while (vs < ve && isOws(buf[vs] as number)) vs++;
    while (ve > vs && isOws(buf[ve - 1] as number)) ve--;
    switch (c - ls) {
      case 4:
        if (equalsLower(buf, ls, c, H_HOST)) keep(out.host, vs, ve);
        break;
      case 6:
        if (equalsLower(buf, ls, c, H_SERVER)) keep(out.server, vs, ve);
        break;
      case 7:
        if (equalsLower(buf, ls, c, H_UPGRADE)) {
          out.upgrade = true;
          if (listHasToken(buf, vs, ve, T_WEBSOCKET)) out.upgradeWebsocket = true;
        }
        break;
      case 10:
        if (equalsLower(buf, ls, c, H_USER_AGENT)) keep(out.userAgent, vs, ve);
        break;
      case 12:
        if (equalsLower(buf, ls, c, H_CONTENT_TYPE)) keep(out.contentType, vs, ve);
        break;
      case 13:
        if (equalsLower(buf, ls, c, H_AUTHORIZATION)) keep(out.authorization, vs, ve);
        break;
      case 14:
        if (equalsLower(buf, ls, c, H_CONTENT_LENGTH)) mergeContentLength(out, parseContentLength(buf, vs, ve));
        break;
      case 16:
        if (
          out.wwwDigest.s < 0 &&
          equalsLower(buf, ls, c, H_WWW_AUTHENTICATE) &&
          startsWithLower(buf, vs, ve, T_DIGEST) &&
          (vs + T_DIGEST.length === ve || isOws(buf[vs + T_DIGEST.length] as number))
        ) {
          keep(out.wwwDigest, vs, ve);
        }
        break;
      case 17:
        if (equalsLower(buf, ls, c, H_TRANSFER_ENCODING)) out.teState = lastCodingIsChunked(buf, vs, ve) ? TE_CHUNKED : TE_OTHER;
        break;
      default:
        break;
    }
    ls = lf + 1;
  }
}

// ---------------------------------------------------------------- Authorization / WWW-Authenticate

export const AUTH_NONE = 0;
export const AUTH_OTHER = 1;
export const AUTH_DIGEST = 2;
export const AUTH_BASIC = 3;

/** A parsed credentials or challenge header: the scheme and, for Digest, the auth-params kept. */
export class AuthInfo {
  scheme = AUTH_NONE;
  schemeS = -1;
  schemeE = -1;
  /** Digest params by DIGEST_* index: start / end offsets of the raw value (quotes removed), -1 = absent. */
  readonly ps = new Int32Array(DIGEST_PARAM_NAMES.length);
  readonly pe = new Int32Array(DIGEST_PARAM_NAMES.length);
  /** Basic: the token68. */
  tokenS = -1;
  tokenE = -1;
  /** Syntax errors in the params (unterminated quote, missing `=`, junk between params). */
  bad = false;

  reset(): void {
    this.scheme = AUTH_NONE;
    this.schemeS = this.schemeE = this.tokenS = this.tokenE = -1;
    this.ps.fill(-1);
    this.pe.fill(-1);
    this.bad = false;
  }
}

/**
 * auth-params `name = (token | quoted-string)` separated by commas, in any order, from `i` to `e`.
 * Keeps the first occurrence of each DIGEST_PARAM_NAMES name (raw bytes between the quotes). In a
 * challenge (WWW-Authenticate) it stops at a bare token, the next challenge of a multi-challenge
 * header. In credentials (Authorization: `credentials` true) a bare token or junk is marked bad
 * and skipped to the next comma, so nothing put in front of `response=` can hide it.
 */
export function parseAuthParams(buf: Uint8Array, i: number, e: number, out: AuthInfo, credentials = false): void {
  while (i < e) {
    while (i < e && (isOws(buf[i] as number) || buf[i] === COMMA)) i++;
    if (i >= e) return;
    const ns = i;
    while (i < e && TCHAR[buf[i] as number] === 1) i++;
    const ne = i;
    if (ne === ns) {
      out.bad = true;
      if (!credentials) return;
      i = skipToComma(buf, i, e);
      continue;
    }
    while (i < e && isOws(buf[i] as number)) i++;
    if (i >= e || buf[i] !== EQ) {
      if (credentials) {
        out.bad = true;
        i = skipToComma(buf, i, e);
        continue;
      }
      if (i < e && buf[i] !== COMMA) out.bad = true;
      return;
    }
    i++;
    while (i < e && isOws(buf[i] as number)) i++;
    let vs: number;
    let ve: number;
    if (i < e && buf[i] === DQUOTE) {
      vs = ++i;
      while (i < e && buf[i] !== DQUOTE) i += buf[i] === BSLASH ? 2 : 1;
      if (i >= e) {
        out.bad = true;
        return; // unterminated: nothing kept from it
      }
      ve = i++;
    } else {
      vs = i;
      while (i < e && buf[i] !== COMMA && !isOws(buf[i] as number)) i++;
      ve = i;
    }
    const n = ne - ns;
    for (let k = 0; k < DIGEST_PARAM_NAMES.length; k++) {
      const name = DIGEST_PARAM_NAMES[k] as Uint8Array;
      if (name.length === n && out.ps[k] === -1 && equalsLower(buf, ns, ne, name)) {
        out.ps[k] = vs;
        out.pe[k] = ve;
        break;
      }
    }
    while (i < e && isOws(buf[i] as number)) i++;
    if (i < e && buf[i] !== COMMA) out.bad = true;
  }
}

/** The next comma at or after `i` outside a quoted string, or `e`. */
function skipToComma(buf: Uint8Array, i: number, e: number): number {
  while (i < e && buf[i] !== COMMA) {
    if (buf[i] === DQUOTE) {
      i++;
      while (i < e && buf[i] !== DQUOTE) i += buf[i] === BSLASH ? 2 : 1;
    }
    i++;
  }
  return Math.min(i, e);
}

/**
 * `Authorization` (`credentials` true) / `WWW-Authenticate` value: scheme, then Digest params or
 * the Basic token68.
 */
export function parseAuthorization(buf: Uint8Array, s: number, e: number, out: AuthInfo, credentials = false): number {
  out.reset();
  let i = s;
  while (i < e && isOws(buf[i] as number)) i++;
  const ss = i;
  while (i < e && TCHAR[buf[i] as number] === 1) i++;
  if (i === ss) return AUTH_NONE;
  out.schemeS = ss;
  out.schemeE = i;
  if (i < e && !isOws(buf[i] as number)) out.bad = true;
  if (equalsLower(buf, ss, i, T_DIGEST)) {
    out.scheme = AUTH_DIGEST;
    parseAuthParams(buf, i, e, out, credentials);
  } else if (equalsLower(buf, ss, i, T_BASIC)) {
    out.scheme = AUTH_BASIC;
    while (i < e && isOws(buf[i] as number)) i++;
    out.tokenS = i;
    while (i < e && !isOws(buf[i] as number)) i++;
    out.tokenE = i;
  } else {
    out.scheme = AUTH_OTHER;
  }
  return out.scheme;
}

/**
 * Decodes a Basic token68 only as far as the first `:` and writes the user name bytes into `out`
 * (cut at out.length). The password is never decoded. Returns the bytes written, or -1 when the
 * token is not base64 or has no `:`.
 */
export function decodeBasicUser(buf: Uint8Array, s: number, e: number, out: Uint8Array): number {
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c === EQ) return -1; // padding reached before any ':'
    const v = B64V[c] as number;
    if (v === 0) return -1;
    acc = ((acc << 6) | (v - 1)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (acc >> bits) & 0xff;
      if (byte === COLON) return n;
      if (n < out.length) out[n++] = byte;
    }
  }
  return -1;
}

/** True when `buf[s..e)` is exactly 32 hexadecimal characters (an MD5 digest response). */
export function isHex32(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 32) return false;
  for (let i = s; i < e; i++) if (HEXV[buf[i] as number] === 0) return false;
  return true;
}

// ---------------------------------------------------------------- Server header

/**
 * AMT firmware version from a Server value (amt-protocol.md 2.1): `Intel(R) Active Management
 * Technology 11.8.50.3425`, `Intel(R) Standard Manageability 9.0.3`, `Intel(R) Con. Management
 * Engine 5.0.1` (case-insensitive). Sets `out` to the version digits and dots; false otherwise
 * (e.g. `Server: AMT`, which carries no version).
 */
export function parseAmtFirmware(buf: Uint8Array, s: number, e: number, out: Span): boolean {
  if (!startsWithLower(buf, s, e, SERVER_INTEL_PREFIX)) return false;
  const ps = s + SERVER_INTEL_PREFIX.length;
  let i = -1;
  for (const p of SERVER_AMT_PRODUCTS) {
    if (startsWithLower(buf, ps, e, p)) {
      i = ps + p.length;
      break;
    }
  }
  if (i < 0 || i >= e || !isOws(buf[i] as number)) return false;
  while (i < e && isOws(buf[i] as number)) i++;
  if (i >= e || !isDigit(buf[i] as number)) return false;
  const vs = i;
  while (i < e && (isDigit(buf[i] as number) || buf[i] === 0x2e)) i++;
  let ve = i;
  while (ve > vs && buf[ve - 1] === 0x2e) ve--;
  out.s = vs;
  out.e = ve;
  return true;
}

// ---------------------------------------------------------------- WS-Management SOAP

/** Offsets of what a WS-Man envelope says; parameter names are WSMAN_PARAM_NAMES indexes. */
export class WsmanScan {
  action = new Span();
  resourceUri = new Span();
  nParams = 0;
  readonly pName = new Int16Array(MAX_WSMAN_PARAMS);
  readonly pS = new Int32Array(MAX_WSMAN_PARAMS);
  readonly pE = new Int32Array(MAX_WSMAN_PARAMS);
  /** More notable parameters than MAX_WSMAN_PARAMS. */
  overflow = false;

  reset(): void {
    this.action.s = this.action.e = this.resourceUri.s = this.resourceUri.e = -1;
    this.nParams = 0;
    this.overflow = false;
  }
}

/** WSMAN_PARAM_BYTES indexes grouped by name length. */
const PARAMS_BY_LEN: number[][] = [];
WSMAN_PARAM_BYTES.forEach((b, k) => {
  (PARAMS_BY_LEN[b.length] ??= []).push(k);
});

function isXmlSpace(b: number): boolean {
  return b === SP || b === HT || b === CR || b === LF;
}

function bytesEq(buf: Uint8Array, s: number, e: number, name: Uint8Array): boolean {
  if (e - s !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (buf[s + k] !== name[k]) return false;
  return true;
}

/**
 * Scans a SOAP envelope prefix `buf[off..end)` for the first Action and ResourceURI elements (any
 * namespace prefix, attributes allowed) and the notable parameters, in document order. A value is
 * taken only when the `<` that ends it is inside the range (a cut value is never reported).
 * Values are raw (entities not decoded), trimmed of XML white space.
 */
export function scanWsman(buf: Uint8Array, off: number, end: number, out: WsmanScan): void {
  let i = off;
  while (i < end) {
    const lt = findByte(buf, i, end, LT);
    if (lt < 0 || lt + 1 >= end) return;
    let j = lt + 1;
    const c = buf[j] as number;
    if (c === SLASH) {
      i = j;
      continue;
    }
    if (c === QMARK || c === BANG) {
      // Processing instruction, comment, CDATA, declaration: skip to its end, so that a fake
      // element inside a comment cannot stand in for the real one.
      const term = c === QMARK ? PI_END : startsWithBytes(buf, j, end, COMMENT_OPEN) ? COMMENT_END : startsWithBytes(buf, j, end, CDATA_OPEN) ? CDATA_END : GT_END;
      const t = indexOfBytes(buf, j + 1, end, term);
      if (t < 0) return;
      i = t + term.length;
      continue;
    }
    const ns = j;
    let local = j;
    while (j < end) {
      const b = buf[j] as number;
      if (isXmlSpace(b) || b === SLASH || b === GT || b === LT) break;
      if (b === COLON) local = j + 1;
      j++;
    }
    if (j >= end) return;
    if (j === ns || buf[j] === LT) {
      i = j;
      continue;
    }
    let k = j;
    let quote = 0;
    while (k < end) {
      const b = buf[k] as number;
      if (quote !== 0) {
        if (b === quote) quote = 0;
      } else if (b === DQUOTE || b === SQUOTE) quote = b;
      else if (b === GT) break;
      k++;
    }
    if (k >= end) return;
    const selfClose = buf[k - 1] === SLASH;
    let vs = k + 1;
    let ve = vs;
    if (!selfClose) {
      ve = findByte(buf, vs, end, LT);
      if (ve < 0) return;
    }
    i = ve;
    const n = j - local;
    let what = -1; // -2 action, -3 resource uri, >= 0 parameter index
    if (n === WSMAN_ACTION.length && bytesEq(buf, local, j, WSMAN_ACTION)) what = -2;
    else if (n === WSMAN_RESOURCE_URI.length && bytesEq(buf, local, j, WSMAN_RESOURCE_URI)) what = -3;
    else {
      const cands = PARAMS_BY_LEN[n];
      if (cands !== undefined) {
        for (const p of cands) {
          if (bytesEq(buf, local, j, WSMAN_PARAM_BYTES[p] as Uint8Array)) {
            what = p;
            break;
          }
        }
      }
    }
    if (what === -1) continue;
    while (vs < ve && isXmlSpace(buf[vs] as number)) vs++;
    while (ve > vs && isXmlSpace(buf[ve - 1] as number)) ve--;
    if (what === -2) {
      if (out.action.s < 0) {
        out.action.s = vs;
        out.action.e = ve;
      }
    } else if (what === -3) {
      if (out.resourceUri.s < 0) {
        out.resourceUri.s = vs;
        out.resourceUri.e = ve;
      }
    } else if (out.nParams < MAX_WSMAN_PARAMS) {
      out.pName[out.nParams] = what;
      out.pS[out.nParams] = vs;
      out.pE[out.nParams] = ve;
      out.nParams++;
    } else {
      out.overflow = true;
    }
  }
}

const PI_END = Uint8Array.of(QMARK, GT);
const COMMENT_OPEN = Uint8Array.of(BANG, 0x2d, 0x2d);
const COMMENT_END = Uint8Array.of(0x2d, 0x2d, GT);
const CDATA_OPEN = Uint8Array.of(BANG, 0x5b, 0x43, 0x44, 0x41, 0x54, 0x41, 0x5b); // ![CDATA[
const CDATA_END = Uint8Array.of(0x5d, 0x5d, GT);
const GT_END = Uint8Array.of(GT);

function startsWithBytes(buf: Uint8Array, s: number, e: number, v: Uint8Array): boolean {
  return e - s >= v.length && bytesEq(buf, s, s + v.length, v);
}

function indexOfBytes(buf: Uint8Array, s: number, e: number, v: Uint8Array): number {
  const first = v[0] as number;
  for (let i = findByte(buf, s, e, first); i >= 0 && i + v.length <= e; i = findByte(buf, i + 1, e, first)) {
    if (bytesEq(buf, i, i + v.length, v)) return i;
  }
  return -1;
}

/** Start of the last path element of an action URI `buf[s..e)` (the WS-Man method). */
export function lastPathElement(buf: Uint8Array, s: number, e: number): number {
  for (let i = e - 1; i >= s; i--) if (buf[i] === SLASH) return i + 1;
  return s;
}

// ---------------------------------------------------------------- chunked transfer coding

export const CH_SIZE = 0;
export const CH_EXT = 1;
export const CH_SIZE_LF = 2;
export const CH_DATA = 3;
export const CH_DATA_CR = 4;
export const CH_DATA_LF = 5;
export const CH_TRAILER = 6;
export const CH_DONE = 7;

/** State of a chunked body between calls (framing only; the caller consumes CH_DATA by count). */
export class ChunkState {
  phase = CH_SIZE;
  size = 0;
  digits = 0;
  /** Bytes of the current chunk-size line / trailer section, against the line limit. */
  lineBytes = 0;
  /** Bytes of the current trailer line (0 at a line start). */
  trailerLine = 0;
  /** Bytes of the chunk still to consume in CH_DATA. */
  remaining = 0;

  reset(): void {
    this.phase = CH_SIZE;
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
    this.trailerLine = 0;
    this.remaining = 0;
  }
}

/**
 * Advances the chunked framing over `buf[off..end)`: chunk-size lines (hex, `;extensions`), the
 * CRLF after each chunk's data, the last chunk and its trailer section. Returns the offset where it
 * stopped: at `end`, at the first data byte of a chunk (phase CH_DATA, `remaining` set), or after
 * the final empty line (phase CH_DONE). Bare LF is accepted for CRLF. Errors: -A_HTTP_BAD_CHUNK_SIZE,
 * -A_HTTP_CHUNK_LINE_TOO_LONG, -A_HTTP_BAD_CHUNK_TERMINATOR, -A_HTTP_TRAILER_TOO_LONG.
 */
export function parseChunkFraming(buf: Uint8Array, off: number, end: number, st: ChunkState, maxLine: number): number {
  let i = off;
  while (i < end) {
    const b = buf[i] as number;
    switch (st.phase) {
      case CH_SIZE: {
        const h = HEXV[b] as number;
        if (h !== 0) {
          if (st.digits > 0 || h !== 1) st.digits++;
          if (st.digits > MAX_CHUNK_SIZE_DIGITS) return -A_HTTP_BAD_CHUNK_SIZE;
          st.size = st.size * 16 + (h - 1);
          if (++st.lineBytes > maxLine) return -A_HTTP_CHUNK_LINE_TOO_LONG;
          i++;
          break;
        }
        if (st.lineBytes === 0) return -A_HTTP_BAD_CHUNK_SIZE;
        if (b === SEMI || isOws(b)) st.phase = CH_EXT;
        else if (b === CR) st.phase = CH_SIZE_LF;
        else if (b === LF) {
          i++;
          return chunkLineDone(st, i);
        } else return -A_HTTP_BAD_CHUNK_SIZE;
        i++;
        break;
      }
      case CH_EXT:
        if (b === LF) {
          i++;
          return chunkLineDone(st, i);
        }
        if (b === CR) st.phase = CH_SIZE_LF;
        else if (++st.lineBytes > maxLine) return -A_HTTP_CHUNK_LINE_TOO_LONG;
        i++;
        break;
      case CH_SIZE_LF:
        if (b !== LF) return -A_HTTP_BAD_CHUNK_SIZE;
        i++;
        return chunkLineDone(st, i);
      case CH_DATA:
        return i;
      case CH_DATA_CR:
        if (b === CR) st.phase = CH_DATA_LF;
        else if (b === LF) newChunk(st);
        else return -A_HTTP_BAD_CHUNK_TERMINATOR;
        i++;
        break;
      case CH_DATA_LF:
        if (b !== LF) return -A_HTTP_BAD_CHUNK_TERMINATOR;
        newChunk(st);
        i++;
        break;
      case CH_TRAILER:
        i++;
        if (b === LF) {
          if (st.trailerLine === 0) {
            st.phase = CH_DONE;
            return i;
          }
          st.trailerLine = 0;
        } else if (b !== CR) st.trailerLine++;
        if (++st.lineBytes > maxLine) return -A_HTTP_TRAILER_TOO_LONG;
        break;
      default:
        return i;
    }
  }
  return i;
}

function newChunk(st: ChunkState): void {
  st.phase = CH_SIZE;
  st.size = 0;
  st.digits = 0;
  st.lineBytes = 0;
}

function chunkLineDone(st: ChunkState, i: number): number {
  st.lineBytes = 0;
  if (st.size === 0) {
    st.phase = CH_TRAILER;
    st.trailerLine = 0;
  } else {
    st.phase = CH_DATA;
    st.remaining = st.size;
  }
  return i;
}

// ---------------------------------------------------------------- WebSocket frames (RFC 6455)

export class WsFrame {
  fin = false;
  rsv = 0;
  opcode = 0;
  masked = false;
  /** Payload length. */
  len = 0;
  /** Offset of the 4-byte masking key in the parsed buffer (when masked). */
  maskOff = 0;
}

/** Bytes of a frame header given its first two bytes. */
export function wsHeaderLength(b1: number): number {
  const l7 = b1 & 0x7f;
  return 2 + (l7 === 126 ? 2 : l7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

/**
 * A WebSocket frame header at `off`: returns its length (2-14), 0 when more bytes are needed, or
 * -A_HTTP_WS_BAD_LENGTH (64-bit length with the top bit set, or not an exact number).
 */
export function parseWsFrameHeader(buf: Uint8Array, off: number, end: number, out: WsFrame): number {
  if (end - off < 2) return 0;
  const b0 = buf[off] as number;
  const b1 = buf[off + 1] as number;
  const hl = wsHeaderLength(b1);
  if (end - off < hl) return 0;
  out.fin = (b0 & 0x80) !== 0;
  out.rsv = (b0 >> 4) & 7;
  out.opcode = b0 & 0x0f;
  out.masked = (b1 & 0x80) !== 0;
  const l7 = b1 & 0x7f;
  let p = off + 2;
  if (l7 === 126) {
    out.len = ((buf[p] as number) << 8) | (buf[p + 1] as number);
    p += 2;
  } else if (l7 === 127) {
    const hi = (((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number)) >>> 0;
    const lo = (((buf[p + 4] as number) << 24) | ((buf[p + 5] as number) << 16) | ((buf[p + 6] as number) << 8) | (buf[p + 7] as number)) >>> 0;
    if (hi > 0x1fffff) return -A_HTTP_WS_BAD_LENGTH;
    out.len = hi * 0x100000000 + lo;
    p += 8;
  } else {
    out.len = l7;
  }
  out.maskOff = p;
  return hl;
}

/** dst[dOff + k] = src[sOff + k] ^ key[(keyPos + k) & 3] for k < n. */
export function unmask(
  src: Uint8Array,
  sOff: number,
  n: number,
  key: Uint8Array,
  keyOff: number,
  keyPos: number,
  dst: Uint8Array,
  dOff: number,
): void {
  const k0 = key[keyOff] as number;
  const k1 = key[keyOff + 1] as number;
  const k2 = key[keyOff + 2] as number;
  const k3 = key[keyOff + 3] as number;
  for (let k = 0; k < n; k++) {
    const m = (keyPos + k) & 3;
    const kb = m === 0 ? k0 : m === 1 ? k1 : m === 2 ? k2 : k3;
    dst[dOff + k] = (src[sOff + k] as number) ^ kb;
  }
}
