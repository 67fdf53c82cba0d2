/**
 * The AMT redirection-protocol analyzer (TCP 16994, and the same bytes inside the /ws-redirection
 * WebSocket: it assumes nothing about ports). One instance per session; direction 0 is the client
 * (management console), direction 1 the AMT firmware. It emits exactly one AmtRedirRecord at end().
 *
 * Per direction, bytes go through a small window buffer (grown on demand up to
 * max(maxRedirMessageBytes, 64)) in which parser.ts frames one message at a time. Data-carrying
 * messages (SOL 0x28/0x2A, IDE-R 0x53/0x54) are framed by their header; their payload is consumed by
 * count straight from the caller's buffer, feeding only the byte counters and the bounded transcript.
 *
 * Session state machine (amt-protocol.md 4.1): 0x10 (session kind from the tag) -> 0x11 (status,
 * firmware) -> 0x13/0x14 auth exchange -> SOL 0x20/0x21 | IDE-R 0x40/0x41 | KVM 0x40/0x41 then raw RFB
 * -> 0x12 ends the client direction. Auth: a 0x14 with status 1 answering a digest step-1 request
 * (empty realm/nonce/response) is the challenge, not a failure; status 1 after a full digest response,
 * a userpass or a Kerberos attempt is a failure. With no request seen (gap, midstream), a status-1
 * reply that carries a nonce is taken as a challenge, one without as a failure.
 *
 * KVM: after 0x40 (client) / 0x41 (AMT) each direction is raw RFB. The analyzer reads the two
 * ProtocolVersions, the security handshake as far as None (1) or VNC auth (2) go, and the ServerInit
 * desktop name, then only counts bytes. The server side needs the client's version and security
 * choice, so it waits (bytes stay in its window) until the client direction has delivered them.
 *
 * Gaps: inside a data payload the gap is skipped by count (framing survives; the transcript gets
 * `[gap N]`). Anywhere else framing is lost: the direction drops what it held and RESYNCS on the
 * next plausible message start (parser.ts probeRedirMessage: the type must frame for this direction
 * and session kind, header padding must be zero and status/auth-type bytes in range, and the byte
 * right after the candidate must start a known type; the candidate waits for that byte, or for the
 * end of the stream, so the verdict never depends on segmentation). Each direction also starts this
 * way, so a non-AMT stream is never framed ("GET" would otherwise be IDE-R 0x47); only its first
 * message is judged on the header alone. Resync never applies to RFB: a gap in the RFB handshake
 * stops RFB parsing for that direction. Every gap outside RFB pass-through sets partial.
 *
 * Transcript (host.options.extract only): 0x28 keystrokes and 0x2A console output interleaved in wire
 * order, each run introduced by `[>] ` (input) or `[<] ` (output), runs after the first preceded by a
 * newline; bytes are Latin-1 characters, so the limit maxSolTranscriptBytes counts bytes. Past the
 * limit the transcript is cut and the record is partial.
 *
 * Strings are decoded as Latin-1 and cut to maxFieldChars. The userpass password is never decoded:
 * only its presence is reported (password_cleartext).
 */
