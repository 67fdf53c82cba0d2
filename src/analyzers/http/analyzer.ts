/**
 * HTTP/1.x + WS-Management analyzer for AMT's cleartext web port (16992, and TCP 623).
 *
 * Per direction a small state machine: HEAD (buffer only as much of a head as it needs, bounded by
 * maxHttpHeaderBytes) -> BODY by Content-Length / chunked / until close (skipped by count; only the
 * first maxHttpBodyScanBytes of a WS-Man request body are copied, for the SOAP scan) -> HEAD ...
 * Requests and responses are matched in order (keep-alive, pipelining); one HttpRecord is emitted
 * per pair once both halves are complete, or at end(). A gap inside a body of known length is
 * absorbed by count; anywhere else the direction resynchronises on the next line that is a valid
 * request line / status line (Suricata's probe). After a WebSocket upgrade the frames are parsed
 * and the unmasked payload of binary messages is fed to the inner analyzer (opts.onUpgrade); a gap
 * that loses the frame boundaries gives that WebSocket direction up (the inner analyzer gets the gap).
 *
 * Never throws on input; memory per session: two head buffers (<= maxHttpHeaderBytes each), one
 * scan buffer (<= maxHttpBodyScanBytes), the unanswered transactions (<= maxHttpTransactions).
 *
 * Record fields (strings are latin1 slices of the bytes, cut to maxFieldChars):
 *   ts                       first byte of the request (of the response when no request was seen)
 *   method, uri, version     request line (version `1.1`; from the status line if no request line)
 *   host, user_agent         Host, User-Agent (first occurrence)
 *   request_body_len         request body bytes (de-chunked; gap bytes inside a known length count)
 *   status_code, status_msg  final status line (1xx interim responses skipped, 101 kept)
 *   server, amt_firmware     Server; version after `Intel(R) Active Management Technology|Standard
 *                            Manageability|Con. Management Engine`
 *   challenge_realm/_nonce   realm / nonce of the first `WWW-Authenticate: Digest`
 *   auth_scheme ... digest_* Authorization: scheme token; Digest params raw (quotes removed, escapes
 *                            kept); digest_response_len = bytes of `response`, _hex = 32 hex chars
 *   username                 Digest username, or the Basic user (decoded up to `:`; the password
 *                            is never decoded); basic_credentials = scheme is Basic
 *   wsman_*                  first Action / ResourceURI element of a POST /wsman (or soap+xml)
 *                            body prefix; method = last path element of the action; params as
 *                            `name=value` (secrets as `name=<set>`), constants.ts WSMAN_PARAM_NAMES
 *   response_body_len        response body bytes (de-chunked; until close when unframed)
 *   websocket                101 answer to a request with `Upgrade: websocket`
 *   partial                  a gap, a limit, lost framing or a cut message touched the pair
 */
import { Buffer } from 'node:buffer';
import { ORIG, RESP, type Direction } from '../../core/flow.js';
import type { Micros } from '../../core/time.js';
import type { HttpRecord } from '../../records/index.js';
import { sessionIds, type Analyzer, type AnalyzerFactory, type AnalyzerHost } from '../types.js';
import {
  A_HTTP_BAD_AUTHORIZATION,
  A_HTTP_BAD_CONTENT_LENGTH,
  A_HTTP_BAD_HEADER_LINE,
  A_HTTP_BAD_TRANSFER_ENCODING,
  A_HTTP_CL_AND_TE,
  A_HTTP_CONTENT_LENGTH_CONFLICT,
  A_HTTP_CONTENT_LENGTH_TOO_LARGE,
  A_HTTP_HEAD_TOO_LONG,
  A_HTTP_TOO_MANY_HEADERS,
  A_HTTP_TOO_MANY_TRANSACTIONS,
  A_HTTP_UNSOLICITED_RESPONSE,
  A_HTTP_UPGRADE_HOLD_OVERFLOW,
  A_HTTP_UPGRADE_NOT_WEBSOCKET,
  A_HTTP_WSMAN_TOO_MANY_PARAMS,
  A_HTTP_FIELD_TRUNCATED,
  A_HTTP_WS_BAD_CONTROL_FRAME,
  A_HTTP_WS_BAD_OPCODE,
  A_HTTP_WS_MASK_VIOLATION,
  A_HTTP_WS_RSV_SET,
  DIGEST_CNONCE,
  DIGEST_NC,
  DIGEST_NONCE,
  DIGEST_QOP,
  DIGEST_REALM,
  DIGEST_RESPONSE,
  DIGEST_URI,
  DIGEST_USERNAME,
  T_SOAP_XML,
  T_WSMAN_PATH,
  WSMAN_PARAM_NAMES,
  WSMAN_PARAM_SECRET,
  WSMAN_SECRET_VALUE,
  WS_OP_BINARY,
  WS_OP_CLOSE,
  WS_OP_CONTINUATION,
  WS_OP_TEXT,
  WS_UNMASK_CHUNK,
} from './constants.js';
import {
  AUTH_BASIC,
  AUTH_DIGEST,
  AUTH_NONE,
  AuthInfo,
  CH_DATA,
  CH_DATA_CR,
  CH_DONE,
  CL_BAD,
  CL_CONFLICT,
  CL_NONE,
  CL_OK,
  CL_TOO_LARGE,
  ChunkState,
  HeadInfo,
  HeadScan,
  KIND_REQUEST,
  KIND_RESPONSE,
  Span,
  StartLine,
  TE_CHUNKED,
  TE_NONE,
  WsFrame,
  WsmanScan,
  decodeBasicUser,
  findByte,
  indexOfLower,
  isHex32,
  lastPathElement,
  looksLikeMessageStart,
  parseAmtFirmware,
  parseAuthorization,
  parseChunkFraming,
  parseHeaders,
  parseRequestLine,
  parseStatusLine,
  parseWsFrameHeader,
  scanHead,
  scanWsman,
  startsWithLower,
  unmask,
  wsHeaderLength,
  type MessageKind,
} from './parser.js';

