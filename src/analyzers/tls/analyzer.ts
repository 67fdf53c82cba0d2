/**
 * The TLS analyzer (16993 amt-https, 16995 amt-redir-tls, 664 later): per-direction record layer,
 * handshake reassembly into a bounded per-direction sink (Zeek's SSL grammar: every handshake
 * message bounded by its own length, unknown types skipped by length), then facts:
 * one TlsRecord per session plus host.facts.tlsVersion / tlsSni.
 *
 * Per direction:
 *   CLEAR      records are parsed: handshake messages reassembled across records (several per
 *              record, or one across many) into a buffer bounded by limits.maxTlsHandshakeBytes;
 *              only ClientHello, ServerHello and the server's Certificate are buffered, every
 *              other message is skipped by its length.
 *   ENCRYPTED  after the direction's ChangeCipherSpec and the first record behind it (TLS <= 1.2),
 *              after the server's TLS 1.3 ServerHello, or at the first application_data record:
 *              only record headers are read, to count records for `established`.
 *   STOPPED    a gap (unless it lies entirely inside one encrypted record's body, whose bytes
 *              are opaque anyway), a malformed record header, or the record was emitted.
 * A gap that stops a direction before `established` is decided sets `partial`; after it, nothing
 * the record reports can change, so it does not.
 *
 * `established` (both sides' Finished; we cannot read them, so):
 *   TLS <= 1.2: both directions sent ChangeCipherSpec and at least one record after it (the
 *               encrypted Finished);
 *   any version: the server sent an application_data record and the client sent one of at least
 *               TLS13_MIN_CLIENT_FINISHED_RECORD bytes (an encrypted TLS 1.3 alert is shorter).
 * `resumed`: TLS <= 1.2 when the server echoes the client's non-empty session id, or sends its
 * ChangeCipherSpec without a ServerHelloDone before it (abbreviated handshake, also for session
 * tickets); TLS 1.3 when the ServerHello carries pre_shared_key.
 *
 * The record is emitted once: as soon as `established` is decided (everything is known then), else
 * at end(). Never throws on bad input; memory per session is bounded by two handshake buffers.
 */
import type { Direction } from '../../core/flow.js';
import type { Micros } from '../../core/time.js';
import type { TlsRecord } from '../../records/index.js';
import { sessionIds, type Analyzer, type AnalyzerHost } from '../types.js';
import {
  A_TLS_CERTIFICATE_BAD_LENGTH,
  A_TLS_CLIENT_HELLO_SSLV2,
  A_TLS_FIELD_TRUNCATED,
  A_TLS_HANDSHAKE_INTERLEAVED,
  A_TLS_HANDSHAKE_TOO_LARGE,
  A_TLS_HANDSHAKE_TRUNCATED,
  A_TLS_HANDSHAKE_WRONG_DIRECTION,
  A_TLS_RECORD_BAD_LENGTH,
  A_TLS_RECORD_BAD_TYPE,
  A_TLS_RECORD_BAD_VERSION,
  A_TLS_RECORD_HEARTBEAT_CLEARTEXT,
  CT_ALERT,
  CT_APPLICATION_DATA,
  CT_CHANGE_CIPHER_SPEC,
  CT_HANDSHAKE,
  CT_HEARTBEAT,
  HANDSHAKE_HEADER_LEN,
  HS_CERTIFICATE,
  HS_CLIENT_HELLO,
  HS_SERVER_HELLO,
  HS_SERVER_HELLO_DONE,
  MAX_RECORD_LEN,
  RECORD_HEADER_LEN,
  SSL2_MT_CLIENT_HELLO,
  TLS13_MIN_CLIENT_FINISHED_RECORD,
  cipherName,
  isGrease,
  isTls13,
  versionName,
} from './constants.js';
import { deriveJa3, deriveJa3s, deriveJa4 } from './fingerprint.js';
import {
  parseCertificateList,
  parseClientHello,
  parseServerHello,
  parseSslv2ClientHello,
  type ClientHello,
  type ServerHello,
} from './parser.js';
import { parseX509, sha256Hex, type X509Info } from './x509.js';

const CLEAR = 0;
const ENCRYPTED = 1;
const STOPPED = 2;

