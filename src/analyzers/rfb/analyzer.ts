/**
 * Plain RFB (VNC) analyzer for TCP 5900 (--extended-ports). VNC on 5900 is common and usually not
 * AMT; the Intel AMT KVM server (reachable on 5900 when Is5900PortEnabled is set, RFB password
 * auth, never TLS) names its desktop `Intel(r) AMT KVM` in the ServerInit. This analyzer follows the
 * handshake far enough to read that name:
 *   client: ProtocolVersion, then (3.7+) the chosen security type;
 *   server: ProtocolVersion, the security type (3.3) or list (3.7+), the VNC-auth challenge and the
 *           SecurityResult, then the ServerInit (size, pixel format, desktop name).
 * Security types other than None (1) and VNC auth (2) (VeNCrypt, TLS, Tight, ...) cannot be followed
 * and end the analysis without a name: such a server is not the AMT KVM server, which offers only those
 * two. The server side needs the client's version and choice, so its bytes wait in a small window
 * (bounded: 64 bytes, or 24 + maxFieldChars for the ServerInit) until the client's arrive.
 *
 * When the name is exactly `Intel(r) AMT KVM` the analyzer sets the session facts (redirection KVM,
 * auth) and calls host.amtIdentified(ts) at once, so app/ can make the session an AMT session and
 * raise its notices then; at end() it emits one amt_redir record (session_type KVM, auth_type
 * rfb_vnc/rfb_none, rfb_version, rfb_desktop_name). Any other session emits nothing: it is not an
 * AMT session. A gap in the handshake stops the direction (partial).
 */
import { u32be } from '../../core/bytes.js';
import type { Direction } from '../../core/flow.js';
import type { Micros } from '../../core/time.js';
import type { AmtRedirRecord } from '../../records/index.js';
import { RFB_SECURITY_NONE, RFB_SECURITY_VNC, RFB_VERSION_LENGTH, RFB_VNC_CHALLENGE_LENGTH } from '../amt-redir/constants.js';
import { sessionIds, type Analyzer, type AnalyzerHost } from '../types.js';
import { A_RFB_BAD_VERSION, A_RFB_NAME_TRUNCATED, A_RFB_TOO_LONG, AMT_KVM_DESKTOP_NAME, rfbSecurityName } from './constants.js';
import { formatRfbVersion, parseRfbVersion, parseServerInitName } from './parser.js';

/** Server-side steps. */
const S_VERSION = 0;
const S_WAIT_CLIENT_VERSION = 1;
const S_SEC33 = 2;
const S_SECCOUNT = 3;
const S_SECLIST = 4;
const S_WAIT_CHOICE = 5;
const S_CHALLENGE = 6;
const S_SECRESULT = 7;
const S_SERVERINIT = 8;
const S_DONE = 9;
/** Client-side steps. */
const C_VERSION = 0;
const C_CHOICE = 1;
const C_DONE = 2;

const MIN_WINDOW = 64;

class Side {
  win: Uint8Array;
  len = 0;
  constructor(cap: number) {
    this.win = new Uint8Array(cap);
  }
}

export function createRfbAnalyzer(host: AnalyzerHost): Analyzer {
  return new RfbAnalyzer(host);
}

class RfbAnalyzer implements Analyzer {
  private readonly sides: [Side, Side];
  private readonly maxChars: number;
  private cs = C_VERSION;
  private ss = S_VERSION;
  private clientVer = -1;
  private serverVer = -1;
  private choice = -1;
  private secLeft = 0;
  private offered: string[] = [];
  private authResult: string | null = null;
  private authAttempts = 0;
  private authFailures = 0;
  private name: string | null = null;
  private identified = false;
  private partial = false;
  private firstTs: Micros | null = null;
  private done = false;

  constructor(private readonly host: AnalyzerHost) {
    this.maxChars = Math.max(0, host.limits.maxFieldChars);
    const cap = Math.max(MIN_WINDOW, 24 + this.maxChars);
    this.sides = [new Side(MIN_WINDOW), new Side(cap)];
  }

