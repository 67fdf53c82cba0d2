/**
 * Pure parsing of the AMT redirection protocol: framing one message from (buf, off, end), and the
 * fields this analyzer reports (auth payloads, start replies, SOL parameters, RFB version strings).
 * Nothing here keeps state or throws; failures are negative anomaly ids (style.md rule 1).
 *
 * Framing is type-driven (amt-protocol.md 4.7): each type has its own length rule, and data-carrying
 * messages (SOL 0x28/0x2A, IDE-R 0x53/0x54) are framed by their header only, so the caller can consume
 * the payload by count without buffering it.
 */
import { u16le, u32le } from '../../core/bytes.js';
import {
  A_REDIR_AUTH_STRING_OVERFLOW,
  A_REDIR_AUTH_TRAILING_BYTES,
  A_REDIR_MESSAGE_TOO_LONG,
  A_REDIR_UNKNOWN_TYPE,
  A_REDIR_WRONG_DIRECTION,
  AUTH_DIGEST,
  AUTH_DIGEST_RFC2069,
  AUTH_KERBEROS,
  AUTH_QUERY,
  AUTH_USERPASS,
  AUTHENTICATE_HEADER_LENGTH,
  AUTHENTICATE_SESSION,
  AUTHENTICATE_SESSION_REPLY,
  DIR_A,
  DIR_C,
  END_REDIRECTION_SESSION,
  END_REDIRECTION_SESSION_LENGTH,
  IDER_COMMAND_END_RESPONSE_LENGTH,
  IDER_COMMAND_WRITTEN_LENGTH,
  IDER_DATA_FROM_HOST,
  IDER_DATA_FROM_HOST_HEADER_LENGTH,
  IDER_DATA_TO_HOST,
  IDER_DATA_TO_HOST_HEADER_LENGTH,
  IDER_DISABLE_ENABLE_FEATURES_LENGTH,
  IDER_DISABLE_ENABLE_FEATURES_REPLY_LENGTH,
  IDER_ERROR_OCCURED_LENGTH,
  IDER_GET_DATA_FROM_HOST_LENGTH,
  IDER_RESET_OCCURED_LENGTH,
  IDER_SHORT_LENGTH,
  KIND_IDER,
  KIND_KVM,
  KIND_SOL,
  KIND_UNKNOWN,
  KVM_START_LENGTH,
  RFB_VERSION_LENGTH,
  type SessionKind,
  SOL_CONTROLS_FROM_HOST_LENGTH,
  SOL_DATA_FROM_HOST,
  SOL_DATA_HEADER_LENGTH,
  SOL_DATA_TO_HOST,
  SOL_SHORT_LENGTH,
  SOL_UNNAMED_27_LENGTH,
  START_IDER_REDIRECTION,
  START_IDER_REDIRECTION_LENGTH,
  START_IDER_REDIRECTION_REPLY,
  START_IDER_REDIRECTION_REPLY_LENGTH,
  START_REDIRECTION_SESSION,
  START_REDIRECTION_SESSION_LENGTH,
  START_REDIRECTION_SESSION_REPLY,
  START_REDIRECTION_SESSION_REPLY_LENGTH,
  START_SOL_REDIRECTION_LENGTH,
  START_SOL_REDIRECTION_REPLY_LENGTH,
  TAG_IDER,
  TAG_KVMR,
  TAG_SOL,
  messageDirections,
} from './constants.js';

// ------------------------------------------------------------------ framing

/** A whole message header (and for ordinary messages the whole message) is available. */
export const FRAME_OK = 1;
/** More bytes are needed to decide; `out.need` says how many from `off`. */
export const FRAME_NEED_MORE = 0;

export interface FrameContext {
  /** Session kind from the 0x10 tag (or inferred); decides 0x40/0x41 lengths and which types exist. */
  kind: SessionKind;
  /** Largest message (or data-message header) accepted: host.limits.maxRedirMessageBytes. */
  maxMessageBytes: number;
}