export interface HttpAnalyzerOptions {
  /** Creates the analyzer for the bytes inside a WebSocket upgrade (e.g. AMT redirection at /ws-redirection). */
  onUpgrade?: AnalyzerFactory;
}

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/** `buf[s..e)` as a latin1 string (one char per byte). */
function latin1(buf: Uint8Array, s: number, e: number): string {
  if (nativeLatin1 !== undefined) return nativeLatin1.call(buf, s, e);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1', s, e);
}

// Direction modes.
const M_HEAD = 0;
const M_BODY_LEN = 1;
const M_BODY_CHUNKED = 2;
const M_BODY_CLOSE = 3;
/** Skipping to the next line that looks like a message start. */
const M_RESYNC = 4;
/** Request side after a WebSocket upgrade request, until its response says 101 or not. */
const M_HOLD = 5;
const M_WS = 6;
/** Not analysed any more (opaque after an upgrade/CONNECT, transaction limit, WebSocket given up). */
const M_DEAD = 7;

/** Head and scan buffers larger than these are dropped once used, so idle sessions stay small. */
const HBUF_KEEP = 2048;
const BODY_KEEP = 8192;

const METHOD_HEAD = Uint8Array.of(0x48, 0x45, 0x41, 0x44);
const METHOD_POST = Uint8Array.of(0x50, 0x4f, 0x53, 0x54);
const METHOD_CONNECT = Uint8Array.of(0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54);

function bytesIs(buf: Uint8Array, s: number, e: number, v: Uint8Array): boolean {
  if (e - s !== v.length) return false;
  for (let i = 0; i < v.length; i++) if (buf[s + i] !== v[i]) return false;
  return true;
}

/** One request/response pair and its record under construction. */
class Tx {
  reqDone = false;
  resStarted = false;
  resDone = false;
  isHead = false;
  isConnect = false;
  upgradeWs = false;
  credentialed = false;
  /** The request body is a WS-Man envelope to scan (cleared once scanned). */
  scan = false;
  constructor(readonly rec: HttpRecord) {}
}

class WsState {
  readonly hdr = new Uint8Array(14);
  hdrLen = 0;
  inPayload = false;
  remaining = 0;
  masked = false;
  readonly key = new Uint8Array(4);
  maskPos = 0;
  feed = false;
  isClose = false;
  /** Inside a fragmented message; its first frame was binary. */
  inMsg = false;
  msgBinary = false;
  maskWarned = false;
}

class Side {
  mode = M_HEAD;
  /** Head bytes received so far (slow path), or bytes held in M_HOLD. */
  hbuf: Uint8Array | null = null;
  hlen = 0;
  readonly scan = new HeadScan();
  headTs: Micros = 0;
  /** The current head start was found by the resync probe: a bad start line is not an anomaly. */
  probing = false;
  /** M_RESYNC: the next byte starts a line. */
  atLineStart = true;
  /** The next byte follows a gap directly: a line "starting" there may be the tail of a lost one. */
  afterGap = false;
  /** The current head starts right after a gap: its message is partial (its first bytes may be lost). */
  headAfterGap = false;
  /** Body bytes left (M_BODY_LEN). */
  remaining = 0;
  readonly chunk = new ChunkState();
  /** Transaction whose body is being read. */
  tx: Tx | null = null;
  /** Transaction whose body framing was lost; its message ends at the next message start. */
  skipTx: Tx | null = null;
  /** WS-Man scan buffer (request side). */
  body: Uint8Array | null = null;
  bodyLen = 0;
  bodyScan = false;
  /** Bytes of the scanned body were lost: stop copying. */
  bodyGap = false;
  /** M_HOLD: bytes were lost (gap or hold limit), and how many. */
  holdLost = false;
  holdLostBytes = 0;
  holdTx: Tx | null = null;
  /** Allocated at the upgrade. */
  ws: WsState | null = null;

  constructor(
    readonly dir: Direction,
    readonly kind: MessageKind,
  ) {}
}

class HttpAnalyzer implements Analyzer {
  private readonly orig = new Side(ORIG, KIND_REQUEST);
  private readonly resp = new Side(RESP, KIND_RESPONSE);
  private readonly queue: Tx[] = [];
  private txCount = 0;
  private limitHit = false;
  private ended = false;
  private inner: Analyzer | null = null;
  private innerEnded = false;
  private readonly line = new StartLine();
  private readonly info = new HeadInfo();
  private readonly auth = new AuthInfo();
  private readonly span = new Span();
  private wsman: WsmanScan | null = null;
  private frame: WsFrame | null = null;
  private userScratch: Uint8Array | null = null;
  private unmaskBuf: Uint8Array | null = null;
  private readonly maxField: number;
  private readonly maxHead: number;
  private readonly maxHeaders: number;
  private readonly maxScan: number;
  private readonly maxTx: number;

  constructor(
    private readonly host: AnalyzerHost,
    private readonly onUpgrade: AnalyzerFactory | undefined,
  ) {
    const l = host.limits;
    this.maxField = Math.max(0, l.maxFieldChars);
    this.maxHead = Math.max(1, l.maxHttpHeaderBytes);
    this.maxHeaders = Math.max(0, l.maxHttpHeaders);
    this.maxScan = Math.max(0, l.maxHttpBodyScanBytes);
    this.maxTx = Math.max(0, l.maxHttpTransactions);
  }

  // ------------------------------------------------------------------ StreamConsumer

  data(dir: Direction, buf: Uint8Array, off: number, end: number, ts: Micros): void {
    if (this.ended) return;
    if (off < 0) off = 0;
    if (end > buf.length) end = buf.length;
    if (off >= end) return;
    this.feed(dir === ORIG ? this.orig : this.resp, buf, off, end, ts);
  }