import { u32be } from '../../core/bytes.js';
import type { Direction } from '../../core/flow.js';
import type { Micros } from '../../core/time.js';
import type { AmtRedirRecord } from '../../records/index.js';
import { sessionIds, type Analyzer, type AnalyzerHost } from '../types.js';
import {
  A_REDIR_AUTH_STRING_OVERFLOW,
  A_REDIR_DATA_AFTER_END,
  A_REDIR_DUPLICATE_START,
  A_REDIR_FIELD_TRUNCATED,
  A_REDIR_GAP_LOST_FRAMING,
  A_REDIR_MESSAGE_TOO_LONG,
  A_REDIR_RESYNC,
  A_REDIR_RFB_BAD_VERSION,
  A_REDIR_RFB_HANDSHAKE_FAILED,
  A_REDIR_RFB_TOO_LONG,
  A_REDIR_RFB_UNKNOWN_SECURITY,
  A_REDIR_TRANSCRIPT_TRUNCATED,
  A_REDIR_TRUNCATED,
  A_REDIR_UNKNOWN_AUTH_STATUS,
  A_REDIR_UNKNOWN_AUTH_TYPE,
  A_REDIR_UNKNOWN_SESSION_TAG,
  AUTH_DIGEST,
  AUTH_DIGEST_RFC2069,
  AUTH_KERBEROS,
  AUTH_QUERY,
  AUTH_RESULT_FAILURE,
  AUTH_RESULT_NOT_SUPPORTED,
  AUTH_RESULT_SUCCESS,
  AUTH_STATUS_FAILURE,
  AUTH_STATUS_NOT_SUPPORTED,
  AUTH_STATUS_SUCCESS,
  AUTH_USERPASS,
  AUTHENTICATE_HEADER_LENGTH,
  AUTHENTICATE_SESSION,
  AUTHENTICATE_SESSION_REPLY,
  authTypeName,
  END_REDIRECTION_SESSION,
  KIND_KVM,
  KIND_NAMES,
  KIND_UNKNOWN,
  RFB_SECURITY_NONE,
  RFB_SECURITY_VNC,
  RFB_SERVER_INIT_LENGTH,
  RFB_VERSION_LENGTH,
  RFB_VNC_CHALLENGE_LENGTH,
  SOL_DATA_FROM_HOST,
  SOL_DATA_TO_HOST,
  START_IDER_REDIRECTION,
  START_IDER_REDIRECTION_REPLY,
  START_REDIRECTION_SESSION,
  START_REDIRECTION_SESSION_REPLY,
  START_SOL_REDIRECTION,
  START_SOL_REDIRECTION_REPLY,
  TRANSCRIPT_INPUT_MARK,
  TRANSCRIPT_OUTPUT_MARK,
} from './constants.js';
import {
  type FrameContext,
  FRAME_NEED_MORE,
  formatRfbVersion,
  formatSolParams,
  frameRedirMessage,
  latin1,
  newRedirFrame,
  parseAuthChallenge,
  parseAuthRequest,
  parseAuthTypeList,
  parseRfbVersion,
  parseStartReply,
  PLAUSIBLE_MAYBE,
  PLAUSIBLE_NO,
  PLAUSIBLE_YES,
  probeRedirMessage,
  type RedirFrame,
  sessionKindOfTag,
} from './parser.js';

/** Per-direction modes. */
const M_FRAME = 0; // framing messages
const M_RESYNC = 1; // looking for a plausible message start
const M_RFB = 2; // KVM: RFB handshake
const M_RAW = 3; // counting only (RFB after the handshake, or analysis stopped)
const M_ENDED = 4; // client sent EndRedirectionSession

const INITIAL_WINDOW = 256;

/** What the client's last AuthenticateSession was, to classify the reply. */
const P_NONE = 0;
const P_QUERY = 1;
const P_STEP1 = 2;
const P_FULL = 3; // digest response, userpass, Kerberos, other

/** RFB server-side states. */
const RS_VERSION = 0;
const RS_WAIT_CLIENT_VERSION = 1;
const RS_SEC33 = 2;
const RS_SECCOUNT = 3;
const RS_SECLIST = 4;
const RS_WAIT_CHOICE = 5;
const RS_CHALLENGE = 6;
const RS_SECRESULT = 7;
const RS_SERVERINIT = 8;
/** RFB client-side states. */
const RC_VERSION = 0;
const RC_CHOICE = 1;

class DirState {
  /** Each direction starts by seeking a plausible first message, so non-AMT bytes are never framed. */
  mode = M_RESYNC;
  win: Uint8Array = new Uint8Array(INITIAL_WINDOW);
  start = 0;
  len = 0;
  /** Payload bytes of the current data message still to come (consumed by count). */
  skip = 0;
  skipType = 0;
  msgs = 0;
  afterEndReported = false;
  /** The current resync episode has skipped bytes (and said so). */
  resyncReported = false;
  /**
   * Nothing consumed yet: the first message is accepted on its header's plausibility alone (no
   * look-ahead), so a real first message followed by a bad one is kept.
   */
  atStart = true;
}