/** Out-object of frameRedirMessage (reused by the caller; nothing allocates per message). */
export interface RedirFrame {
  type: number;
  /** Total wire length of the message, payload included. */
  len: number;
  /** Bytes to buffer for parsing: `len` for ordinary messages, the header for data-carrying ones. */
  hdrLen: number;
  /** With FRAME_NEED_MORE: bytes needed from `off` before the next decision. */
  need: number;
  /** The session kind this message implies (SOL/IDER/KVM types), or KIND_UNKNOWN (session manager). */
  kind: SessionKind;
}

export function newRedirFrame(): RedirFrame {
  return { type: 0, len: 0, hdrLen: 0, need: 0, kind: KIND_UNKNOWN };
}

function needMore(out: RedirFrame, n: number): number {
  out.need = n;
  return FRAME_NEED_MORE;
}

/** True when bytes 8..11 read "RFB " (the KVM 0x40/0x41 is followed by raw RFB). */
function rfbAt(buf: Uint8Array, o: number): boolean {
  return buf[o] === 0x52 && buf[o + 1] === 0x46 && buf[o + 2] === 0x42 && buf[o + 3] === 0x20;
}

/**
 * Frames one message at `buf[off..end)` sent in direction `dir` (0 client->AMT, 1 AMT->client).
 * Returns FRAME_OK with `out` filled, FRAME_NEED_MORE with `out.need`, or a negative anomaly id:
 * -A_REDIR_UNKNOWN_TYPE (no such type for this session kind), -A_REDIR_WRONG_DIRECTION, or
 * -A_REDIR_MESSAGE_TOO_LONG (a declared length over ctx.maxMessageBytes, e.g. 0x13 with L = 0xffffffff).
 */