  gap(dir: Direction, len: number, ts: Micros): void {
    if (this.ended || !(len > 0)) return;
    const side = dir === ORIG ? this.orig : this.resp;
    switch (side.mode) {
      case M_HEAD: {
        this.flushHead(side);
        if (side.mode === M_HEAD) side.mode = M_RESYNC;
        side.atLineStart = true;
        side.afterGap = true;
        side.probing = false;
        this.markPendingPartial(side);
        break;
      }
      case M_BODY_LEN: {
        const tx = side.tx as Tx;
        tx.rec.partial = true;
        side.bodyGap = true;
        const n = len < side.remaining ? len : side.remaining;
        this.countBody(side, tx, n);
        side.remaining -= n;
        if (side.remaining > 0) break;
        this.bodyDone(side);
        if (len > n) this.lose(side, null);
        else side.probing = true;
        break;
      }
      case M_BODY_CHUNKED: {
        const tx = side.tx as Tx;
        tx.rec.partial = true;
        side.bodyGap = true;
        const ch = side.chunk;
        if (ch.phase === CH_DATA && len < ch.remaining) {
          this.countBody(side, tx, len);
          ch.remaining -= len;
        } else {
          this.lose(side, tx);
        }
        break;
      }
      case M_BODY_CLOSE: {
        const tx = side.tx as Tx;
        tx.rec.partial = true;
        side.bodyGap = true;
        this.countBody(side, tx, len);
        break;
      }
      case M_RESYNC:
        side.atLineStart = true;
        side.afterGap = true;
        break;
      case M_HOLD:
        side.holdLost = true;
        side.holdLostBytes += len;
        break;
      case M_WS:
        this.wsGap(side, len, ts);
        break;
      default:
        break;
    }
  }

  end(ts: Micros): void {
    if (this.ended) return;
    for (const side of [this.orig, this.resp]) {
      switch (side.mode) {
        case M_HEAD:
          this.flushHead(side);
          break;
        case M_BODY_LEN:
        case M_BODY_CHUNKED:
          (side.tx as Tx).rec.partial = true;
          this.bodyDone(side);
          break;
        case M_BODY_CLOSE:
          this.bodyDone(side);
          break;
        default:
          break;
      }
      this.finishSkip(side);
    }
    this.ended = true;
    if (this.inner !== null && !this.innerEnded) {
      this.innerEnded = true;
      this.inner.end(ts);
    }
    const q = this.queue;
    for (let i = 0; i < q.length; i++) {
      const tx = q[i] as Tx;
      if (!tx.reqDone || (tx.resStarted && !tx.resDone)) tx.rec.partial = true;
      this.host.emit(tx.rec);
    }
    q.length = 0;
  }

  // ------------------------------------------------------------------ per-direction machine

  private feed(side: Side, buf: Uint8Array, p: number, end: number, ts: Micros): void {
    while (p < end) {
      const mode = side.mode;
      const before = p;
      switch (mode) {
        case M_HEAD:
          p = this.headStep(side, buf, p, end, ts);
          break;
        case M_BODY_LEN: {
          const n = end - p < side.remaining ? end - p : side.remaining;
          this.consumeBody(side, buf, p, n);
          side.remaining -= n;
          p += n;
          if (side.remaining === 0) this.bodyDone(side);
          break;
        }
        case M_BODY_CHUNKED:
          p = this.chunkStep(side, buf, p, end);
          break;
        case M_BODY_CLOSE:
          this.consumeBody(side, buf, p, end - p);
          p = end;
          break;
        case M_RESYNC:
          p = this.resyncStep(side, buf, p, end);
          break;
        case M_HOLD:
          p = this.holdStep(side, buf, p, end);
          break;
        case M_WS:
          p = this.wsStep(side, buf, p, end, ts);
          break;
        default:
          return;
      }
      // Every step consumes bytes or changes the mode; anything else would be a bug, never a hang.
      if (p === before && side.mode === mode) return;
    }
  }

  private headStep(side: Side, buf: Uint8Array, p: number, end: number, ts: Micros): number {
    const limit = this.maxHead;
    if (side.hlen === 0) {
      while (p < end && (buf[p] === 13 || buf[p] === 10)) p++;
      if (p >= end) return p;
      side.headTs = ts;
      side.scan.reset();
      const r = scanHead(buf, p, end, side.kind, limit, side.scan, this.line);
      if (r > 0) {
        this.onHead(side, buf, p, p + r, false);
        return p + r;
      }
      if (r === 0) {
        this.hbufAppend(side, buf, p, end - p);
        return end;
      }
      return this.headError(side, r, buf, p, 0, p);
    }
    const have = side.hlen;
    const n = end - p < limit - have ? end - p : limit - have;
    this.hbufAppend(side, buf, p, n);
    const hb = side.hbuf as Uint8Array;
    const r = scanHead(hb, 0, side.hlen, side.kind, limit, side.scan, this.line);
    if (r > 0) {
      side.hlen = 0;
      this.onHead(side, hb, 0, r, false);
      this.trimHbuf(side, hb);
      return p + (r - have);
    }
    if (r === 0) return p + n;
    side.hlen = 0;
    const next = this.headError(side, r, hb, 0, have, p);
    this.trimHbuf(side, hb);
    return next;
  }

  private trimHbuf(side: Side, hb: Uint8Array): void {
    if (side.hbuf === hb && side.hlen === 0 && hb.length > HBUF_KEEP) side.hbuf = null;
  }

  /**
   * A head could not be parsed: bad start line, or no end within the limit. `hb[hs..)` holds the head
   * so far, of which the first `have` bytes came from earlier calls; `p` is where the current call's
   * bytes start in the caller's buffer. Returns where processing continues in the caller's buffer.
   */
  private headError(side: Side, code: number, hb: Uint8Array, hs: number, have: number, p: number): number {
    const st = side.scan;
    if (code === -A_HTTP_HEAD_TOO_LONG) {
      const taken = this.maxHead - have;
      if (st.firstEol >= 0) {
        this.host.anomaly(A_HTTP_HEAD_TOO_LONG);
        this.onHead(side, hb, hs, hs + st.lineStart, true);
      } else if (!side.probing) {
        this.host.anomaly(A_HTTP_HEAD_TOO_LONG);
        if (side.kind === KIND_RESPONSE) this.markPendingPartial(side);
        else this.overlongRequestLine(side, hb, hs);
      } else {
        this.skipped(side, this.maxHead);
      }
      if (side.mode !== M_DEAD) side.mode = M_RESYNC;
      side.atLineStart = false;
      side.probing = false;
      return p + taken;
    }
    // Bad start line: skip that line and look for the next message start.
    if (!side.probing) {
      this.host.anomaly(-code);
      if (side.kind === KIND_RESPONSE) this.markPendingPartial(side);
    }
    side.mode = M_RESYNC;
    side.probing = false;
    if (st.firstEol < 0) {
      // Rejected from its first bytes: the rest of this line is skipped by the resync.
      this.skipped(side, have);
      side.atLineStart = false;
      return p;
    }
    this.skipped(side, st.firstEol + 1);
    side.atLineStart = true;
    return p + (st.firstEol + 1 - have);
  }