/** Record "type" used internally for the SSLv2-compatible ClientHello's 2-byte-header record. */
const RT_SSLV2 = 0x100;

/** Handshake types worth buffering, per direction (everything else is skipped by length). */
function wanted(dir: Direction, type: number): boolean {
  return dir === 0 ? type === HS_CLIENT_HELLO : type === HS_SERVER_HELLO || type === HS_CERTIFICATE;
}

class DirState {
  mode = CLEAR;
  /** Record headers read so far (the SSLv2-compatible ClientHello can only be the first). */
  records = 0;
  // record layer
  readonly hdr = new Uint8Array(RECORD_HEADER_LEN);
  hdrLen = 0;
  recType = 0;
  recLen = 0;
  /** Body bytes of the current record still to come (0 with hdrLen < 5: reading a header). */
  recLeft = 0;
  /** The current record's body is only counted, not parsed. */
  recSkip = false;
  /** Deciding whether a handshake record after ChangeCipherSpec is cleartext (see recordBody). */
  peeking = false;
  readonly peekBuf = new Uint8Array(HANDSHAKE_HEADER_LEN);
  peekLen = 0;
  // handshake reassembly
  readonly hsHdr = new Uint8Array(HANDSHAKE_HEADER_LEN);
  hsHdrLen = 0;
  hsType = 0;
  hsLen = 0;
  hsBuf: Uint8Array | null = null;
  hsHave = 0;
  /** Bytes of the current handshake message still to skip (unwanted or over the limit). */
  hsSkip = 0;
  // what was seen
  ccs = false;
  afterCcs = 0;
  appData = 0;
  appDataLong = 0;
  serverHelloDone = false;
}

export function createTlsAnalyzer(host: AnalyzerHost): Analyzer {
  return new TlsAnalyzer(host);
}

class TlsAnalyzer implements Analyzer {
  private readonly d: [DirState, DirState] = [new DirState(), new DirState()];
  private readonly maxHs: number;
  private readonly maxChars: number;
  private emitted = false;
  private partial = false;
  private clientHello: ClientHello | null = null;
  private serverHello: ServerHello | null = null;
  private helloRetry: ServerHello | null = null;
  private cert: X509Info | null = null;
  private certSha256: string | null = null;
  private certChainLen = 0;
  private sawCertificate = false;
  private resumed = false;
  private established = false;
  private ja3: string | null = null;
  private ja4: string | null = null;

  constructor(private readonly host: AnalyzerHost) {
    this.maxHs = host.limits.maxTlsHandshakeBytes;
    this.maxChars = host.limits.maxFieldChars;
  }

  // ------------------------------------------------------------ StreamConsumer

  data(dir: Direction, buf: Uint8Array, off: number, end: number, _ts: Micros): void {
    if (this.emitted) return;
    const d = this.d[dir];
    if (d.mode === STOPPED) return;
    if (off < 0 || end > buf.length || off >= end) return;
    let p = off;
    while (p < end && d.mode !== STOPPED && !this.emitted) {
      if (d.recLeft === 0) {
        // record header (possibly split across calls)
        const n = Math.min(RECORD_HEADER_LEN - d.hdrLen, end - p);
        d.hdr.set(buf.subarray(p, p + n), d.hdrLen);
        d.hdrLen += n;
        p += n;
        if (d.hdrLen < RECORD_HEADER_LEN) break;
        d.hdrLen = 0;
        this.startRecord(dir, d);
        continue;
      }
      const n = Math.min(d.recLeft, end - p);
      if (!d.recSkip) this.recordBody(dir, d, buf, p, p + n);
      d.recLeft -= n;
      p += n;
      if (d.recLeft === 0) this.endRecord(dir, d);
    }
  }

  gap(dir: Direction, len: number, _ts: Micros): void {
    if (this.emitted) return;
    const d = this.d[dir];
    if (d.mode === STOPPED || len <= 0) return;
    // Entirely inside an encrypted record's body: nothing of interest was lost.
    if (d.mode === ENCRYPTED && d.hdrLen === 0 && d.recLeft >= len) {
      d.recLeft -= len;
      if (d.recLeft === 0) this.endRecord(dir, d);
      return;
    }
    this.stop(d, !this.established);
  }