export function frameRedirMessage(
  buf: Uint8Array,
  off: number,
  end: number,
  dir: number,
  ctx: FrameContext,
  out: RedirFrame,
): number {
  if (end > buf.length) end = buf.length;
  const avail = end - off;
  out.need = 0;
  out.kind = KIND_UNKNOWN;
  if (avail < 1) return needMore(out, 1);
  const t = buf[off] as number;
  out.type = t;
  const dirs = messageDirections(t);
  if (dirs === 0) return -A_REDIR_UNKNOWN_TYPE;
  const kind = ctx.kind;
  let len: number;
  let hdr: number;
  if (t <= AUTHENTICATE_SESSION_REPLY) {
    // session manager, valid in every kind
    if ((dirs & (dir === 0 ? DIR_C : DIR_A)) === 0) return -A_REDIR_WRONG_DIRECTION;
    switch (t) {
      case START_REDIRECTION_SESSION:
        len = START_REDIRECTION_SESSION_LENGTH;
        break;
      case START_REDIRECTION_SESSION_REPLY:
        if (avail < START_REDIRECTION_SESSION_REPLY_LENGTH) return needMore(out, START_REDIRECTION_SESSION_REPLY_LENGTH);
        len = START_REDIRECTION_SESSION_REPLY_LENGTH + (buf[off + 12] as number);
        break;
      case END_REDIRECTION_SESSION:
        len = END_REDIRECTION_SESSION_LENGTH;
        break;
      default: {
        // 0x13 / 0x14: 9 + L
        if (avail < AUTHENTICATE_HEADER_LENGTH) return needMore(out, AUTHENTICATE_HEADER_LENGTH);
        const l = u32le(buf, off + 5);
        if (l > ctx.maxMessageBytes - AUTHENTICATE_HEADER_LENGTH) return -A_REDIR_MESSAGE_TOO_LONG;
        len = AUTHENTICATE_HEADER_LENGTH + l;
      }
    }
    hdr = len;
  } else if (t <= SOL_DATA_FROM_HOST + 1) {
    // SOL 0x20..0x2B
    if (kind !== KIND_UNKNOWN && kind !== KIND_SOL) return -A_REDIR_UNKNOWN_TYPE;
    if ((dirs & (dir === 0 ? DIR_C : DIR_A)) === 0) return -A_REDIR_WRONG_DIRECTION;
    out.kind = KIND_SOL;
    switch (t) {
      case 0x20:
        len = START_SOL_REDIRECTION_LENGTH;
        hdr = len;
        break;
      case 0x21:
        len = START_SOL_REDIRECTION_REPLY_LENGTH;
        hdr = len;
        break;
      case 0x27:
        len = SOL_UNNAMED_27_LENGTH;
        hdr = len;
        break;
      case 0x29:
        len = SOL_CONTROLS_FROM_HOST_LENGTH;
        hdr = len;
        break;
      case SOL_DATA_TO_HOST:
      case SOL_DATA_FROM_HOST:
        if (avail < SOL_DATA_HEADER_LENGTH) return needMore(out, SOL_DATA_HEADER_LENGTH);
        hdr = SOL_DATA_HEADER_LENGTH;
        len = hdr + u16le(buf, off + 8);
        break;
      default: // 0x22 0x23 0x24 0x25 0x2B
        len = SOL_SHORT_LENGTH;
        hdr = len;
    }
  } else {
    // 0x40..0x54: IDE-R, and KVM's 0x40/0x41
    let k: SessionKind = kind;
    if (t === START_IDER_REDIRECTION || t === START_IDER_REDIRECTION_REPLY) {
      if (k === KIND_UNKNOWN) {
        // No 0x10 seen: a KVM start/reply is 8 bytes followed by "RFB "; IDE-R's are 18 / 30+N.
        if (avail < 12) return needMore(out, 12);
        k = rfbAt(buf, off + 8) ? KIND_KVM : KIND_IDER;
      }
    } else if (k === KIND_KVM) return -A_REDIR_UNKNOWN_TYPE;
    if (k === KIND_SOL) return -A_REDIR_UNKNOWN_TYPE;
    if ((dirs & (dir === 0 ? DIR_C : DIR_A)) === 0) return -A_REDIR_WRONG_DIRECTION;
    out.kind = k === KIND_KVM ? KIND_KVM : KIND_IDER;
    if (k === KIND_KVM) {
      len = KVM_START_LENGTH;
      hdr = len;
    } else {
      switch (t) {
        case START_IDER_REDIRECTION:
          len = START_IDER_REDIRECTION_LENGTH;
          break;
        case START_IDER_REDIRECTION_REPLY:
          if (avail < START_IDER_REDIRECTION_REPLY_LENGTH) return needMore(out, START_IDER_REDIRECTION_REPLY_LENGTH);
          len = START_IDER_REDIRECTION_REPLY_LENGTH + (buf[off + 29] as number);
          break;
        case 0x46:
          len = IDER_RESET_OCCURED_LENGTH;
          break;
        case 0x48:
          len = IDER_DISABLE_ENABLE_FEATURES_LENGTH;
          break;
        case 0x49:
          len = IDER_DISABLE_ENABLE_FEATURES_REPLY_LENGTH;
          break;
        case 0x4a:
          len = IDER_ERROR_OCCURED_LENGTH;
          break;
        case 0x50:
          len = IDER_COMMAND_WRITTEN_LENGTH;
          break;
        case 0x51:
          len = IDER_COMMAND_END_RESPONSE_LENGTH;
          break;
        case 0x52:
          len = IDER_GET_DATA_FROM_HOST_LENGTH;
          break;
        case IDER_DATA_FROM_HOST:
        case IDER_DATA_TO_HOST: {
          const h = t === IDER_DATA_TO_HOST ? IDER_DATA_TO_HOST_HEADER_LENGTH : IDER_DATA_FROM_HOST_HEADER_LENGTH;
          if (avail < h) return needMore(out, h);
          hdr = h;
          len = h + u16le(buf, off + 9);
          if (hdr > ctx.maxMessageBytes) return -A_REDIR_MESSAGE_TOO_LONG;
          return done(out, len, hdr);
        }
        default: // 0x42 0x43 0x44 0x45 0x47 0x4B
          len = IDER_SHORT_LENGTH;
      }
      hdr = len;
    }
  }
  if (hdr > ctx.maxMessageBytes) return -A_REDIR_MESSAGE_TOO_LONG;
  return done(out, len, hdr);
}