  /**
   * A request line longer than the head limit (e.g. an overflow attempt on the AMT web server):
   * a partial transaction with the method and the start of the URI, so the answer pairs with it.
   */
  private overlongRequestLine(side: Side, hb: Uint8Array, hs: number): void {
    const he = hs + this.maxHead;
    const sp = findByte(hb, hs, he, 0x20);
    if (sp <= hs) return;
    const line = this.line;
    const ue = findByte(hb, sp + 1, he, 0x20);
    line.methodS = hs;
    line.methodE = sp;
    line.uriS = sp + 1;
    line.uriE = ue < 0 ? he : ue;
    line.verS = line.verE = -1;
    this.info.reset();
    this.onRequest(side, hb, true, true);
  }

  private hbufAppend(side: Side, buf: Uint8Array, p: number, n: number): void {
    const need = side.hlen + n;
    let hb = side.hbuf;
    if (hb === null || hb.length < need) {
      let cap = hb === null ? 1024 : hb.length * 2;
      while (cap < need) cap *= 2;
      if (cap > this.maxHead) cap = this.maxHead;
      if (cap < need) cap = need;
      const nb = new Uint8Array(cap);
      if (hb !== null && side.hlen > 0) nb.set(hb.subarray(0, side.hlen));
      hb = nb;
      side.hbuf = nb;
    }
    hb.set(buf.subarray(p, p + n), side.hlen);
    side.hlen = need;
  }

  /** At a gap or end(): a head cut short still gives its start line and complete header lines. */
  private flushHead(side: Side): void {
    if (side.hlen === 0) return;
    const hb = side.hbuf as Uint8Array;
    const st = side.scan;
    side.hlen = 0;
    if (st.firstEol >= 0) this.onHead(side, hb, 0, st.lineStart, true);
    this.trimHbuf(side, hb);
  }

  private resyncStep(side: Side, buf: Uint8Array, p: number, end: number): number {
    while (p < end) {
      if (side.atLineStart) {
        side.atLineStart = false;
        if (looksLikeMessageStart(side.kind, buf, p, end)) {
          side.mode = M_HEAD;
          side.probing = true;
          side.headAfterGap = side.afterGap;
          side.afterGap = false;
          return p;
        }
      }
      const lf = findByte(buf, p, end, 10);
      if (lf < 0) {
        this.skipped(side, end - p);
        side.afterGap = false;
        return end;
      }
      this.skipped(side, lf + 1 - p);
      p = lf + 1;
      side.atLineStart = true;
      side.afterGap = false;
    }
    return p;
  }

  private holdStep(side: Side, buf: Uint8Array, p: number, end: number): number {
    const room = this.maxHead - side.hlen;
    const n = end - p < room ? end - p : room;
    if (n > 0) this.hbufAppend(side, buf, p, n);
    if (n < end - p) {
      if (!side.holdLost) this.host.anomaly(A_HTTP_UPGRADE_HOLD_OVERFLOW);
      side.holdLost = true;
      side.holdLostBytes += end - p - n;
    }
    return end;
  }

  // ------------------------------------------------------------------ heads

  private onHead(side: Side, buf: Uint8Array, s: number, e: number, truncated: boolean): void {
    this.finishSkip(side);
    side.probing = false;
    const line = this.line;
    const eol = s + side.scan.firstEol;
    const ok = side.kind === KIND_REQUEST ? parseRequestLine(buf, s, eol, line) : parseStatusLine(buf, s, eol, line);
    if (ok < 0) {
      // Cannot happen (scanHead validated it); keep the direction moving anyway.
      side.mode = M_RESYNC;
      side.atLineStart = true;
      return;
    }
    const info = this.info;
    info.reset();
    parseHeaders(buf, eol + 1, e, this.maxHeaders, info);
    if (info.badLines > 0) this.host.anomaly(A_HTTP_BAD_HEADER_LINE);
    if (info.tooMany) this.host.anomaly(A_HTTP_TOO_MANY_HEADERS);
    // a head found right after a gap may have lost its first bytes ("ET /" for "GET /"): partial
    const partial = truncated || info.tooMany || side.headAfterGap;
    side.headAfterGap = false;
    if (side.kind === KIND_REQUEST) this.onRequest(side, buf, partial, truncated);
    else this.onResponse(side, buf, partial, truncated);
  }

  private str(buf: Uint8Array, s: number, e: number): string | null {
    if (s < 0 || e < s) return null;
    if (e - s <= this.maxField) return latin1(buf, s, e);
    this.host.anomaly(A_HTTP_FIELD_TRUNCATED);
    return latin1(buf, s, s + this.maxField);
  }

  private newTx(ts: Micros): Tx {
    const ses = this.host.session;
    this.txCount++;
    const rec: HttpRecord = {
      event_type: 'http',
      ts,
      ...sessionIds(ses),
      trans_depth: this.txCount,
      method: null,
      host: null,
      uri: null,
      version: null,
      user_agent: null,
      request_body_len: 0,
      status_code: null,
      status_msg: null,
      server: null,
      amt_firmware: null,
      challenge_realm: null,
      challenge_nonce: null,
      auth_scheme: null,
      username: null,
      digest_realm: null,
      digest_nonce: null,
      digest_uri: null,
      digest_qop: null,
      digest_nc: null,
      digest_cnonce: null,
      digest_response_len: null,
      digest_response_hex: null,
      basic_credentials: false,
      wsman_action: null,
      wsman_resource_uri: null,
      wsman_method: null,
      wsman_params: [],
      response_body_len: 0,
      websocket: false,
      partial: false,
    };
    const tx = new Tx(rec);
    this.queue.push(tx);
    return tx;
  }