export function createRedirAnalyzer(host: AnalyzerHost): Analyzer {
  return new RedirAnalyzer(host);
}

class RedirAnalyzer implements Analyzer {
  private readonly dirs: [DirState, DirState] = [new DirState(), new DirState()];
  private readonly frame: RedirFrame = newRedirFrame();
  private readonly ctx: FrameContext;
  private readonly cap: number;
  private readonly maxChars: number;
  private done = false;
  private firstTs: Micros | null = null;
  private partial = false;

  // record fields
  private sessionType: string | null = null;
  private startSeen = false;
  private startStatus: number | null = null;
  private amtVersion: string | null = null;
  private offered: string[] = [];
  private authType: string | null = null;
  private username: string | null = null;
  private realm: string | null = null;
  private nonce: string | null = null;
  private cnonce: string | null = null;
  private nc: string | null = null;
  private responseLen: number | null = null;
  private passwordCleartext = false;
  private authResult: string | null = null;
  private authAttempts = 0;
  private authFailures = 0;
  private sessionStarted = false;
  private solParams: string | null = null;
  private rfbVersion: string | null = null;
  private rfbName: string | null = null;
  private solIn = 0;
  private solOut = 0;

  private pending = P_NONE;

  // transcript
  private readonly extract: boolean;
  private tx: string[] = [];
  private txBytes = 0;
  private txLastDir = -1;
  private txFull = false;

  // RFB
  private rs = RS_VERSION;
  private rc = RC_VERSION;
  private serverVer = -1;
  private clientVer = -1;
  private rfbChoice = -1;
  private secListLeft = 0;

  constructor(private readonly host: AnalyzerHost) {
    const lim = host.limits;
    this.cap = Math.max(lim.maxRedirMessageBytes, 64);
    this.maxChars = Math.max(0, lim.maxFieldChars);
    this.ctx = { kind: KIND_UNKNOWN, maxMessageBytes: lim.maxRedirMessageBytes };
    this.extract = host.options.extract;
  }

  // ---------------------------------------------------------------- StreamConsumer

  data(dir: Direction, buf: Uint8Array, off: number, end: number, ts: Micros): void {
    if (this.done) return;
    if (end > buf.length) end = buf.length;
    if (off >= end) return;
    if (this.firstTs === null) this.firstTs = ts;
    const d = this.dirs[dir];
    while (off < end) {
      if (d.mode === M_RAW) return;
      if (d.mode === M_ENDED) {
        if (!d.afterEndReported) {
          d.afterEndReported = true;
          this.host.anomaly(A_REDIR_DATA_AFTER_END);
        }
        return;
      }
      if (d.skip > 0) {
        const n = Math.min(d.skip, end - off);
        this.payload(dir, d.skipType, buf, off, off + n);
        d.skip -= n;
        off += n;
        continue;
      }
      let free = d.win.length - d.start - d.len;
      if (free === 0 && d.start > 0) {
        this.compact(d);
        free = d.win.length - d.len;
      }
      if (free === 0) {
        if (d.win.length < this.cap) {
          this.grow(d, Math.min(this.cap, d.win.length * 2));
          free = d.win.length - d.len;
        } else {
          // The window is full and nothing could be consumed. Every message a direction frames fits
          // the window, so only an RFB side waiting for the other direction should get here; the
          // framing case is kept as a safety net (drop what is held, resync).
          this.partial = true;
          if (d.mode === M_RFB) {
            this.host.anomaly(A_REDIR_RFB_TOO_LONG);
            this.toRaw(d);
            return;
          }
          this.host.anomaly(A_REDIR_MESSAGE_TOO_LONG);
          d.start = 0;
          d.len = 0;
          d.mode = M_RESYNC;
          d.resyncReported = false;
          d.atStart = false;
          continue;
        }
      }
      const n = Math.min(free, end - off);
      d.win.set(buf.subarray(off, off + n), d.start + d.len);
      d.len += n;
      off += n;
      this.pump(dir);
    }
  }