function done(out: RedirFrame, len: number, hdr: number): number {
  out.len = len;
  out.hdrLen = hdr;
  return FRAME_OK;
}

/** Resync verdicts. */
export const PLAUSIBLE_YES = 1;
export const PLAUSIBLE_MAYBE = 0;
export const PLAUSIBLE_NO = -1;

/**
 * Whether `buf[off..end)` starts with something that looks like a real message start, for resyncing
 * after a framing failure or a gap: the type must frame in this direction and session kind, the
 * header's reserved bytes must hold their fixed values (zero padding, status/auth-type ranges), and
 * the byte right after the candidate must start a known type for this direction. That last check
 * waits for the byte (PLAUSIBLE_MAYBE, out.need = len + 1) so the verdict never depends on how the
 * stream was segmented; `final` (no more bytes will come) accepts a candidate that ends the stream,
 * and `lookahead = false` (the first message of a stream) skips that check. Candidates longer than
 * ctx.maxMessageBytes (data messages) are judged on their header alone.
 * Returns PLAUSIBLE_MAYBE (with out.need) when the bytes seen so far agree but are too few to decide.
 */
export function probeRedirMessage(
  buf: Uint8Array,
  off: number,
  end: number,
  dir: number,
  ctx: FrameContext,
  out: RedirFrame,
  final = false,
  lookahead = true,
): number {
  if (end > buf.length) end = buf.length;
  const avail = end - off;
  const r = frameRedirMessage(buf, off, end, dir, ctx, out);
  if (r < 0) return PLAUSIBLE_NO;
  const t = buf[off] as number;
  // reserved-byte checks on whatever is available of the first 9 bytes
  const hv = Math.min(avail, 9);
  const b = (i: number): number => (i < hv ? (buf[off + i] as number) : -1);
  const zero = (i: number): boolean => i >= hv || b(i) === 0;
  let ok: boolean;
  switch (t) {
    case START_REDIRECTION_SESSION: {
      ok = (hv <= 1 || b(1) <= 1) && zero(2) && zero(3);
      // the tag: "SOL ", "IDER", "KVMR", or at least four upper-case letters/spaces (a tag this
      // analyzer does not know is still a session start; the analyzer reports it)
      for (let i = 4; ok && i < hv && i < 8; i++) ok = b(i) === 0x20 || (b(i) >= 0x41 && b(i) <= 0x5a);
      break;
    }
    case START_REDIRECTION_SESSION_REPLY:
      ok = zero(2) && zero(3) && (hv <= 1 || b(1) <= 3 || b(1) === 0xff);
      break;
    case END_REDIRECTION_SESSION:
      ok = zero(1) && zero(2) && zero(3);
      break;
    case AUTHENTICATE_SESSION:
      ok = zero(1) && zero(2) && zero(3) && (hv <= 4 || b(4) <= AUTH_DIGEST);
      break;
    case AUTHENTICATE_SESSION_REPLY:
      ok = zero(2) && zero(3) && (hv <= 1 || b(1) <= 2) && (hv <= 4 || b(4) <= AUTH_DIGEST);
      break;
    default:
      if (out.kind === KIND_SOL || (t >= 0x20 && t <= 0x2b)) {
        ok = (t === 0x21 || zero(1)) && zero(2) && zero(3);
      } else if (out.kind === KIND_KVM) {
        ok = (t === START_IDER_REDIRECTION_REPLY || zero(1)) && zero(2) && zero(3);
      } else {
        // IDE-R: [1..2] reserved, [3] attributes (bit0 DMA, bit1 completed). amtterm packs timeouts
        // into 0x40's bytes 1..6, so an amtterm IDE-R open is never a resync target.
        ok = zero(1) && zero(2) && (hv <= 3 || b(3) <= 3) && (t !== START_IDER_REDIRECTION || zero(3));
      }
  }
  if (!ok) return PLAUSIBLE_NO;
  if (r === FRAME_NEED_MORE) return PLAUSIBLE_MAYBE; // out.need set by the framer
  if (avail < out.hdrLen) {
    out.need = out.hdrLen;
    return final ? PLAUSIBLE_NO : PLAUSIBLE_MAYBE;
  }
  if (!lookahead || out.len + 1 > ctx.maxMessageBytes) return PLAUSIBLE_YES;
  if (out.len < avail) {
    const next = buf[off + out.len] as number;
    return (messageDirections(next) & (dir === 0 ? DIR_C : DIR_A)) === 0 ? PLAUSIBLE_NO : PLAUSIBLE_YES;
  }
  if (final) return PLAUSIBLE_YES;
  out.need = out.len + 1;
  return PLAUSIBLE_MAYBE;
}

