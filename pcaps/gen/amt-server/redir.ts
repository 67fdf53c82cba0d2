// AMT redirection protocol (TCP 16994/16995, also carried by the /ws-redirection WebSocket):
// session manager 0x10-0x14, SOL 0x20-0x2B, IDE-R 0x40-0x54, KVM 0x40/0x41 + RFB.
// Framing is by message type with per-type lengths (amt-protocol.md section 4).
import { md5hex, makeNonce } from './digest.js';

export interface RedirConfig {
  user: string;
  password: string;
  realm: string;
  firmware: string;
  hostname: string;
  allowUserpass: boolean;
  /** SOL heartbeat period in ms; 0 = use the interval the client asked for in 0x20 */
  heartbeatMs: number;
}

export interface RedirTransport {
  write(buf: Buffer): void;
  close(): void;
  log(msg: string): void;
}

type Phase = 'start' | 'auth' | 'authed' | 'sol' | 'ider' | 'kvm-rfb' | 'closing' | 'closed';

const TAGS: Record<string, string> = { 'SOL ': 'SOL', IDER: 'IDER', KVMR: 'KVM' };
const AUTH_NAMES: Record<number, string> = { 0: 'query', 1: 'userpass', 2: 'kerberos', 3: 'digest-rfc2069', 4: 'digest' };

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function lpStrings(data: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < data.length) {
    const n = data[i]!;
    out.push(data.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  return out;
}

function lp(...items: string[]): Buffer {
  return Buffer.concat(items.map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s, 'latin1')]), Buffer.from(s, 'latin1')])));
}