  data(dir: Direction, buf: Uint8Array, off: number, end: number, ts: Micros): void {
    if (this.done) return;
    if (end > buf.length) end = buf.length;
    if (off >= end) return;
    if (this.firstTs === null) this.firstTs = ts;
    const sd = this.sides[dir];
    while (off < end && !this.stopped(dir)) {
      const free = sd.win.length - sd.len;
      if (free === 0) {
        // a full window that nothing could consume: this side waits for a field it cannot hold
        this.host.anomaly(A_RFB_TOO_LONG);
        this.stop(dir);
        return;
      }
      const n = Math.min(free, end - off);
      sd.win.set(buf.subarray(off, off + n), sd.len);
      sd.len += n;
      off += n;
      this.pump(ts);
    }
  }

  gap(dir: Direction, len: number, _ts: Micros): void {
    if (this.done || len <= 0 || this.stopped(dir)) return;
    this.partial = true;
    this.stop(dir);
    this.pump(_ts);
  }

  end(_ts: Micros): void {
    if (this.done) return;
    this.done = true;
    if (!this.identified) return; // not the AMT KVM server: no AMT record
    this.host.emit(this.record());
  }

  // ---------------------------------------------------------------- steps

  private stopped(dir: Direction): boolean {
    return dir === 0 ? this.cs === C_DONE : this.ss === S_DONE;
  }

  private stop(dir: Direction): void {
    const sd = this.sides[dir];
    sd.len = 0;
    if (dir === 0) this.cs = C_DONE;
    else this.ss = S_DONE;
  }

  private consume(dir: Direction, n: number): void {
    const sd = this.sides[dir];
    sd.win.copyWithin(0, n, sd.len);
    sd.len -= n;
  }

  /** Runs both sides until neither can progress (the server side depends on the client's). */
  private pump(ts: Micros): void {
    for (let guard = 0; guard < 64; guard++) {
      const a = this.clientStep();
      const b = this.serverStep(ts);
      if (!a && !b) return;
    }
  }

  private clientStep(): boolean {
    const sd = this.sides[0];
    switch (this.cs) {
      case C_VERSION: {
        if (sd.len < RFB_VERSION_LENGTH) return false;
        const v = parseRfbVersion(sd.win, 0, sd.len);
        if (v < 0) {
          this.host.anomaly(A_RFB_BAD_VERSION);
          this.stop(0);
          return true;
        }
        this.clientVer = v;
        this.consume(0, RFB_VERSION_LENGTH);
        this.cs = v < 3007 ? C_DONE : C_CHOICE; // RFB 3.3: the server picks the security type
        if (this.cs === C_DONE) sd.len = 0;
        return true;
      }
      case C_CHOICE: {
        if (sd.len < 1) return false;
        this.choice = sd.win[0] as number;
        this.stop(0); // the rest (VNC-auth response, ClientInit, messages) is not needed
        return true;
      }
      default:
        return false;
    }
  }

  /** The negotiated version: the lower of the two (a server's 4.0 or Apple's 3.889 act as 3.8). */
  private get ver(): number {
    return Math.min(this.serverVer, this.clientVer);
  }