// ------------------------------------------------------------------ strings

/** A decoded string and whether it was cut to the caller's character limit. */
export interface CutString {
  s: string;
  cut: boolean;
}

/**
 * Bytes as Latin-1 (one byte, one character, so byte counts and character counts agree and every
 * byte stays recoverable; report/ escapes control and C1 characters). At most `maxChars` are kept.
 */
export function latin1(buf: Uint8Array, off: number, end: number, maxChars: number): CutString {
  if (end > buf.length) end = buf.length;
  let n = end - off;
  if (n <= 0) return { s: '', cut: false };
  const cut = n > maxChars;
  if (cut) n = Math.max(0, maxChars);
  let s = '';
  for (let i = 0; i < n; i += 4096) {
    const j = Math.min(n, i + 4096);
    s += String.fromCharCode.apply(null, Array.from(buf.subarray(off + i, off + j)));
  }
  return { s, cut };
}

// ------------------------------------------------------------------ session manager fields

/** Session kind named by a StartRedirectionSession tag at bytes 4..7, or KIND_UNKNOWN. */
export function sessionKindOfTag(buf: Uint8Array, off: number): SessionKind {
  const tag = ((buf[off + 4] ?? 0) << 24) | ((buf[off + 5] ?? 0) << 16) | ((buf[off + 6] ?? 0) << 8) | (buf[off + 7] ?? 0);
  switch (tag >>> 0) {
    case TAG_SOL:
      return KIND_SOL;
    case TAG_IDER:
      return KIND_IDER;
    case TAG_KVMR:
      return KIND_KVM;
    default:
      return KIND_UNKNOWN;
  }
}

export interface StartReply {
  status: number;
  /** Firmware "major.minor", or null. */
  version: string | null;
}

/**
 * StartRedirectionSessionReply: [1] status, [4..11] a version/IANA block, [12] OEM length.
 * Bytes 4..11 were `01 00 0b 08 57 01 00 00` on AMT 11.8.70 and `01 00 0c 00 57 01 00 00` on
 * AMT 12.0.22 (issue Ylianst/MeshCommander#24): 01 00 looks like protocol 1.0, 57 01 00 00 is
 * Intel's IANA number 343, so bytes 6..7 are read as firmware major.minor. That layout is INFERRED
 * from those two transcripts only; it is reported for a successful reply with a nonzero major.
 */
export function parseStartReply(buf: Uint8Array, off: number, end: number): StartReply | null {
  if (end > buf.length) end = buf.length;
  if (end - off < 2) return null;
  const status = buf[off + 1] as number;
  let version: string | null = null;
  if (status === 0 && end - off >= START_REDIRECTION_SESSION_REPLY_LENGTH) {
    const major = buf[off + 6] as number;
    const minor = buf[off + 7] as number;
    if (major !== 0) version = `${major}.${minor}`;
  }
  return { status, version };
}