/** ISO-ish CD-ROM READ sequence the stand-in "BIOS" issues during an IDE-R session. */
const IDER_SCRIPT: { name: string; cdb: number[] }[] = [
  { name: 'TEST UNIT READY', cdb: [0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
  { name: 'READ CAPACITY', cdb: [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
  { name: 'READ(10) LBA 16', cdb: [0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0] },
  { name: 'READ(10) LBA 17', cdb: [0x28, 0, 0, 0, 0, 17, 0, 0, 1, 0, 0, 0] },
];

export class RedirSession {
  private buf: Buffer = Buffer.alloc(0);
  private phase: Phase = 'start';
  private type = '';
  private user = '';
  private nonce = '';
  private failures = 0;
  private seq = 0;
  private queue: Buffer[] = [];
  private flushing = false;
  private timers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  // SOL console
  private consoleState: 'login' | 'password' | 'shell' = 'login';
  private line = '';
  private solUser = '';
  // IDE-R
  private iderStep = -1;
  // RFB
  private rfbState: 'version' | 'security' | 'init' | 'normal' = 'version';
  private bpp = 16;
  private keys: string[] = [];

  constructor(
    private readonly cfg: RedirConfig,
    private readonly t: RedirTransport,
    /** min gap between server writes: amtterm 1.4 drops whatever follows some replies in the same read */
    private readonly gapMs = 25,
  ) {}

  private fwMajorMinor(): [number, number] {
    const p = this.cfg.firmware.split('.').map((x) => parseInt(x, 10));
    return [p[0] ?? 0, p[1] ?? 0];
  }

  private later(ms: number, fn: () => void): void {
    const h = setTimeout(() => {
      this.timers.delete(h);
      if (this.phase !== 'closed') fn();
    }, ms);
    this.timers.add(h);
  }

  private send(b: Buffer): void {
    if (this.phase === 'closed') return;
    this.queue.push(b);
    if (!this.flushing) this.flush();
  }

  private flush(): void {
    const next = this.queue.shift();
    if (!next || this.phase === 'closed') {
      this.flushing = false;
      return;
    }
    this.flushing = true;
    this.t.write(next);
    if (this.gapMs > 0) this.later(this.gapMs, () => this.flush());
    else this.flush();
  }

  private closeAfterFlush(): void {
    this.phase = 'closing';
    const wait = (): void => {
      if (this.queue.length === 0 && !this.flushing) this.end();
      else this.later(this.gapMs + 5, wait);
    };
    this.later(this.gapMs + 5, wait);
  }

  end(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.t.close();
  }

  /** Bytes from the client. */
  feed(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if ((this.phase as Phase) === 'closed') return; // handle() may have ended the session
      if (this.phase === 'kvm-rfb') {
        if (!this.rfbStep()) return;
        continue;
      }
      if (this.buf.length < 1) return;
      const len = this.msgLen();
      if (len === -1) {
        this.t.log(`redir: unknown message type 0x${this.buf[0]!.toString(16).padStart(2, '0')}, closing`);
        this.end();
        return;
      }
      if (len === null || this.buf.length < len) return;
      const msg = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      this.handle(msg);
    }
  }

  /** Length of the message at the head of the buffer, null = need more bytes, -1 = unknown type. */
  private msgLen(): number | null {
    const b = this.buf;
    const t = b[0]!;
    switch (t) {
      case 0x10: return 8;
      case 0x12: return 4;
      case 0x13: return b.length < 9 ? null : 9 + b.readUInt32LE(5);
      case 0x20: return 24;
      case 0x22: case 0x24: case 0x25: case 0x2b: return 8;
      case 0x27: return 14;
      case 0x28: return b.length < 10 ? null : 10 + b.readUInt16LE(8);
      case 0x40: return this.type === 'KVMR' ? 8 : 18;
      case 0x42: case 0x44: case 0x45: case 0x47: case 0x4b: return 8;
      case 0x48: return 13;
      case 0x51: case 0x52: return 31;
      case 0x54: return b.length < 11 ? null : 34 + b.readUInt16LE(9);
      default: return -1;
    }
  }

  private handle(m: Buffer): void {
    const t = m[0]!;
    switch (t) {
      case 0x10: return this.onStart(m);
      case 0x12:
        this.t.log(`redir ${TAGS[this.type] ?? '?'}: EndRedirectionSession (0x12), closing`);
        this.end();
        return;
      case 0x13: return this.onAuth(m);
    }
    if (this.phase !== 'authed' && this.phase !== 'sol' && this.phase !== 'ider') {
      this.t.log(`redir: message 0x${t.toString(16)} before authentication, closing`);
      this.end();
      return;
    }
    switch (t) {
      case 0x20: return this.onSolStart(m);
      case 0x22:
        this.t.log('redir SOL: EndSOL (0x22) -> 0x23');
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        this.phase = 'authed';
        this.send(Buffer.concat([Buffer.from([0x23, 0, 0, 0]), u32le(this.seq++)]));
        return;
      case 0x24:
        this.send(Buffer.concat([Buffer.from([0x25, 0, 0, 0]), m.subarray(4, 8)]));
        return;
      case 0x25: case 0x2b: case 0x27: case 0x4b: case 0x45: case 0x47:
        return; // heartbeat echoes, pongs and 0x27 need no answer
      case 0x28: return this.onSolData(m);
      case 0x40: return this.type === 'KVMR' ? this.onKvmStart() : this.onIderStart(m);
      case 0x42:
        this.t.log('redir IDER: close (0x42) -> 0x43');
        this.phase = 'authed';
        this.send(Buffer.concat([Buffer.from([0x43, 0, 0, 0]), u32le(this.seq++)]));
        return;
      case 0x44:
        this.send(Buffer.concat([Buffer.from([0x45, 0, 0, 0]), m.subarray(4, 8)]));
        return;
      case 0x48: return this.onIderFeatures(m);
      case 0x51: case 0x54: return this.onIderResponse(m);
      case 0x52: return;
      default:
        this.t.log(`redir: unexpected 0x${t.toString(16)}, closing`);
        this.end();
    }
  }

  private onStart(m: Buffer): void {
    if (this.phase !== 'start') {
      this.t.log('redir: second StartRedirectionSession, closing');
      this.end();
      return;
    }
    const tag = m.subarray(4, 8).toString('latin1');
    const [maj, min] = this.fwMajorMinor();
    if (!(tag in TAGS)) {
      this.t.log(`redir: StartRedirectionSession unknown tag ${JSON.stringify(tag)} -> 0x11 status 1`);
      this.send(Buffer.from([0x11, 0x01, 0, 0, 0x01, 0x00, maj, min, 0x57, 0x01, 0, 0, 0]));
      this.closeAfterFlush();
      return;
    }
    this.type = tag;
    this.phase = 'auth';
    this.t.log(`redir ${TAGS[tag]}: StartRedirectionSession (byte1=0x${m[1]!.toString(16).padStart(2, '0')}) -> 0x11 ok`);
    // 13 bytes, N = 0 OEM bytes: amtterm 1.4 insists on exactly 13.
    this.send(Buffer.from([0x11, 0x00, 0, 0, 0x01, 0x00, maj, min, 0x57, 0x01, 0x00, 0x00, 0x00]));
  }

  private authReply(status: number, type: number, data: Buffer = Buffer.alloc(0)): void {
    this.send(Buffer.concat([Buffer.from([0x14, status, 0, 0, type]), u32le(data.length), data]));
  }

  private onAuth(m: Buffer): void {
    if (this.phase !== 'auth') {
      this.t.log('redir: AuthenticateSession outside the auth phase, closing');
      this.end();
      return;
    }
    const type = m[4]!;
    const data = m.subarray(9);
    const tname = TAGS[this.type] ?? '?';
    if (type === 0) {
      const types = this.cfg.allowUserpass ? [1, 4] : [4];
      this.t.log(`redir ${tname}: auth query -> types ${types.join(',')}`);
      this.authReply(0, 0, Buffer.from(types));
      return;
    }
    if (type === 1) {
      const [user = '', pass = ''] = lpStrings(data);
      this.user = user;
      if (!this.cfg.allowUserpass) {
        this.t.log(`redir ${tname}: auth userpass user=${user} result=FAIL (userpass not enabled)`);
        return this.authFailed(1);
      }
      if (user === this.cfg.user && pass === this.cfg.password) {
        this.t.log(`redir ${tname}: auth userpass user=${user} result=OK`);
        this.phase = 'authed';
        this.authReply(0, 1);
      } else {
        this.t.log(`redir ${tname}: auth userpass user=${user} result=FAIL`);
        this.authFailed(1);
      }
      return;
    }
    if (type === 4) {
      const [user = '', realm = '', nonce = '', uri = '', cnonce = '', nc = '', response = '', qop = ''] = lpStrings(data);
      this.user = user;
      if (nonce === '') {
        this.nonce = makeNonce();
        this.t.log(`redir ${tname}: auth digest step 1 user=${user} uri=${uri} -> challenge`);
        this.authReply(1, 4, lp(this.cfg.realm, this.nonce, 'auth'));
        return;
      }
      const ha1 = md5hex(`${user}:${realm}:${this.cfg.password}`);
      const ha2 = md5hex(`POST:${uri}`);
      const expect = md5hex(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
      const ok = user === this.cfg.user && realm === this.cfg.realm && nonce === this.nonce && response.toLowerCase() === expect;
      this.t.log(`redir ${tname}: auth digest user=${user} uri=${uri} nc=${nc} result=${ok ? 'OK' : 'FAIL'}`);
      if (ok) {
        this.phase = 'authed';
        this.authReply(0, 4);
      } else {
        this.authFailed(4);
      }
      return;
    }
    this.t.log(`redir ${tname}: auth type ${type} (${AUTH_NAMES[type] ?? 'unknown'}) not supported`);
    this.authFailed(type);
  }

  private authFailed(type: number): void {
    this.failures++;
    this.authReply(1, type);
    if (this.failures >= 3) {
      this.t.log('redir: 3 failed authentications, closing');
      this.closeAfterFlush();
    }
  }

  // ---------------------------------------------------------------- SOL
  private onSolStart(m: Buffer): void {
    if (this.type !== 'SOL ') {
      this.t.log('redir: StartSOL on a non-SOL session, closing');
      this.end();
      return;
    }
    const hb = m.readUInt16LE(18);
    this.t.log(`redir SOL: StartSOL maxTx=${m.readUInt16LE(8)} hb=${hb} user=${this.user} -> 0x21 ok`);
    this.phase = 'sol';
    const reply = Buffer.alloc(23);
    reply[0] = 0x21;
    reply.writeUInt32LE(this.seq++, 4);
    reply.writeUInt16LE(Math.min(m.readUInt16LE(8) || 1000, 1000), 8); // MaxTxBuffer
    m.copy(reply, 10, 10, 20); // timeouts and heartbeat as granted
    this.send(reply);
    // COM-port control lines (RTS|DTR asserted, system powered on), then the console banner.
    const ctl = Buffer.alloc(10);
    ctl[0] = 0x29;
    ctl.writeUInt32LE(this.seq++, 4);
    ctl[8] = 0x03;
    ctl[9] = 0x04;
    this.later(60, () => this.send(ctl));
    this.later(120, () => this.solOut(`\r\n${this.banner()}\r\n\r\n${this.cfg.hostname} login: `));
    const period = this.cfg.heartbeatMs > 0 ? this.cfg.heartbeatMs : hb;
    if (period > 0) {
      this.heartbeat = setInterval(() => {
        if (this.phase === 'sol') this.send(Buffer.concat([Buffer.from([0x2b, 0, 0, 0]), u32le(this.seq++)]));
      }, period);
    }
  }

  private banner(): string {
    return `Debian GNU/Linux 12 ${this.cfg.hostname} ttyS0`;
  }

  private solOut(text: string): void {
    const data = Buffer.from(text, 'latin1');
    for (let i = 0; i < data.length; i += 200) {
      const part = data.subarray(i, i + 200);
      const h = Buffer.alloc(10);
      h[0] = 0x2a;
      h.writeUInt32LE(this.seq++, 4);
      h.writeUInt16LE(part.length, 8);
      this.send(Buffer.concat([h, part]));
    }
  }

  private onSolData(m: Buffer): void {
    if (this.phase !== 'sol') return; // e.g. the ^] amtterm sends after 0x22
    const data = m.subarray(10).toString('latin1');
    const hidden = this.consoleState === 'password';
    let echo = '';
    let out = '';
    for (const ch of data) {
      if (ch === '\r' || ch === '\n') {
        echo += '\r\n';
        out += this.consoleLine(this.line);
        this.line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length) {
          this.line = this.line.slice(0, -1);
          if (this.consoleState !== 'password') echo += '\b \b';
        }
      } else if (ch >= ' ') {
        this.line += ch;
        if (this.consoleState !== 'password') echo += ch;
      }
    }
    this.t.log(`redir SOL: keystrokes ${JSON.stringify(hidden ? data.replace(/[^\r\n]/g, '*') : data)}`);
    if (echo + out) this.solOut(echo + out);
  }

  private consoleLine(line: string): string {
    const host = this.cfg.hostname;
    switch (this.consoleState) {
      case 'login':
        if (line === '') return `${host} login: `;
        this.solUser = line;
        this.consoleState = 'password';
        return 'Password: ';
      case 'password':
        this.consoleState = 'shell';
        return `Linux ${host} 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64\r\n\r\nLast login: Mon Mar  4 09:12:44 UTC 2024 on ttyS0\r\n${this.prompt()}`;
      case 'shell': {
        const cmd = line.trim();
        let res = '';
        if (cmd === '') res = '';
        else if (cmd === 'exit' || cmd === 'logout') {
          this.consoleState = 'login';
          return `logout\r\n\r\n${this.banner()}\r\n\r\n${host} login: `;
        } else if (cmd === 'uname' ) res = 'Linux\r\n';
        else if (cmd === 'uname -a') res = `Linux ${host} 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\r\n`;
        else if (cmd === 'id') res = this.solUser === 'root' ? 'uid=0(root) gid=0(root) groups=0(root)\r\n' : `uid=1000(${this.solUser}) gid=1000(${this.solUser}) groups=1000(${this.solUser})\r\n`;
        else if (cmd === 'whoami') res = `${this.solUser}\r\n`;
        else if (cmd === 'hostname') res = `${host}\r\n`;
        else if (cmd === 'uptime') res = ' 09:15:02 up 12 days,  3:01,  1 user,  load average: 0.00, 0.01, 0.00\r\n';
        else if (cmd === 'ls') res = 'backup.tar.gz  notes.txt\r\n';
        else if (cmd.startsWith('cat ')) res = `cat: ${cmd.slice(4)}: Permission denied\r\n`;
        else res = `-bash: ${cmd.split(/\s+/)[0]}: command not found\r\n`;
        return res + this.prompt();
      }
    }
  }

  private prompt(): string {
    return this.solUser === 'root' ? `root@${this.cfg.hostname}:~# ` : `${this.solUser}@${this.cfg.hostname}:~$ `;
  }

  // ---------------------------------------------------------------- IDE-R
  private onIderStart(m: Buffer): void {
    if (this.type !== 'IDER') {
      this.t.log('redir: IDE-R open on a non-IDER session, closing');
      this.end();
      return;
    }
    const [maj, min] = this.fwMajorMinor();
    this.t.log(`redir IDER: open session (0x40, ${m.length} B) user=${this.user} -> 0x41`);
    this.phase = 'ider';
    const r = Buffer.alloc(30);
    r[0] = 0x41;
    r.writeUInt32LE(this.seq++, 4);
    r[8] = 1; // protocol 1.0
    r[9] = 0;
    r[10] = maj;
    r[11] = min;
    r.writeUInt16LE(8192, 16); // read buffer
    r.writeUInt16LE(8192, 18); // write buffer
    r[21] = 0x03; // features
    r[25] = 0x57; // IANA 343 LE
    r[26] = 0x01;
    r[29] = 0; // OEM length
    this.send(r);
  }

  private onIderFeatures(m: Buffer): void {
    this.t.log(`redir IDER: features sub=${m[8]} value=${m.readUInt32LE(9).toString(16)} -> 0x49`);
    const r = Buffer.alloc(13);
    r[0] = 0x49;
    r.writeUInt32LE(this.seq++, 4);
    r[8] = m[8]!;
    m.copy(r, 9, 9, 13);
    this.send(r);
    // the emulated BIOS now boots from the redirected CD-ROM
    this.iderStep = 0;
    this.later(50, () => this.iderCommand());
  }

  private iderCommand(): void {
    const step = IDER_SCRIPT[this.iderStep];
    if (!step || this.phase !== 'ider') return;
    const c = Buffer.alloc(28);
    c[0] = 0x50;
    c.writeUInt32LE(this.seq++, 4);
    c.writeUInt16LE(0xfffe, 12); // byte count limit
    c[14] = 0xb0; // drive select: CD-ROM (bit 0x10)
    c[15] = 0xa0; // ATA PACKET
    Buffer.from(step.cdb).copy(c, 16);
    this.t.log(`redir IDER: 0x50 ${step.name}`);
    this.send(c);
  }

  private onIderResponse(m: Buffer): void {
    const completed = (m[3]! & 0x02) !== 0;
    if (m[0] === 0x54) this.t.log(`redir IDER: 0x54 data to host ${m.readUInt16LE(9)} B${completed ? ' (completed)' : ''}`);
    else this.t.log(`redir IDER: 0x51 command end sense=${m[28]}`);
    if (completed && this.iderStep >= 0) {
      this.iderStep++;
      this.later(20, () => this.iderCommand());
    }
  }

  // ---------------------------------------------------------------- KVM
  private onKvmStart(): void {
    this.t.log(`redir KVM: start (0x40) user=${this.user} -> 0x41 + RFB 003.008`);
    this.phase = 'kvm-rfb';
    this.rfbState = 'version';
    this.send(Buffer.concat([Buffer.from([0x41, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('RFB 003.008\n', 'latin1')]));
  }

  /** One RFB step; false = need more bytes. */
  private rfbStep(): boolean {
    const b = this.buf;
    const take = (n: number): Buffer => {
      const x = b.subarray(0, n);
      this.buf = b.subarray(n);
      return x;
    };
    switch (this.rfbState) {
      case 'version': {
        if (b.length < 12) return false;
        const v = take(12).toString('latin1').trim();
        this.t.log(`redir KVM: client ${v}`);
        this.rfbState = 'security';
        this.send(Buffer.from([1, 1])); // one security type: None
        return true;
      }
      case 'security': {
        if (b.length < 1) return false;
        take(1);
        this.rfbState = 'init';
        this.send(Buffer.from([0, 0, 0, 0])); // SecurityResult OK
        return true;
      }
      case 'init': {
        if (b.length < 1) return false;
        take(1);
        this.rfbState = 'normal';
        const name = Buffer.from('Intel(r) AMT KVM', 'latin1');
        const si = Buffer.alloc(24);
        si.writeUInt16BE(640, 0);
        si.writeUInt16BE(480, 2);
        // pixel format: 16 bpp, depth 16, little-endian, true colour, 565
        Buffer.from([16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0]).copy(si, 4);
        si.writeUInt32BE(name.length, 20);
        this.send(Buffer.concat([si, name]));
        return true;
      }
      case 'normal': {
        if (b.length < 1) return false;
        const t = b[0]!;
        const need = (n: number): boolean => b.length >= n;
        switch (t) {
          case 0: // SetPixelFormat
            if (!need(20)) return false;
            this.bpp = b[4]! || 16;
            take(20);
            return true;
          case 2: { // SetEncodings
            if (!need(4)) return false;
            const n = b.readUInt16BE(2);
            if (!need(4 + 4 * n)) return false;
            take(4 + 4 * n);
            return true;
          }
          case 3: { // FramebufferUpdateRequest -> one small raw rectangle
            if (!need(10)) return false;
            take(10);
            const w = 32, h = 16, bytes = (this.bpp / 8) * w * h;
            const hdr = Buffer.alloc(16);
            hdr[0] = 0;
            hdr.writeUInt16BE(1, 2);
            hdr.writeUInt16BE(0, 4);
            hdr.writeUInt16BE(0, 6);
            hdr.writeUInt16BE(w, 8);
            hdr.writeUInt16BE(h, 10);
            hdr.writeInt32BE(0, 12); // raw
            const px = Buffer.alloc(bytes, 0x1f);
            this.send(Buffer.concat([hdr, px]));
            return true;
          }
          case 4: { // KeyEvent
            if (!need(8)) return false;
            const e = take(8);
            if (e[1]) {
              const ks = e.readUInt32BE(4);
              this.keys.push(ks >= 0x20 && ks < 0x7f ? String.fromCharCode(ks) : `<0x${ks.toString(16)}>`);
              this.t.log(`redir KVM: key ${this.keys[this.keys.length - 1]}`);
            }
            return true;
          }
          case 5: // PointerEvent
            if (!need(6)) return false;
            take(6);
            return true;
          case 6: { // ClientCutText
            if (!need(8)) return false;
            const n = b.readUInt32BE(4);
            if (!need(8 + n)) return false;
            take(8 + n);
            return true;
          }
          default:
            this.t.log(`redir KVM: unknown RFB client message ${t}, closing`);
            this.end();
            return false;
        }
      }
    }
  }
}