  gap(dir: Direction, len: number, _ts: Micros): void {
    if (this.done || len <= 0) return;
    const d = this.dirs[dir];
    if (d.mode === M_RAW || d.mode === M_ENDED) return;
    this.partial = true;
    if (d.skip > 0) {
      if (len <= d.skip) {
        // inside a data payload: skip it by count, framing survives
        d.skip -= len;
        if (d.skipType === SOL_DATA_TO_HOST || d.skipType === SOL_DATA_FROM_HOST) this.transcriptText(`[gap ${len}]`);
        return;
      }
      d.skip = 0;
    }
    if (d.mode === M_RFB) {
      this.toRaw(d);
      return;
    }
    d.start = 0;
    d.len = 0;
    this.host.anomaly(A_REDIR_GAP_LOST_FRAMING);
    d.mode = M_RESYNC;
    d.resyncReported = false;
    d.atStart = false;
  }

  end(_ts: Micros): void {
    if (this.done) return;
    const r = this.dirs[1];
    if ((r.mode === M_FRAME || r.mode === M_RESYNC) && r.len >= 2 && r.win[r.start] === START_REDIRECTION_SESSION_REPLY && this.startStatus === null) {
      // a short StartRedirectionSessionReply (e.g. a failure status, then close): its status is here
      this.startStatus = r.win[r.start + 1] as number;
    }
    // A resync candidate waits for the byte after it; the end of the stream settles it.
    for (const i of [0, 1] as const) if (this.dirs[i].mode === M_RESYNC && this.dirs[i].len > 0) this.pump(i, true);
    this.done = true;
    for (let i = 0; i < 2; i++) {
      const d = this.dirs[i] as DirState;
      if (d.mode === M_RAW || d.mode === M_ENDED) continue;
      if (d.skip > 0 || (d.len > 0 && !(d.mode === M_RFB && this.rfbWaiting(i)))) {
        this.host.anomaly(A_REDIR_TRUNCATED);
        this.partial = true;
      }
    }
    this.host.emit(this.record());
  }

  // ---------------------------------------------------------------- window

  private compact(d: DirState): void {
    if (d.start === 0) return;
    d.win.copyWithin(0, d.start, d.start + d.len);
    d.start = 0;
  }

  private grow(d: DirState, size: number): void {
    const w = new Uint8Array(size);
    w.set(d.win.subarray(d.start, d.start + d.len));
    d.win = w;
    d.start = 0;
  }

  /** Makes room for `need` bytes from the window start. */
  private ensure(d: DirState, need: number): void {
    if (need <= d.win.length - d.start) return;
    if (need <= d.win.length) {
      this.compact(d);
      return;
    }
    this.grow(d, Math.min(this.cap, Math.max(need, d.win.length * 2)));
  }

  private consume(d: DirState, n: number): void {
    d.start += n;
    d.len -= n;
    if (d.len === 0) d.start = 0;
  }

  private toRaw(d: DirState): void {
    d.mode = M_RAW;
    d.start = 0;
    d.len = 0;
    d.skip = 0;
    if (d.win.length > INITIAL_WINDOW) d.win = new Uint8Array(0);
  }

  // ---------------------------------------------------------------- framing