  private onRequest(side: Side, buf: Uint8Array, partial: boolean, truncated: boolean): void {
    if (this.txCount >= this.maxTx) {
      if (!this.limitHit) this.host.anomaly(A_HTTP_TOO_MANY_TRANSACTIONS);
      this.limitHit = true;
      side.mode = M_DEAD;
      return;
    }
    const line = this.line;
    const info = this.info;
    const tx = this.newTx(side.headTs);
    const rec = tx.rec;
    side.bodyLen = 0;
    rec.method = this.str(buf, line.methodS, line.methodE);
    rec.uri = this.str(buf, line.uriS, line.uriE);
    rec.version = this.str(buf, line.verS, line.verE);
    rec.host = this.str(buf, info.host.s, info.host.e);
    rec.user_agent = this.str(buf, info.userAgent.s, info.userAgent.e);
    if (partial) rec.partial = true;
    tx.isHead = bytesIs(buf, line.methodS, line.methodE, METHOD_HEAD);
    tx.isConnect = bytesIs(buf, line.methodS, line.methodE, METHOD_CONNECT);
    tx.upgradeWs = info.upgradeWebsocket;
    if (info.authorization.s >= 0) this.requestAuth(tx, buf, info.authorization.s, info.authorization.e);
    if (bytesIs(buf, line.methodS, line.methodE, METHOD_POST)) {
      let pe = line.uriE;
      const q = findByte(buf, line.uriS, line.uriE, 0x3f);
      if (q >= 0) pe = q;
      const isWsman = pe - line.uriS >= T_WSMAN_PATH.length && startsWithLower(buf, pe - T_WSMAN_PATH.length, pe, T_WSMAN_PATH);
      const isSoap = info.contentType.s >= 0 && indexOfLower(buf, info.contentType.s, info.contentType.e, T_SOAP_XML) >= 0;
      tx.scan = isWsman || isSoap;
    }
    if (truncated) {
      tx.scan = false;
      tx.reqDone = true;
      side.mode = M_RESYNC;
      side.atLineStart = false;
      this.tryEmit();
      return;
    }
    if (info.teState !== TE_NONE) {
      if (info.clState !== CL_NONE) this.host.anomaly(A_HTTP_CL_AND_TE);
      if (info.teState === TE_CHUNKED) this.startBody(side, tx, M_BODY_CHUNKED, 0);
      else {
        this.host.anomaly(A_HTTP_BAD_TRANSFER_ENCODING);
        this.lose(side, tx);
      }
    } else if (info.clState === CL_OK) {
      if (info.clValue > 0) this.startBody(side, tx, M_BODY_LEN, info.clValue);
      else this.requestDone(side, tx);
    } else if (info.clState !== CL_NONE) {
      this.host.anomaly(clAnomaly(info.clState));
      this.lose(side, tx);
    } else {
      this.requestDone(side, tx);
    }
  }

  private requestAuth(tx: Tx, buf: Uint8Array, s: number, e: number): void {
    const a = this.auth;
    const rec = tx.rec;
    const scheme = parseAuthorization(buf, s, e, a, true);
    if (scheme === AUTH_NONE) {
      this.host.anomaly(A_HTTP_BAD_AUTHORIZATION);
      return;
    }
    tx.credentialed = true;
    rec.auth_scheme = this.str(buf, a.schemeS, a.schemeE);
    if (scheme === AUTH_DIGEST) {
      rec.username = this.str(buf, a.ps[DIGEST_USERNAME] as number, a.pe[DIGEST_USERNAME] as number);
      rec.digest_realm = this.str(buf, a.ps[DIGEST_REALM] as number, a.pe[DIGEST_REALM] as number);
      rec.digest_nonce = this.str(buf, a.ps[DIGEST_NONCE] as number, a.pe[DIGEST_NONCE] as number);
      rec.digest_uri = this.str(buf, a.ps[DIGEST_URI] as number, a.pe[DIGEST_URI] as number);
      rec.digest_qop = this.str(buf, a.ps[DIGEST_QOP] as number, a.pe[DIGEST_QOP] as number);
      rec.digest_nc = this.str(buf, a.ps[DIGEST_NC] as number, a.pe[DIGEST_NC] as number);
      rec.digest_cnonce = this.str(buf, a.ps[DIGEST_CNONCE] as number, a.pe[DIGEST_CNONCE] as number);
      const rs = a.ps[DIGEST_RESPONSE] as number;
      const re = a.pe[DIGEST_RESPONSE] as number;
      if (rs >= 0) {
        rec.digest_response_len = re - rs;
        rec.digest_response_hex = isHex32(buf, rs, re);
      }
      if (a.bad) this.host.anomaly(A_HTTP_BAD_AUTHORIZATION);
    } else if (scheme === AUTH_BASIC) {
      rec.basic_credentials = true;
      const scratch = (this.userScratch ??= new Uint8Array(this.maxField));
      const n = decodeBasicUser(buf, a.tokenS, a.tokenE, scratch);
      if (n < 0) this.host.anomaly(A_HTTP_BAD_AUTHORIZATION);
      else {
        rec.username = latin1(scratch, 0, n);
        scratch.fill(0, 0, n);
      }
    }
    if (rec.username !== null) this.host.facts.user = rec.username;
  }

