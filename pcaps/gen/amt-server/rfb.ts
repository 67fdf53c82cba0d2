// A plain RFB (VNC) server as the Intel AMT KVM server answers on TCP 5900 when Is5900PortEnabled
// is set (amt-protocol.md 4.6): RFB 3.8 (or 4.0), VNC authentication only (the 8-character
// RFBPassword), ServerInit desktop name "Intel(r) AMT KVM". With another --kvm-name it stands in
// for an ordinary VNC server. Serves a small true-colour framebuffer in raw encoding, in whatever
// pixel format the client sets, so real clients (vncsnapshot, vncviewer) get a complete frame.
import { createCipheriv, randomBytes } from 'node:crypto';

export interface RfbConfig {
  name: string;
  /** VNC password (first 8 characters count, as in every VNC implementation). */
  password: string;
  /** "003.008" (AMT 12+) or "004.000" (AMT 11.8). */
  version: string;
  width: number;
  height: number;
}

export interface RfbTransport {
  write(buf: Buffer): void;
  close(): void;
  log(msg: string): void;
}

/** VNC authentication: DES-ECB of the challenge, key = password bytes with each byte's bits reversed. */
export function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    let b = key[i]!;
    let r = 0;
    for (let j = 0; j < 8; j++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  // single DES through 2-key 3DES with K1 = K2 (E(D(E(x)))) = E(x)): OpenSSL 3 keeps plain des-ecb
  // in its legacy provider only
  const c = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(challenge), c.final()]);
}

type State = 'version' | 'choice' | 'response' | 'init' | 'normal' | 'closed';

export class RfbSession {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = 'version';
  private minor = 8;
  private challenge = Buffer.alloc(16);
  private bpp = 32;
  private keys: string[] = [];

  constructor(private readonly c: RfbConfig, private readonly t: RfbTransport) {
    t.write(Buffer.from(`RFB ${c.version}\n`, 'latin1'));
  }

  feed(d: Buffer): void {
    if (this.state === 'closed') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while ((this.state as State) !== 'closed' && this.step());
  }

  end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.keys.length) this.t.log(`rfb keys typed: ${this.keys.join('')}`);
  }

  private take(n: number): Buffer {
    const x = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return x;
  }

  private fail(why: string): boolean {
    this.t.log(`rfb ${why}, closing`);
    this.state = 'closed';
    this.t.close();
    return false;
  }

  private sendChallenge(): void {
    this.challenge = randomBytes(16);
    this.t.write(this.challenge);
    this.state = 'response';
  }

  /** One step; false = need more bytes (or closed). */
  private step(): boolean {
    const b = this.buf;
    switch (this.state) {
      case 'version': {
        if (b.length < 12) return false;
        const v = this.take(12).toString('latin1');
        const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(v);
        if (!m) return this.fail(`bad client version ${JSON.stringify(v)}`);
        this.minor = Number(m[1]) > 3 ? 8 : Number(m[2]);
        this.t.log(`rfb client RFB ${m[1]}.${m[2]} (server ${this.c.version}, desktop "${this.c.name}")`);
        if (this.minor < 7) {
          this.t.write(Buffer.from([0, 0, 0, 2])); // RFB 3.3: the server picks VNC authentication
          this.sendChallenge();
        } else {
          this.t.write(Buffer.from([1, 2])); // one security type: VNC authentication
          this.state = 'choice';
        }
        return true;
      }
      case 'choice': {
        if (b.length < 1) return false;
        const t = this.take(1)[0]!;
        if (t !== 2) return this.fail(`client chose security type ${t}`);
        this.sendChallenge();
        return true;
      }
      case 'response': {
        if (b.length < 16) return false;
        const r = this.take(16);
        const ok = vncResponse(this.c.password, this.challenge).equals(r);
        this.t.log(`rfb auth vnc result=${ok ? 'OK' : 'FAIL'}`);
        if (!ok) {
          const why = Buffer.from('Authentication failed', 'latin1');
          const len = Buffer.alloc(4);
          len.writeUInt32BE(why.length);
          this.t.write(Buffer.concat([Buffer.from([0, 0, 0, 1]), ...(this.minor >= 8 ? [len, why] : [])]));
          this.state = 'closed';
          this.t.close();
          return false;
        }
        this.t.write(Buffer.from([0, 0, 0, 0]));
        this.state = 'init';
        return true;
      }
      case 'init': {
        if (b.length < 1) return false;
        const shared = this.take(1)[0]!;
        const name = Buffer.from(this.c.name, 'latin1');
        const si = Buffer.alloc(24);
        si.writeUInt16BE(this.c.width, 0);
        si.writeUInt16BE(this.c.height, 2);
        // pixel format: 32 bpp, depth 24, little-endian, true colour, 8 bits per channel (r<<16 g<<8 b)
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(si, 4);
        si.writeUInt32BE(name.length, 20);
        this.t.write(Buffer.concat([si, name]));
        this.t.log(`rfb ClientInit shared=${shared} -> ServerInit ${this.c.width}x${this.c.height} "${this.c.name}"`);
        this.state = 'normal';
        return true;
      }
      case 'normal':
        return this.message();
      default:
        return false;
    }
  }

  private message(): boolean {
    const b = this.buf;
    if (b.length < 1) return false;
    const need = (n: number): boolean => b.length >= n;
    switch (b[0]) {
      case 0: // SetPixelFormat
        if (!need(20)) return false;
        this.bpp = b[4]! || 32;
        this.take(20);
        return true;
      case 2: {
        // SetEncodings
        if (!need(4)) return false;
        const n = b.readUInt16BE(2);
        if (!need(4 + 4 * n)) return false;
        this.take(4 + 4 * n);
        return true;
      }
      case 3: {
        // FramebufferUpdateRequest -> the whole screen, raw, a two-colour pattern
        if (!need(10)) return false;
        this.take(10);
        const { width: w, height: h } = this.c;
        const bpp = Math.max(1, this.bpp / 8);
        const hdr = Buffer.alloc(16);
        hdr.writeUInt16BE(1, 2);
        hdr.writeUInt16BE(w, 8);
        hdr.writeUInt16BE(h, 10);
        hdr.writeInt32BE(0, 12);
        const px = Buffer.alloc(w * h * bpp);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (((x >> 3) + (y >> 3)) & 1) px.fill(0x7f, (y * w + x) * bpp, (y * w + x + 1) * bpp);
        this.t.write(Buffer.concat([hdr, px]));
        return true;
      }
      case 4: {
        // KeyEvent
        if (!need(8)) return false;
        const e = this.take(8);
        if (e[1]) {
          const ks = e.readUInt32BE(4);
          this.keys.push(ks >= 0x20 && ks < 0x7f ? String.fromCharCode(ks) : `<0x${ks.toString(16)}>`);
        }
        return true;
      }
      case 5: // PointerEvent
        if (!need(6)) return false;
        this.take(6);
        return true;
      case 6: {
        // ClientCutText
        if (!need(8)) return false;
        const n = b.readUInt32BE(4);
        if (!need(8 + n)) return false;
        this.take(8 + n);
        return true;
      }
      default:
        return this.fail(`unknown client message ${b[0]}`);
    }
  }
}