  /** Frames what the window holds. `final`: the stream has ended (a resync candidate may end it). */
  private pump(dir: Direction, final = false): void {
    const d = this.dirs[dir];
    const f = this.frame;
    while (d.len > 0 && (d.mode === M_FRAME || d.mode === M_RESYNC)) {
      const b = d.win;
      const o = d.start;
      const e = o + d.len;
      if (d.mode === M_RESYNC) {
        let i = o;
        let v = PLAUSIBLE_NO;
        for (; i < e; i++) {
          v = probeRedirMessage(b, i, e, dir, this.ctx, f, final, !(d.atStart && i === o));
          if (v !== PLAUSIBLE_NO) break;
        }
        if (i > o) {
          d.atStart = false;
          if (!d.resyncReported) {
            d.resyncReported = true;
            this.host.anomaly(A_REDIR_RESYNC);
          }
          this.partial = true;
          this.consume(d, i - o);
        }
        if (v === PLAUSIBLE_YES) {
          d.mode = M_FRAME;
          d.resyncReported = false;
          continue;
        }
        if (v === PLAUSIBLE_MAYBE) this.ensure(d, f.need);
        return;
      }
      const r = frameRedirMessage(b, o, e, dir, this.ctx, f);
      if (r === FRAME_NEED_MORE) {
        this.ensure(d, f.need);
        return;
      }
      if (r < 0) {
        this.host.anomaly(-r);
        this.partial = true;
        d.mode = M_RESYNC;
        d.resyncReported = false;
        d.atStart = false;
        this.consume(d, 1);
        continue;
      }
      if (d.len < f.hdrLen) {
        this.ensure(d, f.hdrLen);
        return;
      }
      d.msgs++;
      d.atStart = false;
      this.onMessage(dir, b, o, o + f.hdrLen, f);
      this.consume(d, f.hdrLen);
      if (f.len > f.hdrLen) {
        d.skip = f.len - f.hdrLen;
        d.skipType = f.type;
        const n = Math.min(d.skip, d.len);
        if (n > 0) {
          this.payload(dir, f.type, d.win, d.start, d.start + n);
          this.consume(d, n);
          d.skip -= n;
        }
      }
    }
    if (d.mode === M_RFB) this.pumpRfb();
    else if (d.mode === M_ENDED && d.len > 0) {
      if (!d.afterEndReported) {
        d.afterEndReported = true;
        this.host.anomaly(A_REDIR_DATA_AFTER_END);
      }
      d.start = 0;
      d.len = 0;
    }
  }

  private payload(dir: Direction, type: number, buf: Uint8Array, off: number, end: number): void {
    if (type === SOL_DATA_TO_HOST) {
      this.solIn += end - off;
      this.transcript(dir, buf, off, end);
    } else if (type === SOL_DATA_FROM_HOST) {
      this.solOut += end - off;
      this.transcript(dir, buf, off, end);
    }
    // IDE-R 0x53/0x54 sector data: counted in the session's bytes only
  }

  // ---------------------------------------------------------------- messages

  private onMessage(dir: Direction, b: Uint8Array, o: number, e: number, f: RedirFrame): void {
    const t = f.type;
    if (this.ctx.kind === KIND_UNKNOWN && f.kind !== KIND_UNKNOWN) this.ctx.kind = f.kind; // inferred (no 0x10 seen)
    switch (t) {
      case START_REDIRECTION_SESSION:
        return this.onStart(b, o);
      case START_REDIRECTION_SESSION_REPLY: {
        const r = parseStartReply(b, o, e);
        if (r === null) return;
        this.startStatus = r.status;
        if (r.version !== null) {
          this.amtVersion = r.version;
          if (this.host.facts.firmware === null) this.host.facts.firmware = r.version;
        }
        return;
      }
      case END_REDIRECTION_SESSION:
        if (dir === 0) this.dirs[0].mode = M_ENDED;
        return;
      case AUTHENTICATE_SESSION:
        return this.onAuthRequest(b, o, e);
      case AUTHENTICATE_SESSION_REPLY:
        return this.onAuthReply(b, o, e);
      case START_SOL_REDIRECTION:
        this.solParams = formatSolParams(b, o, e);
        return;
      case START_SOL_REDIRECTION_REPLY:
        if (b[o + 1] === 0) this.sessionStarted = true;
        return;
      case START_IDER_REDIRECTION:
        if (f.kind === KIND_KVM) this.enterRfb(0);
        return;
      case START_IDER_REDIRECTION_REPLY:
        if (b[o + 1] === 0) {
          this.sessionStarted = true;
          if (f.kind === KIND_KVM) this.enterRfb(1);
        }
        return;
      default:
    }
  }

  private onStart(b: Uint8Array, o: number): void {
    if (this.startSeen) {
      this.host.anomaly(A_REDIR_DUPLICATE_START);
      return;
    }
    this.startSeen = true;
    const kind = sessionKindOfTag(b, o);
    if (kind === KIND_UNKNOWN) {
      this.host.anomaly(A_REDIR_UNKNOWN_SESSION_TAG);
      return;
    }
    this.ctx.kind = kind;
    const name = KIND_NAMES[kind] ?? null;
    this.sessionType = name;
    if (name !== null) this.host.facts.redirection = name;
  }