  private onResponse(side: Side, buf: Uint8Array, partial: boolean, truncated: boolean): void {
    const line = this.line;
    const info = this.info;
    const status = line.status;
    if (status >= 100 && status < 200 && status !== 101) {
      side.mode = M_HEAD; // interim response (100 Continue ...); the final one follows
      return;
    }
    let tx: Tx | null = null;
    for (const t of this.queue) {
      if (!t.resStarted) {
        tx = t;
        break;
      }
    }
    if (tx === null) {
      if (this.limitHit || this.txCount >= this.maxTx) {
        if (!this.limitHit) this.host.anomaly(A_HTTP_TOO_MANY_TRANSACTIONS);
        this.limitHit = true;
        side.mode = M_DEAD;
        return;
      }
      this.host.anomaly(A_HTTP_UNSOLICITED_RESPONSE);
      tx = this.newTx(side.headTs);
      tx.reqDone = true;
      tx.rec.partial = true;
    }
    const rec = tx.rec;
    tx.resStarted = true;
    if (partial) rec.partial = true;
    rec.status_code = status;
    rec.status_msg = this.str(buf, line.reasonS, line.reasonE);
    if (rec.version === null) rec.version = this.str(buf, line.verS, line.verE);
    if (info.server.s >= 0) {
      rec.server = this.str(buf, info.server.s, info.server.e);
      if (parseAmtFirmware(buf, info.server.s, info.server.e, this.span)) {
        rec.amt_firmware = this.str(buf, this.span.s, this.span.e);
        this.host.facts.firmware = rec.amt_firmware;
      }
    }
    if (info.wwwDigest.s >= 0) {
      const a = this.auth;
      if (parseAuthorization(buf, info.wwwDigest.s, info.wwwDigest.e, a) === AUTH_DIGEST) {
        rec.challenge_realm = this.str(buf, a.ps[DIGEST_REALM] as number, a.pe[DIGEST_REALM] as number);
        rec.challenge_nonce = this.str(buf, a.ps[DIGEST_NONCE] as number, a.pe[DIGEST_NONCE] as number);
      }
    }
    if (tx.credentialed) {
      const facts = this.host.facts;
      // 101: AMT upgrades /ws-redirection only for an authenticated request.
      if ((status >= 200 && status < 400) || status === 101) facts.auth = 'success';
      else if (status === 401 && facts.auth !== 'success') facts.auth = 'failure';
    }
    const hold = this.orig.mode === M_HOLD && this.orig.holdTx === tx;
    if (truncated) {
      this.responseDone(side, tx);
      side.mode = M_RESYNC;
      side.atLineStart = false;
    } else if (status === 101) {
      this.responseDone(side, tx);
      if (tx.upgradeWs) {
        rec.websocket = true;
        this.startWebsocket(hold, side.headTs);
        return;
      }
      this.host.anomaly(A_HTTP_UPGRADE_NOT_WEBSOCKET);
      this.orig.mode = M_DEAD;
      this.resp.mode = M_DEAD;
      return;
    } else if (tx.isConnect && status >= 200 && status < 300) {
      this.responseDone(side, tx);
      this.orig.mode = M_DEAD;
      this.resp.mode = M_DEAD;
      return;
    } else if (tx.isHead || status < 200 || status === 204 || status === 304) {
      this.responseDone(side, tx);
    } else if (info.teState !== TE_NONE) {
      if (info.clState !== CL_NONE) this.host.anomaly(A_HTTP_CL_AND_TE);
      this.startBody(side, tx, info.teState === TE_CHUNKED ? M_BODY_CHUNKED : M_BODY_CLOSE, 0);
    } else if (info.clState === CL_OK) {
      if (info.clValue > 0) this.startBody(side, tx, M_BODY_LEN, info.clValue);
      else this.responseDone(side, tx);
    } else if (info.clState !== CL_NONE) {
      this.host.anomaly(clAnomaly(info.clState));
      this.lose(side, tx);
    } else {
      this.startBody(side, tx, M_BODY_CLOSE, 0);
    }
    if (hold) this.releaseHold(side.headTs);
  }

  // ------------------------------------------------------------------ bodies

  private startBody(side: Side, tx: Tx, mode: number, remaining: number): void {
    side.tx = tx;
    side.mode = mode;
    side.remaining = remaining;
    side.chunk.reset();
    side.bodyLen = 0;
    side.bodyGap = false;
    side.bodyScan = side.kind === KIND_REQUEST && tx.scan && this.maxScan > 0;
  }

  private countBody(side: Side, tx: Tx, n: number): void {
    if (side.kind === KIND_REQUEST) tx.rec.request_body_len += n;
    else tx.rec.response_body_len += n;
  }

  private consumeBody(side: Side, buf: Uint8Array, p: number, n: number): void {
    const tx = side.tx;
    if (tx === null || n <= 0) return;
    this.countBody(side, tx, n);
    if (!side.bodyScan || side.bodyGap || side.bodyLen >= this.maxScan) return;
    const take = n < this.maxScan - side.bodyLen ? n : this.maxScan - side.bodyLen;
    const need = side.bodyLen + take;
    let b = side.body;
    if (b === null || b.length < need) {
      let cap = b === null ? 4096 : b.length * 2;
      while (cap < need) cap *= 2;
      if (cap > this.maxScan) cap = this.maxScan;
      const nb = new Uint8Array(cap);
      if (b !== null && side.bodyLen > 0) nb.set(b.subarray(0, side.bodyLen));
      b = nb;
      side.body = nb;
    }
    b.set(buf.subarray(p, p + take), side.bodyLen);
    side.bodyLen = need;
  }

  private chunkStep(side: Side, buf: Uint8Array, p: number, end: number): number {
    const ch = side.chunk;
    while (p < end) {
      if (ch.phase === CH_DATA) {
        const n = end - p < ch.remaining ? end - p : ch.remaining;
        this.consumeBody(side, buf, p, n);
        ch.remaining -= n;
        p += n;
        if (ch.remaining === 0) ch.phase = CH_DATA_CR;
        continue;
      }
      const r = parseChunkFraming(buf, p, end, ch, this.maxHead);
      if (r < 0) {
        this.host.anomaly(-r);
        const tx = side.tx as Tx;
        tx.rec.partial = true;
        this.lose(side, tx);
        return p;
      }
      p = r;
      if (ch.phase === CH_DONE) {
        this.bodyDone(side);
        return p;
      }
    }
    return p;
  }

  private bodyDone(side: Side): void {
    const tx = side.tx;
    side.tx = null;
    if (tx === null) {
      side.mode = M_HEAD;
      return;
    }
    if (side.kind === KIND_REQUEST) this.requestDone(side, tx);
    else this.responseDone(side, tx);
  }