/**
 * StartSOLRedirection parameters as `MaxTxBuffer/TxTimeout/TxOverflowTimeout/RxTimeout/RxFlushTimeout/Heartbeat`
 * (uint16 LE at bytes 8..19). amtterm sends 1000/100/0/10000/0/5000, MeshCommander 10000/100/0/10000/100/0.
 */
export function formatSolParams(buf: Uint8Array, off: number, end: number): string | null {
  if (end > buf.length) end = buf.length;
  if (end - off < 20) return null;
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? '/' : '') + String(u16le(buf, off + 8 + 2 * i));
  return s;
}

// ------------------------------------------------------------------ auth payloads

/** A client AuthenticateSession payload (the bytes after the 9-byte header, bounded by L). */
export interface AuthRequest {
  authType: number;
  user: string | null;
  /** Userpass: length of the cleartext password. The password itself is never decoded or kept. */
  passwordLen: number;
  realm: string | null;
  nonce: string | null;
  uri: string | null;
  cnonce: string | null;
  nc: string | null;
  qop: string | null;
  /** Digest: length of the `response` string (32 for a well-formed MD5 response). */
  responseLen: number | null;
  /** Digest step 1: user and URI only, empty realm, nonce, cnonce and response (asks for the challenge). */
  step1: boolean;
  /** Length-prefixed strings read before the payload ended or a length ran past it. */
  fields: number;
  /** 0, or the anomaly id of the first problem (a string past L, or bytes after the last string). */
  error: number;
  /** Some string was cut to maxChars. */
  cut: boolean;
}

function emptyRequest(authType: number): AuthRequest {
  return {
    authType,
    user: null,
    passwordLen: 0,
    realm: null,
    nonce: null,
    uri: null,
    cnonce: null,
    nc: null,
    qop: null,
    responseLen: null,
    step1: false,
    fields: 0,
    error: 0,
    cut: false,
  };
}

/**
 * Parses the payload of a client AuthenticateSession of type `authType` in `buf[off..end)` (end =
 * header end + L, which framing has checked against the message end). Layouts (amt-protocol.md 4.3):
 * - 0 query: empty;
 * - 1 userpass: [ulen][user][plen][password] (only plen is kept);
 * - 2 Kerberos: an opaque ticket (not parsed);
 * - 3/4 digest: [user][realm][nonce][uri][cnonce][nc][response][qop] (type 3 has no qop), each with a
 *   1-byte length; step 1 sends the same list with realm, nonce, cnonce, nc, response (and qop) empty.
 * Every length is checked against `end`; on a lie the fields read so far are kept and `error` is set.
 */
export function parseAuthRequest(authType: number, buf: Uint8Array, off: number, end: number, maxChars: number): AuthRequest {
  if (end > buf.length) end = buf.length;
  const r = emptyRequest(authType);
  if (authType === AUTH_QUERY) {
    if (end > off) r.error = A_REDIR_AUTH_TRAILING_BYTES;
    return r;
  }
  if (authType === AUTH_KERBEROS || (authType !== AUTH_USERPASS && authType !== AUTH_DIGEST && authType !== AUTH_DIGEST_RFC2069)) {
    return r;
  }
  let p = off;
  if (authType === AUTH_USERPASS) {
    if (p >= end) return r; // MeshCommander firmware mode: empty userpass over /ws-redirection
    const ul = buf[p] as number;
    if (ul > end - p - 1) {
      r.error = A_REDIR_AUTH_STRING_OVERFLOW;
      return r;
    }
    const u = latin1(buf, p + 1, p + 1 + ul, maxChars);
    r.user = u.s;
    r.cut = u.cut;
    r.fields = 1;
    p += 1 + ul;
    if (p >= end) return r;
    const pl = buf[p] as number;
    if (pl > end - p - 1) {
      r.error = A_REDIR_AUTH_STRING_OVERFLOW;
      return r;
    }
    r.passwordLen = pl;
    r.fields = 2;
    p += 1 + pl;
    if (p < end) r.error = A_REDIR_AUTH_TRAILING_BYTES;
    return r;
  }
  // digest (3 or 4)
  const max = 8;
  let i = 0;
  for (; i < max && p < end; i++) {
    const l = buf[p] as number;
    if (l > end - p - 1) {
      r.error = A_REDIR_AUTH_STRING_OVERFLOW;
      break;
    }
    const s0 = p + 1;
    const s1 = s0 + l;
    p = s1;
    r.fields = i + 1;
    if (i === 6) {
      r.responseLen = l; // the response value itself is not kept
      continue;
    }
    const v = latin1(buf, s0, s1, maxChars);
    if (v.cut) r.cut = true;
    switch (i) {
      case 0:
        r.user = v.s;
        break;
      case 1:
        r.realm = v.s;
        break;
      case 2:
        r.nonce = v.s;
        break;
      case 3:
        r.uri = v.s;
        break;
      case 4:
        r.cnonce = v.s;
        break;
      case 5:
        r.nc = v.s;
        break;
      default:
        r.qop = v.s;
    }
  }
  if (r.error === 0 && p < end) r.error = A_REDIR_AUTH_TRAILING_BYTES;
  r.step1 = !r.realm && !r.nonce && !r.cnonce && !r.responseLen;
  return r;
}