  end(_ts: Micros): void {
    if (this.emitted) return;
    for (const d of this.d) {
      if (d.mode !== CLEAR) continue;
      // Cut inside a record or a handshake message before encryption: analysis incomplete.
      if (d.hdrLen > 0 || d.recLeft > 0 || d.hsHdrLen > 0 || d.hsSkip > 0) {
        this.host.anomaly(A_TLS_HANDSHAKE_TRUNCATED);
        this.partial = true;
      }
    }
    this.emit();
  }

  // ------------------------------------------------------------ record layer

  private startRecord(dir: Direction, d: DirState): void {
    const h = d.hdr;
    const b0 = h[0] as number;
    // SSLv2-compatible ClientHello: 2-byte header with the top bit set, msg_type 1, as the very
    // first bytes of the client direction (RFC 5246 E.2).
    const first = d.records++ === 0;
    if (dir === 0 && first && (b0 & 0x80) !== 0 && h[2] === SSL2_MT_CLIENT_HELLO) {
      const len = ((b0 & 0x7f) << 8) | (h[1] as number);
      if (len < 3) return this.bad(d, A_TLS_RECORD_BAD_LENGTH);
      this.host.anomaly(A_TLS_CLIENT_HELLO_SSLV2);
      d.recType = RT_SSLV2;
      d.recLen = len;
      d.recLeft = len - 3;
      if (len > this.maxHs) {
        this.host.anomaly(A_TLS_HANDSHAKE_TOO_LARGE);
        this.partial = true;
        d.recSkip = true;
      } else {
        // the message starts at h[2]: its first 3 bytes go to the handshake sink
        d.recSkip = false;
        this.hsBegin(d, SSL2_MT_CLIENT_HELLO, len);
        this.hsAppend(d, h, 2, 5);
      }
      if (d.recLeft === 0) this.endRecord(dir, d);
      return;
    }
    const type = b0;
    const len = ((h[3] as number) << 8) | (h[4] as number);
    if (type < CT_CHANGE_CIPHER_SPEC || type > CT_HEARTBEAT) return this.bad(d, A_TLS_RECORD_BAD_TYPE);
    if (h[1] !== 3) return this.bad(d, A_TLS_RECORD_BAD_VERSION);
    if (len > MAX_RECORD_LEN) return this.bad(d, A_TLS_RECORD_BAD_LENGTH);
    d.recType = type;
    d.recLen = len;
    d.recLeft = len;
    d.recSkip = true;
    d.peeking = false;
    if (type !== CT_HANDSHAKE && d.mode === CLEAR && (d.hsHdrLen > 0 || d.hsSkip > 0 || d.hsHave > 0)) {
      // RFC 8446 5.1: handshake messages must not be interleaved with other record types
      this.host.anomaly(A_TLS_HANDSHAKE_INTERLEAVED);
      this.partial = true;
      this.hsReset(d);
    }
    if (d.ccs && type !== CT_CHANGE_CIPHER_SPEC) d.afterCcs++;
    switch (type) {
      case CT_APPLICATION_DATA:
        if (d.mode === CLEAR) this.encrypt(d);
        d.appData++;
        if (len >= TLS13_MIN_CLIENT_FINISHED_RECORD) d.appDataLong++;
        break;
      case CT_HANDSHAKE:
        if (d.mode === CLEAR) {
          if (!d.ccs || this.tls13Known()) d.recSkip = false;
          else if (this.serverHello !== null) this.encrypt(d); // TLS <= 1.2: the encrypted Finished
          else {
            // Version not known yet (server side unseen): after a ChangeCipherSpec a cleartext
            // ClientHello can only follow a HelloRetryRequest; look at the first 4 bytes.
            d.recSkip = false;
            d.peeking = true;
            d.peekLen = 0;
          }
        }
        break;
      case CT_CHANGE_CIPHER_SPEC:
        if (d.mode === CLEAR && !this.tls13Known()) {
          d.ccs = true;
          if (dir === 1 && this.serverHello !== null && !d.serverHelloDone) this.resumed = true;
        }
        break;
      case CT_HEARTBEAT:
        if (d.mode === CLEAR) this.host.anomaly(A_TLS_RECORD_HEARTBEAT_CLEARTEXT);
        break;
      case CT_ALERT:
      default:
        break;
    }
    this.checkEstablished();
    if (d.recLeft === 0 && !this.emitted) this.endRecord(dir, d);
  }