  private requestDone(side: Side, tx: Tx): void {
    if (tx.scan) this.finishScan(side, tx);
    side.tx = null;
    tx.reqDone = true;
    if (tx.upgradeWs && !tx.resStarted) {
      // Until the answer says 101 or not, the client's next bytes may be WebSocket frames.
      side.mode = M_HOLD;
      side.holdTx = tx;
      side.holdLost = false;
      side.holdLostBytes = 0;
      side.hlen = 0;
    } else {
      side.mode = M_HEAD;
    }
    this.tryEmit();
  }

  private responseDone(side: Side, tx: Tx): void {
    side.tx = null;
    tx.resDone = true;
    side.mode = M_HEAD;
    this.tryEmit();
  }

  /**
   * The message's framing is unknown (bad Content-Length or Transfer-Encoding, bad chunk, gap):
   * skip to the next message start. `tx` (if any) ends there; bytes skipped count as its body.
   */
  private lose(side: Side, tx: Tx | null): void {
    if (tx !== null) {
      tx.rec.partial = true;
      if (tx.scan) this.finishScan(side, tx);
      side.skipTx = tx;
    }
    side.tx = null;
    side.mode = M_RESYNC;
    side.atLineStart = true;
    side.probing = false;
    if (side.kind === KIND_RESPONSE) this.markPendingPartial(side);
  }

  private skipped(side: Side, n: number): void {
    const tx = side.skipTx;
    if (tx !== null) this.countBody(side, tx, n);
  }

  private finishSkip(side: Side): void {
    const tx = side.skipTx;
    if (tx === null) return;
    side.skipTx = null;
    if (side.kind === KIND_REQUEST) tx.reqDone = true;
    else tx.resDone = true;
    this.tryEmit();
  }

  /** Responses now unreliable: every transaction still waiting for (the rest of) its response is partial. */
  private markPendingPartial(side: Side): void {
    if (side.kind !== KIND_RESPONSE) return;
    for (const t of this.queue) if (!t.resDone) t.rec.partial = true;
  }

  private finishScan(side: Side, tx: Tx): void {
    tx.scan = false;
    const body = side.body;
    side.bodyScan = false;
    if (body === null || side.bodyLen === 0) return;
    const w = (this.wsman ??= new WsmanScan());
    w.reset();
    scanWsman(body, 0, side.bodyLen, w);
    const rec = tx.rec;
    if (w.action.s >= 0) {
      rec.wsman_action = this.str(body, w.action.s, w.action.e);
      rec.wsman_method = this.str(body, lastPathElement(body, w.action.s, w.action.e), w.action.e);
    }
    if (w.resourceUri.s >= 0) rec.wsman_resource_uri = this.str(body, w.resourceUri.s, w.resourceUri.e);
    for (let k = 0; k < w.nParams; k++) {
      const idx = w.pName[k] as number;
      const name = WSMAN_PARAM_NAMES[idx] as string;
      let v: string;
      if (WSMAN_PARAM_SECRET[idx] === true) v = WSMAN_SECRET_VALUE;
      else {
        const room = this.maxField - name.length - 1;
        const s = w.pS[k] as number;
        const e = w.pE[k] as number;
        v = room > 0 ? latin1(body, s, e - s > room ? s + room : e) : '';
      }
      const item = `${name}=${v}`;
      rec.wsman_params.push(item.length > this.maxField ? item.slice(0, this.maxField) : item);
    }
    if (w.overflow) this.host.anomaly(A_HTTP_WSMAN_TOO_MANY_PARAMS);
    side.bodyLen = 0;
    if (body.length > BODY_KEEP) side.body = null;
  }

  private tryEmit(): void {
    const q = this.queue;
    let n = 0;
    while (n < q.length) {
      const tx = q[n] as Tx;
      if (!tx.reqDone || !tx.resDone) break;
      this.host.emit(tx.rec);
      n++;
    }
    if (n > 0) q.splice(0, n);
  }

  // ------------------------------------------------------------------ upgrade / WebSocket

  /** The upgrade request got a final answer that is not 101: the held request bytes are HTTP again. */
  private releaseHold(ts: Micros): void {
    const o = this.orig;
    const lost = o.holdLost ? Math.max(1, o.holdLostBytes) : 0;
    const held = o.hlen > 0 && o.hbuf !== null ? o.hbuf.slice(0, o.hlen) : null;
    o.hlen = 0;
    o.holdTx = null;
    o.holdLost = false;
    o.holdLostBytes = 0;
    o.mode = M_HEAD;
    if (o.hbuf !== null && o.hbuf.length > HBUF_KEEP) o.hbuf = null;
    if (held !== null) this.feed(o, held, 0, held.length, ts);
    // Bytes after the held ones were dropped (hold limit or gap): as after any gap.
    if (lost > 0) this.gap(ORIG, lost, ts);
  }

  private startWebsocket(hold: boolean, ts: Micros): void {
    const o = this.orig;
    const r = this.resp;
    const held = hold ? o.hlen : 0;
    const hb = o.hbuf;
    // The client's frames are followable only from a clean hold (no gap, no overflow).
    const lost = !hold || o.holdLost ? Math.max(1, o.holdLostBytes) : 0;
    o.holdTx = null;
    o.holdLost = false;
    o.holdLostBytes = 0;
    o.hlen = 0;
    o.hbuf = null; // not needed any more in WebSocket mode
    this.inner = this.onUpgrade !== undefined ? this.onUpgrade(this.host) : null;
    if (this.inner === null) {
      o.mode = M_DEAD;
      r.mode = M_DEAD;
      return;
    }
    r.mode = M_WS;
    o.mode = M_WS;
    if (held > 0 && hb !== null) this.feed(o, hb, 0, held, ts);
    if (lost > 0) {
      // Bytes of the client's frame stream are missing after what was held: boundaries unknown.
      if (o.mode === M_WS) o.mode = M_DEAD;
      if (!this.innerEnded) this.inner.gap(ORIG, lost, ts);
    }
  }

