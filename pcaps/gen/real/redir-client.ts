#!/usr/bin/env -S npx tsx
// Stand-in AMT redirection console (no Debian package opens IDE-R or KVM sessions; amtterm 1.4
// only does SOL with auth type 1). Speaks the 16994/16995 protocol like MeshCommander does:
// 0x10 start (byte1=0x01 for KVMR), 0x13 query, digest (type 4, uri /RedirectionService,
// nc 00000002, 32-hex cnonce) or userpass, then one of:
//   --mode ider : 0x40 open, 0x48 enable, answer the AMT's 0x50 ATAPI commands from a tiny
//                 in-memory ISO (0x51 / 0x54 with sector data), 0x42 close, 0x12 end
//   --mode kvm  : 0x40, 0x41 + RFB 003.008, security None, ServerInit, SetPixelFormat,
//                 SetEncodings, FramebufferUpdateRequest, KeyEvents for --keys, PointerEvent
//   --mode sol  : 0x20 (MeshCommander timeouts), keystrokes, 0x22, 0x12
// Transport: plain TCP (default), --tls (16995), or --ws (WebSocket /ws-redirection on the
// web port, with HTTP digest on the upgrade request).
// Prints `RESULT key=value ...` on stdout; exit 0 = session ran, 3 = auth failed, 1 = error.
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

interface Opts {
  host: string;
  port: number;
  mode: 'ider' | 'kvm' | 'sol';
  user: string;
  password: string;
  tls: boolean;
  ws: boolean;
  servername?: string;
  keys: string;
  timeoutMs: number;
  auth: 'auto' | 'digest' | 'userpass';
}