/** The digest challenge: AuthenticateSessionReply status 1, type 3/4, payload [realm][nonce][qop]. */
export interface AuthChallenge {
  realm: string | null;
  nonce: string | null;
  qop: string | null;
  error: number;
  cut: boolean;
}

export function parseAuthChallenge(buf: Uint8Array, off: number, end: number, maxChars: number): AuthChallenge {
  if (end > buf.length) end = buf.length;
  const c: AuthChallenge = { realm: null, nonce: null, qop: null, error: 0, cut: false };
  let p = off;
  for (let i = 0; i < 3 && p < end; i++) {
    const l = buf[p] as number;
    if (l > end - p - 1) {
      c.error = A_REDIR_AUTH_STRING_OVERFLOW;
      return c;
    }
    const v = latin1(buf, p + 1, p + 1 + l, maxChars);
    if (v.cut) c.cut = true;
    if (i === 0) c.realm = v.s;
    else if (i === 1) c.nonce = v.s;
    else c.qop = v.s;
    p += 1 + l;
  }
  if (p < end) c.error = A_REDIR_AUTH_TRAILING_BYTES;
  return c;
}

/** AuthenticateSessionReply to a query (type 0, status 0): one byte per supported auth type, deduplicated. */
export function parseAuthTypeList(buf: Uint8Array, off: number, end: number): number[] {
  if (end > buf.length) end = buf.length;
  const out: number[] = [];
  for (let p = off; p < end; p++) {
    const t = buf[p] as number;
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

// ------------------------------------------------------------------ RFB

/**
 * An RFB ProtocolVersion `RFB xxx.yyy\n` at `buf[off..off+12)`: returns major * 1000 + minor, or -1.
 * (The caller checks that 12 bytes are there.)
 */
export function parseRfbVersion(buf: Uint8Array, off: number, end: number): number {
  if (end > buf.length) end = buf.length;
  if (end - off < RFB_VERSION_LENGTH) return -1;
  if (!rfbAt(buf, off) || buf[off + 7] !== 0x2e || buf[off + 11] !== 0x0a) return -1;
  let major = 0;
  let minor = 0;
  for (let i = 0; i < 3; i++) {
    const a = (buf[off + 4 + i] as number) - 0x30;
    const b = (buf[off + 8 + i] as number) - 0x30;
    if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
    major = major * 10 + a;
    minor = minor * 10 + b;
  }
  return major * 1000 + minor;
}

/** The text form reported in rfb_version: "003.008". */
export function formatRfbVersion(v: number): string {
  const major = Math.floor(v / 1000);
  const minor = v % 1000;
  return `${String(major).padStart(3, '0')}.${String(minor).padStart(3, '0')}`;
}