  private wsStep(side: Side, buf: Uint8Array, p: number, end: number, ts: Micros): number {
    const w = (side.ws ??= new WsState());
    while (p < end && side.mode === M_WS) {
      if (w.inPayload) {
        const n = end - p < w.remaining ? end - p : w.remaining;
        if (w.feed) this.deliver(side.dir, buf, p, n, w, ts);
        w.maskPos += n;
        w.remaining -= n;
        p += n;
        if (w.remaining === 0) {
          w.inPayload = false;
          if (w.isClose) this.wsClosed(ts);
        }
        continue;
      }
      const f = (this.frame ??= new WsFrame());
      let hl: number;
      let hb: Uint8Array;
      if (w.hdrLen === 0) {
        hl = parseWsFrameHeader(buf, p, end, f);
        if (hl === 0) {
          w.hdr.set(buf.subarray(p, end), 0);
          w.hdrLen = end - p;
          return end;
        }
        hb = buf;
        if (hl > 0) p += hl;
      } else {
        while (w.hdrLen < 2 && p < end) w.hdr[w.hdrLen++] = buf[p++] as number;
        if (w.hdrLen < 2) return p;
        const need = wsHeaderLength(w.hdr[1] as number);
        while (w.hdrLen < need && p < end) w.hdr[w.hdrLen++] = buf[p++] as number;
        if (w.hdrLen < need) return p;
        hb = w.hdr;
        hl = parseWsFrameHeader(hb, 0, need, f);
        w.hdrLen = 0;
      }
      if (hl < 0) {
        this.host.anomaly(-hl);
        side.mode = M_DEAD;
        return end;
      }
      this.onWsFrame(side, hb, f, ts);
    }
    return side.mode === M_WS ? p : end;
  }

  private onWsFrame(side: Side, hb: Uint8Array, f: WsFrame, ts: Micros): void {
    const w = side.ws as WsState;
    const op = f.opcode;
    if ((op >= 3 && op <= 7) || op >= 11) {
      this.host.anomaly(A_HTTP_WS_BAD_OPCODE);
      side.mode = M_DEAD;
      return;
    }
    if (op >= 8 && (!f.fin || f.len > 125)) this.host.anomaly(A_HTTP_WS_BAD_CONTROL_FRAME);
    if (f.masked !== (side.dir === ORIG) && !w.maskWarned) {
      w.maskWarned = true;
      this.host.anomaly(A_HTTP_WS_MASK_VIOLATION);
    }
    w.masked = f.masked;
    if (f.masked) for (let k = 0; k < 4; k++) w.key[k] = hb[f.maskOff + k] as number;
    w.maskPos = 0;
    w.remaining = f.len;
    w.isClose = op === WS_OP_CLOSE;
    let feed = false;
    if (op === WS_OP_BINARY || op === WS_OP_TEXT) {
      w.inMsg = !f.fin;
      w.msgBinary = op === WS_OP_BINARY;
      feed = w.msgBinary;
    } else if (op === WS_OP_CONTINUATION) {
      feed = w.inMsg && w.msgBinary;
      if (f.fin) w.inMsg = false;
    }
    if (f.rsv !== 0) {
      this.host.anomaly(A_HTTP_WS_RSV_SET);
      // Payload transformed by an extension (e.g. permessage-deflate): not the inner protocol's bytes.
      if (feed && f.len > 0 && this.inner !== null && !this.innerEnded) this.inner.gap(side.dir, f.len, ts);
      feed = false;
    }
    w.feed = feed;
    w.inPayload = f.len > 0;
    if (!w.inPayload && w.isClose) this.wsClosed(ts);
  }

  private deliver(dir: Direction, buf: Uint8Array, p: number, n: number, w: WsState, ts: Micros): void {
    const inner = this.inner;
    if (inner === null || this.innerEnded || n <= 0) return;
    if (!w.masked) {
      inner.data(dir, buf, p, p + n, ts);
      return;
    }
    const out = (this.unmaskBuf ??= new Uint8Array(WS_UNMASK_CHUNK));
    for (let k = 0; k < n; k += out.length) {
      const m = n - k < out.length ? n - k : out.length;
      unmask(buf, p + k, m, w.key, 0, w.maskPos + k, out, 0);
      inner.data(dir, out, 0, m, ts);
    }
  }

  private wsGap(side: Side, len: number, ts: Micros): void {
    const w = (side.ws ??= new WsState());
    if (w.inPayload && w.hdrLen === 0 && len <= w.remaining) {
      if (w.feed && this.inner !== null && !this.innerEnded) this.inner.gap(side.dir, len, ts);
      w.remaining -= len;
      w.maskPos += len;
      if (w.remaining === 0) {
        w.inPayload = false;
        if (w.isClose) this.wsClosed(ts);
      }
      return;
    }
    if (this.inner !== null && !this.innerEnded) this.inner.gap(side.dir, len, ts);
    side.mode = M_DEAD;
  }

  /** A close frame ends the WebSocket: the inner analyzer ends, both directions stop. */
  private wsClosed(ts: Micros): void {
    this.orig.mode = M_DEAD;
    this.resp.mode = M_DEAD;
    if (this.inner !== null && !this.innerEnded) {
      this.innerEnded = true;
      this.inner.end(ts);
    }
  }
}

function clAnomaly(state: number): number {
  if (state === CL_TOO_LARGE) return A_HTTP_CONTENT_LENGTH_TOO_LARGE;
  if (state === CL_CONFLICT) return A_HTTP_CONTENT_LENGTH_CONFLICT;
  if (state === CL_BAD) return A_HTTP_BAD_CONTENT_LENGTH;
  return A_HTTP_BAD_CONTENT_LENGTH;
}

/**
 * The HTTP / WS-Management analyzer for one session (AMT 16992, TCP 623). `opts.onUpgrade`, when
 * given, analyses the payload of a WebSocket upgrade (AMT redirection at /ws-redirection).
 */
export function createHttpAnalyzer(host: AnalyzerHost, opts?: HttpAnalyzerOptions): Analyzer {
  return new HttpAnalyzer(host, opts?.onUpgrade);
}