  private onAuthRequest(b: Uint8Array, o: number, e: number): void {
    const type = b[o + 4] as number;
    const req = parseAuthRequest(type, b, o + AUTHENTICATE_HEADER_LENGTH, e, this.maxChars);
    if (req.error) this.host.anomaly(req.error);
    if (req.cut) this.host.anomaly(A_REDIR_FIELD_TRUNCATED);
    if (type === AUTH_QUERY) {
      this.pending = P_QUERY;
      return;
    }
    this.authType = authTypeName(type);
    if (req.user !== null && req.user !== '') {
      this.username = req.user;
      this.host.facts.user = req.user;
    }
    if (type === AUTH_DIGEST || type === AUTH_DIGEST_RFC2069) {
      if (req.step1 && req.error !== A_REDIR_AUTH_STRING_OVERFLOW) {
        this.pending = P_STEP1;
        return;
      }
      if (req.realm) this.realm = req.realm;
      if (req.nonce) this.nonce = req.nonce;
      this.cnonce = req.cnonce;
      this.nc = req.nc;
      this.responseLen = req.responseLen;
    } else if (type === AUTH_USERPASS) {
      if (req.passwordLen > 0) this.passwordCleartext = true;
    } else if (type !== AUTH_KERBEROS) {
      this.host.anomaly(A_REDIR_UNKNOWN_AUTH_TYPE);
    }
    this.pending = P_FULL;
    this.authAttempts++;
    if (this.host.facts.auth === 'none') this.host.facts.auth = 'unknown';
  }

  private onAuthReply(b: Uint8Array, o: number, e: number): void {
    const status = b[o + 1] as number;
    const type = b[o + 4] as number;
    const p0 = o + AUTHENTICATE_HEADER_LENGTH;
    const pending = this.pending;
    this.pending = P_NONE;
    if (type === AUTH_QUERY) {
      if (status === AUTH_STATUS_SUCCESS) {
        for (const t of parseAuthTypeList(b, p0, e)) {
          const n = authTypeName(t);
          if (!this.offered.includes(n)) this.offered.push(n);
        }
      }
      return;
    }
    switch (status) {
      case AUTH_STATUS_SUCCESS:
        this.authResult = AUTH_RESULT_SUCCESS;
        this.host.facts.auth = 'success';
        return;
      case AUTH_STATUS_FAILURE: {
        if ((type === AUTH_DIGEST || type === AUTH_DIGEST_RFC2069) && pending !== P_FULL) {
          const c = parseAuthChallenge(b, p0, e, this.maxChars);
          if (pending === P_STEP1 || (c.nonce !== null && c.nonce !== '')) {
            if (c.error) this.host.anomaly(c.error);
            if (c.cut) this.host.anomaly(A_REDIR_FIELD_TRUNCATED);
            if (c.realm !== null) this.realm = c.realm;
            if (c.nonce !== null) this.nonce = c.nonce;
            return;
          }
        }
        this.authResult = AUTH_RESULT_FAILURE;
        this.authFailures++;
        this.host.facts.auth = 'failure';
        return;
      }
      case AUTH_STATUS_NOT_SUPPORTED:
        this.authResult = AUTH_RESULT_NOT_SUPPORTED;
        this.host.facts.auth = 'failure';
        return;
      default:
        this.host.anomaly(A_REDIR_UNKNOWN_AUTH_STATUS);
    }
  }

  // ---------------------------------------------------------------- transcript

  private transcript(dir: Direction, buf: Uint8Array, off: number, end: number): void {
    if (!this.extract || this.txFull) return;
    if (dir !== this.txLastDir) {
      this.txLastDir = dir;
      this.transcriptText((this.txBytes > 0 ? '\n' : '') + (dir === 0 ? TRANSCRIPT_INPUT_MARK : TRANSCRIPT_OUTPUT_MARK));
      if (this.txFull) return;
    }
    const room = this.host.limits.maxSolTranscriptBytes - this.txBytes;
    const s = latin1(buf, off, end, Math.max(0, room));
    this.tx.push(s.s);
    this.txBytes += s.s.length;
    if (s.cut) this.transcriptFull();
  }