  private recordBody(dir: Direction, d: DirState, buf: Uint8Array, off: number, end: number): void {
    if (d.peeking) {
      const n = Math.min(HANDSHAKE_HEADER_LEN - d.peekLen, end - off);
      d.peekBuf.set(buf.subarray(off, off + n), d.peekLen);
      d.peekLen += n;
      if (d.peekLen < HANDSHAKE_HEADER_LEN) return;
      d.peeking = false;
      const pb = d.peekBuf;
      const msgLen = ((pb[1] as number) << 16) | ((pb[2] as number) << 8) | (pb[3] as number);
      const plausible = pb[0] === (dir === 0 ? HS_CLIENT_HELLO : HS_SERVER_HELLO) && msgLen <= this.maxHs;
      if (!plausible) {
        this.encrypt(d);
        d.recSkip = true;
        return;
      }
      this.handshakeBytes(dir, d, pb, 0, HANDSHAKE_HEADER_LEN);
      off += n;
      if (off >= end || d.mode !== CLEAR) return;
    }
    if (d.recType === CT_HANDSHAKE) this.handshakeBytes(dir, d, buf, off, end);
    else if (d.recType === RT_SSLV2) this.hsAppend(d, buf, off, end);
  }

  private endRecord(dir: Direction, d: DirState): void {
    if (d.peeking) {
      // a handshake record after ChangeCipherSpec too short to hold a handshake header: encrypted
      d.peeking = false;
      this.encrypt(d);
    }
    if (d.recType === RT_SSLV2) {
      d.recType = 0;
      if (!d.recSkip && d.hsBuf !== null && d.hsHave === d.hsLen && dir === 0) {
        this.onClientHello(parseSslv2ClientHello(d.hsBuf, 0, d.hsLen));
      }
      this.hsReset(d);
    }
  }

  private encrypt(d: DirState): void {
    d.mode = ENCRYPTED;
    d.recSkip = true;
    d.peeking = false;
    this.hsReset(d);
    d.hsBuf = null;
  }

  private bad(d: DirState, anomaly: number): void {
    this.host.anomaly(anomaly);
    this.stop(d, true);
  }

  private stop(d: DirState, partial: boolean): void {
    if (partial) this.partial = true;
    d.mode = STOPPED;
    d.recLeft = 0;
    d.hdrLen = 0;
    this.hsReset(d);
    d.hsBuf = null;
  }

  private tls13Known(): boolean {
    const v = this.serverHello?.selectedVersion ?? this.helloRetry?.selectedVersion ?? null;
    return v !== null && isTls13(v);
  }

  // ------------------------------------------------------------ handshake reassembly

  private hsReset(d: DirState): void {
    d.hsHdrLen = 0;
    d.hsHave = 0;
    d.hsLen = 0;
    d.hsSkip = 0;
  }

  /** Starts buffering a message of `len` bytes (the caller checked it is <= maxHs). */
  private hsBegin(d: DirState, type: number, len: number): void {
    d.hsType = type;
    d.hsLen = len;
    d.hsHave = 0;
  }

  /** Appends to the handshake sink, growing it as bytes arrive (never past hsLen <= maxHs). */
  private hsAppend(d: DirState, buf: Uint8Array, off: number, end: number): void {
    const n = end - off;
    const need = d.hsHave + n;
    let b = d.hsBuf;
    if (b === null || b.length < need) {
      const cap = Math.min(d.hsLen, Math.max(need, (b?.length ?? 0) * 2, 512));
      const nb = new Uint8Array(cap);
      if (b !== null && d.hsHave > 0) nb.set(b.subarray(0, d.hsHave));
      d.hsBuf = b = nb;
    }
    b.set(buf.subarray(off, end), d.hsHave);
    d.hsHave = need;
  }