  private serverStep(ts: Micros): boolean {
    const sd = this.sides[1];
    const b = sd.win;
    switch (this.ss) {
      case S_VERSION: {
        if (sd.len < RFB_VERSION_LENGTH) return false;
        const v = parseRfbVersion(b, 0, sd.len);
        if (v < 0) {
          this.host.anomaly(A_RFB_BAD_VERSION);
          this.stop(1);
          return true;
        }
        this.serverVer = v;
        this.consume(1, RFB_VERSION_LENGTH);
        this.ss = S_WAIT_CLIENT_VERSION;
        return true;
      }
      case S_WAIT_CLIENT_VERSION:
        if (this.clientVer < 0) {
          if (this.cs === C_DONE) return this.giveUp(); // the client side can no longer tell
          return false;
        }
        this.ss = this.ver < 3007 ? S_SEC33 : S_SECCOUNT;
        return true;
      case S_SEC33: {
        if (sd.len < 4) return false;
        const t = u32be(b, 0);
        this.consume(1, 4);
        if (t !== 0) this.offered = [rfbSecurityName(t)];
        return this.chosen(t);
      }
      case S_SECCOUNT: {
        if (sd.len < 1) return false;
        const n = b[0] as number;
        this.consume(1, 1);
        if (n === 0) return this.chosen(0); // connection failed (a reason string follows)
        this.secLeft = n;
        this.ss = S_SECLIST;
        return true;
      }
      case S_SECLIST: {
        if (sd.len < this.secLeft) return false;
        for (let i = 0; i < this.secLeft; i++) {
          const name = rfbSecurityName(b[i] as number);
          if (!this.offered.includes(name)) this.offered.push(name);
        }
        this.consume(1, this.secLeft);
        this.ss = S_WAIT_CHOICE;
        return true;
      }
      case S_WAIT_CHOICE:
        if (this.choice < 0) {
          if (this.cs === C_DONE) return this.giveUp();
          return false;
        }
        return this.chosen(this.choice);
      case S_CHALLENGE:
        if (sd.len < RFB_VNC_CHALLENGE_LENGTH) return false;
        this.consume(1, RFB_VNC_CHALLENGE_LENGTH);
        this.authAttempts++;
        this.ss = S_SECRESULT;
        return true;
      case S_SECRESULT: {
        if (sd.len < 4) return false;
        const r = u32be(b, 0);
        this.consume(1, 4);
        if (r !== 0) {
          this.authResult = 'failure';
          if (this.choice === RFB_SECURITY_VNC || this.ver < 3007) this.authFailures++;
          this.stop(1);
          return true;
        }
        if (this.authAttempts > 0) this.authResult = 'success';
        this.ss = S_SERVERINIT;
        return true;
      }
      case S_SERVERINIT: {
        const si = parseServerInitName(b, 0, sd.len, this.maxChars);
        if (si === null || si.name === null) return false;
        this.name = si.name;
        if (si.cut) this.host.anomaly(A_RFB_NAME_TRUNCATED);
        this.stop(1); // the framebuffer updates that follow are not needed
        if (this.name === AMT_KVM_DESKTOP_NAME && !si.cut) this.identify(ts);
        return true;
      }
      default:
        return false;
    }
  }

  /** The security type in force (3.3: the server's; 3.7+: the client's choice); 0 = failed. */
  private chosen(t: number): boolean {
    if (t === 0) {
      this.stop(1);
      return true;
    }
    this.choice = t; // 3.3: the server picked it
    if (t === RFB_SECURITY_VNC) this.ss = S_CHALLENGE;
    else if (t === RFB_SECURITY_NONE) this.ss = this.ver >= 3008 ? S_SECRESULT : S_SERVERINIT;
    else this.stop(1); // a type this analyzer cannot follow (and the AMT KVM server never offers)
    return true;
  }

  private giveUp(): boolean {
    this.partial = true;
    this.stop(1);
    return true;
  }

  private identify(ts: Micros): void {
    this.identified = true;
    const f = this.host.facts;
    f.redirection = 'KVM';
    f.auth = this.authResult === 'success' ? 'success' : 'none';
    this.host.amtIdentified?.(ts);
  }

  private record(): AmtRedirRecord {
    const s = this.host.session;
    return {
      event_type: 'amt_redir',
      ts: this.firstTs ?? s.startTs,
      ...sessionIds(s),
      session_type: 'KVM',
      start_status: null,
      amt_version: null,
      auth_types_offered: this.offered.slice(),
      auth_type: this.choice > 0 ? rfbSecurityName(this.choice) : null,
      username: null,
      digest_realm: null,
      digest_nonce: null,
      digest_cnonce: null,
      digest_nc: null,
      digest_response_len: null,
      password_cleartext: false,
      auth_result: this.authResult,
      auth_attempts: this.authAttempts,
      auth_failures: this.authFailures,
      session_started: true,
      sol_params: null,
      rfb_version: this.serverVer >= 0 ? formatRfbVersion(this.serverVer) : null,
      rfb_desktop_name: this.name,
      msgs_orig: 0,
      msgs_resp: 0,
      sol_input_bytes: 0,
      sol_output_bytes: 0,
      transcript: null,
      partial: this.partial,
    };
  }
}