  private transcriptText(s: string): void {
    if (!this.extract || this.txFull) return;
    const room = this.host.limits.maxSolTranscriptBytes - this.txBytes;
    if (s.length > room) {
      const part = s.slice(0, Math.max(0, room));
      this.tx.push(part);
      this.txBytes += part.length;
      this.transcriptFull();
      return;
    }
    this.tx.push(s);
    this.txBytes += s.length;
  }

  private transcriptFull(): void {
    this.txFull = true;
    this.partial = true;
    this.host.anomaly(A_REDIR_TRANSCRIPT_TRUNCATED);
  }

  // ---------------------------------------------------------------- RFB (KVM)

  private enterRfb(dir: Direction): void {
    this.dirs[dir].mode = M_RFB;
  }

  /** True when direction `i` sits in the RFB handshake waiting for the other direction. */
  private rfbWaiting(i: number): boolean {
    return i === 1 && (this.rs === RS_WAIT_CLIENT_VERSION || this.rs === RS_WAIT_CHOICE);
  }

  /** Runs both RFB sides until neither can progress (the server side depends on the client's). */
  private pumpRfb(): void {
    for (let guard = 0; guard < 64; guard++) {
      const a = this.dirs[0].mode === M_RFB && this.rfbClientStep();
      const b = this.dirs[1].mode === M_RFB && this.rfbServerStep();
      if (!a && !b) return;
    }
  }

  private rfbFail(d: DirState, anomaly: number): boolean {
    this.host.anomaly(anomaly);
    this.toRaw(d);
    return true;
  }

  private rfbClientStep(): boolean {
    const d = this.dirs[0];
    const b = d.win;
    const o = d.start;
    switch (this.rc) {
      case RC_VERSION: {
        if (d.len < RFB_VERSION_LENGTH) return false;
        const v = parseRfbVersion(b, o, o + d.len);
        if (v < 0) return this.rfbFail(d, A_REDIR_RFB_BAD_VERSION);
        this.clientVer = v;
        this.consume(d, RFB_VERSION_LENGTH);
        if (v < 3007) {
          this.toRaw(d); // RFB 3.3: the server picks the security type; nothing else needed here
          return true;
        }
        this.rc = RC_CHOICE;
        return true;
      }
      default: {
        if (d.len < 1) return false;
        this.rfbChoice = b[o] as number;
        this.toRaw(d);
        return true;
      }
    }
  }