  /**
   * Feeds handshake-record bytes: reads 4-byte message headers (which may straddle records),
   * skips unwanted or oversized messages by length, parses wanted ones in place when the whole
   * message is in this chunk, else buffers them (bounded by maxHs) until complete.
   */
  private handshakeBytes(dir: Direction, d: DirState, buf: Uint8Array, off: number, end: number): void {
    let p = off;
    while (p < end && d.mode === CLEAR && !this.emitted) {
      if (d.hsSkip > 0) {
        const n = Math.min(d.hsSkip, end - p);
        d.hsSkip -= n;
        p += n;
        continue;
      }
      if (d.hsHdrLen < HANDSHAKE_HEADER_LEN) {
        const n = Math.min(HANDSHAKE_HEADER_LEN - d.hsHdrLen, end - p);
        d.hsHdr.set(buf.subarray(p, p + n), d.hsHdrLen);
        d.hsHdrLen += n;
        p += n;
        if (d.hsHdrLen < HANDSHAKE_HEADER_LEN) return;
        const type = d.hsHdr[0] as number;
        const len = ((d.hsHdr[1] as number) << 16) | ((d.hsHdr[2] as number) << 8) | (d.hsHdr[3] as number);
        if (len > this.maxHs) {
          this.host.anomaly(A_TLS_HANDSHAKE_TOO_LARGE);
          this.partial = true;
          d.hsHdrLen = 0;
          d.hsSkip = len;
          continue;
        }
        this.noteMessage(dir, d, type);
        if (!wanted(dir, type)) {
          d.hsHdrLen = 0;
          d.hsSkip = len;
          continue;
        }
        if (end - p >= len) {
          // zero-copy: the whole message is in this chunk
          d.hsHdrLen = 0;
          this.message(dir, d, type, buf, p, p + len);
          p += len;
          continue;
        }
        this.hsBegin(d, type, len); // hsHdrLen stays 4: reading the body
      }
      const n = Math.min(d.hsLen - d.hsHave, end - p);
      this.hsAppend(d, buf, p, p + n);
      p += n;
      if (d.hsHave === d.hsLen) {
        const b = d.hsBuf as Uint8Array;
        const type = d.hsType;
        const len = d.hsLen;
        this.hsReset(d);
        this.message(dir, d, type, b, 0, len);
      }
    }
  }

  /** Messages we note without buffering (wrong direction, ServerHelloDone). */
  private noteMessage(dir: Direction, d: DirState, type: number): void {
    if ((dir === 1 && type === HS_CLIENT_HELLO) || (dir === 0 && type === HS_SERVER_HELLO)) {
      this.host.anomaly(A_TLS_HANDSHAKE_WRONG_DIRECTION);
    }
    if (dir === 1 && type === HS_SERVER_HELLO_DONE) d.serverHelloDone = true;
  }

  private message(dir: Direction, d: DirState, type: number, buf: Uint8Array, off: number, end: number): void {
    if (dir === 0 && type === HS_CLIENT_HELLO) {
      // the first ClientHello fingerprints the client; a second one follows a HelloRetryRequest
      if (this.clientHello === null) this.onClientHello(parseClientHello(buf, off, end));
      return;
    }
    if (dir === 1 && type === HS_SERVER_HELLO) {
      this.onServerHello(d, parseServerHello(buf, off, end));
      return;
    }
    if (dir === 1 && type === HS_CERTIFICATE && !this.sawCertificate && !this.tls13Known()) {
      this.sawCertificate = true;
      this.onCertificate(buf, off, end);
    }
  }

  // ------------------------------------------------------------ facts

  private onClientHello(r: ClientHello | number): void {
    if (typeof r === 'number') {
      this.host.anomaly(-r);
      return;
    }
    for (const a of r.anomalies) this.host.anomaly(a);
    this.clientHello = r;
    if (!r.sslv2) {
      this.ja3 = deriveJa3(r);
      this.ja4 = deriveJa4(r);
    }
    if (r.sni !== null) this.host.facts.tlsSni = this.cut(r.sni);
  }

  private onServerHello(d: DirState, r: ServerHello | number): void {
    if (typeof r === 'number') {
      this.host.anomaly(-r);
      return;
    }
    for (const a of r.anomalies) this.host.anomaly(a);
    if (r.helloRetry) {
      if (this.helloRetry === null) this.helloRetry = r;
      if (this.serverHello === null) this.host.facts.tlsVersion = versionName(r.selectedVersion ?? r.version);
      return;
    }
    if (this.serverHello !== null) return;
    this.serverHello = r;
    const v = r.selectedVersion ?? r.version;
    this.host.facts.tlsVersion = versionName(v);
    if (isTls13(v)) {
      if (r.psk) this.resumed = true;
      this.encrypt(d); // everything after the TLS 1.3 ServerHello is encrypted
      return;
    }
    const ch = this.clientHello;
    if (ch !== null && ch.sessionId.length > 0 && sameBytes(ch.sessionId, r.sessionId)) this.resumed = true;
  }