function parse(argv: string[]): Opts {
  const o: Opts = { host: '127.0.0.1', port: 16994, mode: 'sol', user: 'admin', password: '', tls: false, ws: false, keys: 'root\n', timeoutMs: 15000, auth: 'auto' };
  let portSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value`); return x; };
    switch (a) {
      case '--host': o.host = v(); break;
      case '--port': o.port = Number(v()); portSet = true; break;
      case '--mode': o.mode = v() as Opts['mode']; break;
      case '--user': o.user = v(); break;
      case '--password': o.password = v(); break;
      case '--tls': o.tls = true; break;
      case '--ws': o.ws = true; break;
      case '--servername': o.servername = v(); break;
      case '--keys': o.keys = v().replace(/\\n/g, '\n'); break;
      case '--timeout': o.timeoutMs = Number(v()) * 1000; break;
      case '--auth': o.auth = v() as Opts['auth']; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!portSet) o.port = o.ws ? (o.tls ? 16993 : 16992) : o.tls ? 16995 : 16994;
  if (!['ider', 'kvm', 'sol'].includes(o.mode)) throw new Error('--mode ider|kvm|sol');
  return o;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const lp = (...items: string[]): Buffer =>
  Buffer.concat(items.map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s, 'latin1')]), Buffer.from(s, 'latin1')])));
function lpStrings(d: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.length;) { const n = d[i]!; out.push(d.subarray(i + 1, i + 1 + n).toString('latin1')); i += 1 + n; }
  return out;
}
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Byte stream with exact-length reads. */
class Reader {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;
  push(d: Buffer): void { this.buf = Buffer.concat([this.buf, d]); this.waiter?.(); }
  end(): void { this.ended = true; this.waiter?.(); }
  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`connection closed (wanted ${n} bytes, have ${this.buf.length})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${n} bytes`);
      await new Promise<void>((res) => { const t = setTimeout(res, left); this.waiter = () => { clearTimeout(t); res(); }; });
      this.waiter = undefined;
    }
    const x = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return x;
  }
  available(): number { return this.buf.length; }
}

interface Chan { reader: Reader; write(b: Buffer): void; close(): void; }

function rawConnect(o: Opts): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = o.tls
      ? tlsConnect({ host: o.host, port: o.port, rejectUnauthorized: false, servername: o.servername ?? '', minVersion: 'TLSv1.2' }, () => res(s))
      : netConnect({ host: o.host, port: o.port }, () => res(s));
    s.once('error', rej);
    s.setNoDelay(true);
  });
}

async function openChannel(o: Opts): Promise<Chan> {
  if (!o.ws) {
    const s = await rawConnect(o);
    const reader = new Reader();
    s.on('data', (d: Buffer) => reader.push(d));
    s.on('close', () => reader.end());
    s.on('error', () => reader.end());
    return { reader, write: (b) => s.write(b), close: () => s.end() };
  }
  // WebSocket: first a plain request for the digest challenge, then the upgrade with Authorization.
  const httpOnce = async (authz?: string): Promise<{ head: string; sock: Socket; reader: Reader }> => {
    const s = await rawConnect(o);
    const reader = new Reader();
    s.on('data', (d: Buffer) => reader.push(d));
    s.on('close', () => reader.end());
    const key = randomBytes(16).toString('base64');
    s.write(
      `GET /ws-redirection HTTP/1.1\r\nHost: ${o.host}:${o.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${authz ? `Authorization: ${authz}\r\n` : ''}\r\n`,
    );
    let head = '';
    while (!head.includes('\r\n\r\n')) head += (await reader.read(1)).toString('latin1');
    return { head, sock: s, reader };
  };
  const first = await httpOnce();
  first.sock.destroy();
  const realm = /realm="([^"]*)"/.exec(first.head)?.[1] ?? '';
  const nonce = /nonce="([^"]*)"/.exec(first.head)?.[1] ?? '';
  const cnonce = randomBytes(8).toString('hex');
  const resp = md5(`${md5(`${o.user}:${realm}:${o.password}`)}:${nonce}:00000001:${cnonce}:auth:${md5('GET:/ws-redirection')}`);
  const authz = `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="/ws-redirection", qop=auth, nc=00000001, cnonce="${cnonce}", response="${resp}"`;
  const up = await httpOnce(authz);
  if (!/^HTTP\/1\.1 101/.test(up.head)) throw new Error(`websocket upgrade refused: ${up.head.split('\r\n')[0]}`);
  const reader = new Reader();
  // decode server frames (unmasked) from up.reader into reader
  void (async () => {
    try {
      for (;;) {
        const h = await up.reader.read(2, 600_000);
        let len = h[1]! & 0x7f;
        if (len === 126) len = (await up.reader.read(2)).readUInt16BE(0);
        else if (len === 127) len = Number((await up.reader.read(8)).readBigUInt64BE(0));
        const payload = await up.reader.read(len);
        if ((h[0]! & 0x0f) === 8) break;
        reader.push(payload);
      }
    } catch { /* closed */ }
    reader.end();
  })();
  const frame = (payload: Buffer, opcode = 2): Buffer => {
    const mask = randomBytes(4);
    const n = payload.length;
    const hdr = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
    return Buffer.concat([hdr, mask, body]);
  };
  return {
    reader,
    write: (b) => up.sock.write(frame(b)),
    close: () => { up.sock.write(frame(Buffer.from([0x03, 0xe8]), 8)); up.sock.end(); },
  };
}

async function authReply(r: Reader): Promise<{ status: number; type: number; data: Buffer }> {
  const h = await r.read(9);
  if (h[0] !== 0x14) throw new Error(`expected 0x14, got 0x${h[0]!.toString(16)}`);
  const data = await r.read(h.readUInt32LE(5));
  return { status: h[1]!, type: h[4]!, data };
}

/** A tiny ISO 9660 image: 18 sectors, PVD at LBA 16, terminator at 17. */
function isoImage(): Buffer {
  const img = Buffer.alloc(18 * 2048);
  const pvd = img.subarray(16 * 2048, 17 * 2048);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd[6] = 1;
  pvd.write('LINUX'.padEnd(32), 8, 'latin1');
  pvd.write('AMTW_LAB_RESCUE'.padEnd(32), 40, 'latin1');
  pvd.writeUInt32LE(18, 80);
  pvd.writeUInt32BE(18, 84);
  const term = img.subarray(17 * 2048, 18 * 2048);
  term[0] = 0xff;
  term.write('CD001', 1, 'latin1');
  term[6] = 1;
  return img;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const result: Record<string, string> = { mode: o.mode, transport: o.ws ? 'ws' : o.tls ? 'tls' : 'tcp' };
  const say = (): void => { process.stdout.write('RESULT ' + Object.entries(result).map(([k, v]) => `${k}=${/\s/.test(v) ? JSON.stringify(v) : v}`).join(' ') + '\n'); };
  const killer = setTimeout(() => { result['error'] = 'overall timeout'; say(); process.exit(1); }, o.timeoutMs);
  const ch = await openChannel(o);
  const r = ch.reader;
  let seq = 0;
  const tag = { ider: 'IDER', kvm: 'KVMR', sol: 'SOL ' }[o.mode];
  ch.write(Buffer.concat([Buffer.from([0x10, o.mode === 'kvm' ? 0x01 : 0x00, 0, 0]), Buffer.from(tag, 'latin1')]));
  const start = await r.read(13);
  if (start[0] !== 0x11 || start[1] !== 0) throw new Error(`start refused: ${start.toString('hex')}`);
  const oem = await r.read(start[12]!);
  void oem;
  result['amt'] = `${start[6]}.${start[7]}`;

  // auth: query supported types
  ch.write(Buffer.from([0x13, 0, 0, 0, 0, 0, 0, 0, 0]));
  const q = await authReply(r);
  const types = [...q.data];
  const useDigest = o.auth === 'digest' || (o.auth === 'auto' && types.includes(4));
  const uri = '/RedirectionService';
  let ok: boolean;
  if (useDigest) {
    result['auth'] = 'digest';
    const step1 = Buffer.concat([lp(o.user), lp(''), lp(''), lp(uri), lp(''), lp(''), lp(''), lp('')]);
    ch.write(Buffer.concat([Buffer.from([0x13, 0, 0, 0, 4]), u32(step1.length), step1]));
    const ch1 = await authReply(r);
    const [realm = '', nonce = '', qop = ''] = lpStrings(ch1.data);
    const cnonce = randomBytes(16).toString('hex');
    const nc = '00000002';
    const resp = md5(`${md5(`${o.user}:${realm}:${o.password}`)}:${nonce}:${nc}:${cnonce}:${qop}:${md5(`POST:${uri}`)}`);
    const full = lp(o.user, realm, nonce, uri, cnonce, nc, resp, qop);
    ch.write(Buffer.concat([Buffer.from([0x13, 0, 0, 0, 4]), u32(full.length), full]));
    ok = (await authReply(r)).status === 0;
  } else {
    result['auth'] = 'userpass';
    const d = lp(o.user, o.password);
    ch.write(Buffer.concat([Buffer.from([0x13, 0, 0, 0, 1]), u32(d.length), d]));
    ok = (await authReply(r)).status === 0;
  }
  result['authenticated'] = ok ? 'yes' : 'no';
  if (!ok) {
    ch.write(Buffer.from([0x12, 0, 0, 0]));
    await sleep(100);
    ch.close();
    say();
    clearTimeout(killer);
    process.exitCode = 3;
    return;
  }

  if (o.mode === 'kvm') {
    ch.write(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0]));
    const k = await r.read(8);
    if (k[0] !== 0x41) throw new Error(`expected 0x41, got ${k.toString('hex')}`);
    const ver = (await r.read(12)).toString('latin1');
    result['rfb'] = ver.trim();
    ch.write(Buffer.from('RFB 003.008\n', 'latin1'));
    const nsec = (await r.read(1))[0]!;
    const secTypes = [...(await r.read(nsec))];
    if (!secTypes.includes(1)) throw new Error(`no None security: ${secTypes}`);
    ch.write(Buffer.from([1]));
    const sr = await r.read(4);
    if (sr.readUInt32BE(0) !== 0) throw new Error('security failed');
    ch.write(Buffer.from([1])); // ClientInit shared
    const si = await r.read(24);
    const name = (await r.read(si.readUInt32BE(20))).toString('latin1');
    result['desktop'] = name;
    result['size'] = `${si.readUInt16BE(0)}x${si.readUInt16BE(2)}`;
    // SetPixelFormat 16 bpp 565, SetEncodings RAW, RLE(16), DesktopSize(-223)
    ch.write(Buffer.from([0, 0, 0, 0, 16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0]));
    const enc = Buffer.alloc(4 + 12);
    enc[0] = 2;
    enc.writeUInt16BE(3, 2);
    enc.writeInt32BE(0, 4);
    enc.writeInt32BE(16, 8);
    enc.writeInt32BE(-223, 12);
    ch.write(enc);
    const fbReq = (inc: number): Buffer => { const b = Buffer.alloc(10); b[0] = 3; b[1] = inc; b.writeUInt16BE(640, 6); b.writeUInt16BE(480, 8); return b; };
    const readUpdate = async (): Promise<number> => {
      const h = await r.read(4);
      if (h[0] !== 0) throw new Error(`expected FramebufferUpdate, got ${h[0]}`);
      let bytes = 0;
      for (let i = 0; i < h.readUInt16BE(2); i++) {
        const rh = await r.read(12);
        const n = rh.readUInt16BE(4) * rh.readUInt16BE(6) * 2;
        await r.read(n);
        bytes += n;
      }
      return bytes;
    };
    ch.write(fbReq(0));
    let fb = await readUpdate();
    for (const c of o.keys) {
      const ks = c === '\n' ? 0xff0d : c.charCodeAt(0);
      for (const down of [1, 0]) {
        const e = Buffer.alloc(8);
        e[0] = 4;
        e[1] = down;
        e.writeUInt32BE(ks, 4);
        ch.write(e);
      }
      await sleep(30);
    }
    ch.write(Buffer.from([5, 0, 0x01, 0x40, 0x00, 0xf0])); // PointerEvent (320,240)
    ch.write(fbReq(1));
    fb += await readUpdate();
    result['fb_bytes'] = String(fb);
    result['keys'] = String(o.keys.length);
    await sleep(200);
    ch.close();
  } else if (o.mode === 'ider') {
    // MeshCommander-style open: header + rx timeout, tx timeout, heartbeat, version
    const open = Buffer.alloc(18);
    open[0] = 0x40;
    open.writeUInt32LE(seq++, 4);
    open.writeUInt16LE(10000, 8);
    open.writeUInt16LE(0, 10);
    open.writeUInt16LE(20000, 12);
    open.writeUInt32LE(1, 14);
    ch.write(open);
    const rep = await r.read(30);
    if (rep[0] !== 0x41 || rep[1] !== 0) throw new Error(`IDER open refused: ${rep.toString('hex')}`);
    await r.read(rep[29]!);
    const feat = Buffer.alloc(13);
    feat[0] = 0x48;
    feat.writeUInt32LE(seq++, 4);
    feat[8] = 0x03; // set register state
    feat.writeUInt32LE(0x01 | 0x18, 9); // enable, start now
    ch.write(feat);
    const fr = await r.read(13);
    if (fr[0] !== 0x49) throw new Error(`expected 0x49, got ${fr.toString('hex')}`);
    const img = isoImage();
    const cmds: string[] = [];
    let served = 0;
    for (;;) {
      let c: Buffer;
      try { c = await r.read(28, 1500); } catch { break; } // idle: the "BIOS" is done
      if (c[0] !== 0x50) throw new Error(`expected 0x50, got 0x${c[0]!.toString(16)}`);
      const dev = c[14]! & 0x10 ? 0xb0 : 0xa0;
      const cdb = c.subarray(16, 28);
      cmds.push(cdb[0]!.toString(16).padStart(2, '0'));
      const regs = (completed: boolean): Buffer => {
        const b = Buffer.alloc(8);
        if (completed) { b[0] = 0x80 | 0x04 | 0x01; b[2] = 0x03; b[6] = dev; b[7] = 0x50; }
        return b;
      };
      const dataToHost = (data: Buffer): Buffer => {
        const h = Buffer.alloc(34);
        h[0] = 0x54;
        h[3] = 0x02; // completed
        h.writeUInt32LE(seq++, 4);
        h.writeUInt16LE(data.length, 9);
        const inp = Buffer.from([0x80 | 0x04 | 0x10 | 0x20 | 0x01, 0, 0x02, 0, 0, 0, dev, 0x58]);
        inp.copy(h, 12);
        regs(true).copy(h, 20);
        return Buffer.concat([h, data]);
      };
      if (cdb[0] === 0x25) {
        const cap = Buffer.alloc(8);
        cap.writeUInt32BE(img.length / 2048 - 1, 0);
        cap.writeUInt32BE(2048, 4);
        ch.write(dataToHost(cap));
        served += 8;
      } else if (cdb[0] === 0x28) {
        const lba = cdb.readUInt32BE(2);
        const n = cdb.readUInt16BE(7);
        const data = img.subarray(lba * 2048, (lba + n) * 2048);
        ch.write(dataToHost(data));
        served += data.length;
      } else {
        const m = Buffer.alloc(31);
        m[0] = 0x51;
        m[3] = 0x02;
        m.writeUInt32LE(seq++, 4);
        regs(true).copy(m, 20);
        ch.write(m);
      }
    }
    result['commands'] = cmds.join(',');
    result['served_bytes'] = String(served);
    const close = Buffer.alloc(8);
    close[0] = 0x42;
    close.writeUInt32LE(seq++, 4);
    ch.write(close);
    const cr = await r.read(8);
    if (cr[0] !== 0x43) throw new Error(`expected 0x43, got ${cr.toString('hex')}`);
    ch.write(Buffer.from([0x12, 0, 0, 0]));
    await sleep(100);
    ch.close();
  } else {
    // SOL with MeshCommander's parameters: 10000/100/0/10000/100/0
    const s = Buffer.alloc(24);
    s[0] = 0x20;
    s.writeUInt32LE(seq++, 4);
    [10000, 100, 0, 10000, 100, 0].forEach((v, i) => s.writeUInt16LE(v, 8 + 2 * i));
    ch.write(s);
    let out = '';
    let started = false;
    const pump = async (ms: number): Promise<void> => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        let h: Buffer;
        try { h = await r.read(1, Math.max(1, until - Date.now())); } catch { return; }
        const t = h[0]!;
        if (t === 0x21) { await r.read(22); started = true; }
        else if (t === 0x29) await r.read(9);
        else if (t === 0x2b || t === 0x25 || t === 0x23) { const rest = await r.read(7); if (t === 0x2b) ch.write(Buffer.concat([h, rest])); if (t === 0x23) return; }
        else if (t === 0x2a) { const hh = await r.read(9); out += (await r.read(hh.readUInt16LE(7))).toString('latin1'); }
        else throw new Error(`unexpected SOL message 0x${t.toString(16)}`);
      }
    };
    await pump(400);
    for (const line of o.keys.split('\n').filter((x) => x !== '')) {
      const d = Buffer.from(line + '\r', 'latin1');
      const m = Buffer.alloc(10);
      m[0] = 0x28;
      m.writeUInt32LE(seq++, 4);
      m.writeUInt16LE(d.length, 8);
      ch.write(Buffer.concat([m, d]));
      await pump(300);
    }
    const end = Buffer.alloc(8);
    end[0] = 0x22;
    end.writeUInt32LE(seq++, 4);
    ch.write(end);
    await pump(1000);
    ch.write(Buffer.from([0x12, 0, 0, 0]));
    result['sol_started'] = started ? 'yes' : 'no';
    result['console_bytes'] = String(out.length);
    await sleep(100);
    ch.close();
  }
  clearTimeout(killer);
  say();
}

main().catch((e: unknown) => {
  process.stdout.write(`RESULT error=${JSON.stringify(e instanceof Error ? e.message : String(e))}\n`);
  process.exit(1);
});