  private rfbServerStep(): boolean {
    const d = this.dirs[1];
    const b = d.win;
    const o = d.start;
    switch (this.rs) {
      case RS_VERSION: {
        if (d.len < RFB_VERSION_LENGTH) return false;
        const v = parseRfbVersion(b, o, o + d.len);
        if (v < 0) return this.rfbFail(d, A_REDIR_RFB_BAD_VERSION);
        this.serverVer = v;
        this.rfbVersion = formatRfbVersion(v);
        this.consume(d, RFB_VERSION_LENGTH);
        this.rs = RS_WAIT_CLIENT_VERSION;
        return true;
      }
      case RS_WAIT_CLIENT_VERSION: {
        if (this.clientVer < 0) {
          if (this.dirs[0].mode !== M_RFB) return this.rfbStop(d); // the client side can no longer tell
          return false;
        }
        this.rs = Math.min(this.serverVer, this.clientVer) < 3007 ? RS_SEC33 : RS_SECCOUNT;
        return true;
      }
      case RS_SEC33: {
        if (d.len < 4) return false;
        const t = u32be(b, o);
        this.consume(d, 4);
        if (t === RFB_SECURITY_NONE) this.rs = RS_SERVERINIT;
        else if (t === RFB_SECURITY_VNC) this.rs = RS_CHALLENGE;
        else return this.rfbFail(d, t === 0 ? A_REDIR_RFB_HANDSHAKE_FAILED : A_REDIR_RFB_UNKNOWN_SECURITY);
        return true;
      }
      case RS_SECCOUNT: {
        if (d.len < 1) return false;
        const n = b[o] as number;
        this.consume(d, 1);
        if (n === 0) return this.rfbFail(d, A_REDIR_RFB_HANDSHAKE_FAILED);
        this.secListLeft = n;
        this.rs = RS_SECLIST;
        return true;
      }
      case RS_SECLIST: {
        if (d.len < this.secListLeft) return false;
        this.consume(d, this.secListLeft);
        this.rs = RS_WAIT_CHOICE;
        return true;
      }
      case RS_WAIT_CHOICE: {
        if (this.rfbChoice < 0) {
          if (this.dirs[0].mode !== M_RFB) return this.rfbStop(d);
          return false;
        }
        if (this.rfbChoice === RFB_SECURITY_NONE) {
          this.rs = Math.min(this.serverVer, this.clientVer) >= 3008 ? RS_SECRESULT : RS_SERVERINIT;
        } else if (this.rfbChoice === RFB_SECURITY_VNC) this.rs = RS_CHALLENGE;
        else return this.rfbFail(d, A_REDIR_RFB_UNKNOWN_SECURITY);
        return true;
      }
      case RS_CHALLENGE: {
        if (d.len < RFB_VNC_CHALLENGE_LENGTH) return false;
        this.consume(d, RFB_VNC_CHALLENGE_LENGTH);
        this.rs = RS_SECRESULT;
        return true;
      }
      case RS_SECRESULT: {
        if (d.len < 4) return false;
        const r = u32be(b, o);
        this.consume(d, 4);
        if (r !== 0) return this.rfbFail(d, A_REDIR_RFB_HANDSHAKE_FAILED);
        this.rs = RS_SERVERINIT;
        return true;
      }
      default: {
        // ServerInit: width, height, pixel format, name length, name. Only the first maxFieldChars
        // bytes of the name are needed (and buffered); the rest is counted.
        if (d.len < RFB_SERVER_INIT_LENGTH) {
          this.ensure(d, RFB_SERVER_INIT_LENGTH);
          return false;
        }
        const nl = u32be(b, o + 20);
        const keep = Math.min(nl, this.maxChars, this.cap - RFB_SERVER_INIT_LENGTH);
        if (d.len < RFB_SERVER_INIT_LENGTH + keep) {
          this.ensure(d, RFB_SERVER_INIT_LENGTH + keep);
          return false;
        }
        const s = latin1(b, o + RFB_SERVER_INIT_LENGTH, o + RFB_SERVER_INIT_LENGTH + keep, keep);
        this.rfbName = s.s;
        if (keep < nl) this.host.anomaly(A_REDIR_FIELD_TRUNCATED);
        this.toRaw(d);
        return true;
      }
    }
  }

  /** The server side needed the client side, which stopped (gap or bad version): stop too. */
  private rfbStop(d: DirState): boolean {
    this.toRaw(d);
    return true;
  }

  // ---------------------------------------------------------------- record

  private record(): AmtRedirRecord {
    const s = this.host.session;
    return {
      event_type: 'amt_redir',
      ts: this.firstTs ?? s.startTs,
      ...sessionIds(s),
      session_type: this.sessionType,
      start_status: this.startStatus,
      amt_version: this.amtVersion,
      auth_types_offered: this.offered.slice(),
      auth_type: this.authType,
      username: this.username,
      digest_realm: this.realm,
      digest_nonce: this.nonce,
      digest_cnonce: this.cnonce,
      digest_nc: this.nc,
      digest_response_len: this.responseLen,
      password_cleartext: this.passwordCleartext,
      auth_result: this.authResult,
      auth_attempts: this.authAttempts,
      auth_failures: this.authFailures,
      session_started: this.sessionStarted,
      sol_params: this.solParams,
      rfb_version: this.rfbVersion,
      rfb_desktop_name: this.rfbName,
      msgs_orig: this.dirs[0].msgs,
      msgs_resp: this.dirs[1].msgs,
      sol_input_bytes: this.solIn,
      sol_output_bytes: this.solOut,
      transcript: this.extract && this.tx.length > 0 ? this.tx.join('') : null,
      partial: this.partial,
    };
  }
}