  private onCertificate(buf: Uint8Array, off: number, end: number): void {
    const list = parseCertificateList(buf, off, end);
    if (typeof list === 'number') {
      this.host.anomaly(-list);
      return;
    }
    this.certChainLen = list.length / 2;
    if (list.length < 2) return;
    const s = list[0] as number;
    const e = list[1] as number;
    const x = parseX509(buf, s, e);
    if (typeof x === 'number') {
      this.host.anomaly(-x);
      return;
    }
    for (const a of x.anomalies) this.host.anomaly(a);
    if (x.derEnd !== e) this.host.anomaly(A_TLS_CERTIFICATE_BAD_LENGTH); // bytes after the DER
    this.cert = x;
    this.certSha256 = sha256Hex(buf, x.derStart, x.derEnd);
  }

  private checkEstablished(): void {
    if (this.established) return;
    const c = this.d[0];
    const s = this.d[1];
    const tls12 = this.serverHello !== null && !this.tls13Known();
    const byFinished = tls12 && c.ccs && s.ccs && c.afterCcs > 0 && s.afterCcs > 0;
    const byAppData = s.appData > 0 && c.appDataLong > 0;
    if (byFinished || byAppData) {
      this.established = true;
      this.emit();
    }
  }

  // ------------------------------------------------------------ output

  private cut(s: string): string {
    if (s.length <= this.maxChars) return s;
    this.host.anomaly(A_TLS_FIELD_TRUNCATED);
    return s.slice(0, this.maxChars);
  }

  private cutOrNull(s: string | null): string | null {
    return s === null ? null : this.cut(s);
  }

  private alpnList(names: readonly string[]): string[] {
    const out: string[] = [];
    let budget = this.maxChars;
    for (const n of names) {
      if (n.length > budget) {
        this.host.anomaly(A_TLS_FIELD_TRUNCATED);
        break;
      }
      out.push(n);
      budget -= n.length;
    }
    return out;
  }

  private emit(): void {
    if (this.emitted) return;
    this.emitted = true;
    const sref = this.host.session;
    const ch = this.clientHello;
    const sh = this.serverHello ?? this.helloRetry;
    let clientVersion: number | null = null;
    if (ch !== null) {
      let best = -1;
      for (const v of ch.supportedVersions) if (!isGrease(v) && v > best) best = v;
      clientVersion = best >= 0 ? best : ch.version;
    }
    const cert = this.cert;
    const rec: TlsRecord = {
      event_type: 'tls',
      ts: sref.startTs,
      ...sessionIds(sref),
      version: sh === null ? null : versionName(sh.selectedVersion ?? sh.version),
      client_version: clientVersion === null ? null : versionName(clientVersion),
      cipher: sh === null ? null : cipherName(sh.cipher),
      server_name: this.cutOrNull(ch?.sni ?? null),
      alpn: ch === null ? [] : this.alpnList(ch.alpn),
      alpn_selected: this.cutOrNull(this.serverHello?.alpn ?? null),
      established: this.established,
      resumed: this.resumed,
      ja3: this.ja3,
      ja4: this.ja4,
      ja3s: this.serverHello !== null ? deriveJa3s(this.serverHello) : this.helloRetry !== null ? deriveJa3s(this.helloRetry) : null,
      cert_subject: cert === null ? null : this.cut(cert.subject),
      cert_issuer: cert === null ? null : this.cut(cert.issuer),
      cert_not_before: cert?.notBefore ?? null,
      cert_not_after: cert?.notAfter ?? null,
      cert_serial: cert === null ? null : this.cut(cert.serial),
      cert_sha256: this.certSha256,
      cert_chain_len: this.certChainLen,
      partial: this.partial,
    };
    // nothing more is needed from either direction
    for (const d of this.d) {
      d.hsBuf = null;
      d.mode = STOPPED;
    }
    this.host.emit(rec);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
