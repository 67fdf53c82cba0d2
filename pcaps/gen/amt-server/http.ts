// Raw HTTP/1.1 over net/tls sockets (no node:http) so that header bytes are exactly AMT's.
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { checkDigest, parseAuthorization, NonceBook, type DigestConfig } from './digest.js';
import {
  LOGON_FAILED_BODY, LOGO_GIF, STYLES_CSS, aclPage, genericPage, hwSysPage, indexPage, logonPage, type Device,
} from './pages.js';
import { handleWsman } from './wsman.js';
import { RedirSession, type RedirConfig } from './redir.js';

export interface Request {
  method: string;
  uri: string;
  version: string;
  headers: [string, string][];
  body: Buffer;
}

export function header(req: Request, name: string): string | undefined {
  const n = name.toLowerCase();
  return req.headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

export type Logger = (msg: string) => void;

export interface HttpApp {
  /** Returns the raw response bytes and whether to close the connection afterwards. */
  handle(req: Request, conn: ConnInfo): { bytes: Buffer; close: boolean; upgrade?: (sock: Socket, rest: Buffer) => void };
}

export interface ConnInfo {
  peer: string;
  local: string;
  tls: boolean;
  sni?: string | undefined;
  log: Logger;
}

const MAX_HEADER = 64 * 1024;

/** Serve HTTP/1.1 requests on one socket (keep-alive, Content-Length bodies). */
export function serveHttp(sock: Socket, app: HttpApp, info: ConnInfo): void {
  let buf: Buffer = Buffer.alloc(0);
  let busy = false;
  sock.setNoDelay(true);
  sock.setTimeout(30_000, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  const pump = (): void => {
    if (busy) return;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEADER) sock.destroy();
        return;
      }
      const head = buf.subarray(0, end).toString('latin1');
      const lines = head.split('\r\n');
      const [method = '', uri = '', version = 'HTTP/1.0'] = (lines[0] ?? '').split(' ');
      const headers: [string, string][] = [];
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c > 0) headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
      }
      const req0: Request = { method, uri, version, headers, body: Buffer.alloc(0) };
      const cl = parseInt(header(req0, 'content-length') ?? '0', 10) || 0;
      if (buf.length < end + 4 + cl) return;
      req0.body = buf.subarray(end + 4, end + 4 + cl);
      buf = buf.subarray(end + 4 + cl);
      const res = app.handle(req0, info);
      if (res.upgrade) {
        busy = true;
        sock.removeAllListeners('data');
        sock.setTimeout(0);
        sock.write(res.bytes);
        res.upgrade(sock, buf);
        return;
      }
      const wantsClose = /close/i.test(header(req0, 'connection') ?? '') || version === 'HTTP/1.0';
      if (res.close || wantsClose) {
        sock.end(res.bytes);
        busy = true;
        return;
      }
      sock.write(res.bytes);
    }
  };
  sock.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    pump();
  });
}

function httpDate(d = new Date()): string {
  return d.toUTCString();
}

// ------------------------------------------------------------------ AMT web UI + WS-Man

export interface AmtHttpConfig {
  device: Device;
  digest: DigestConfig;
  redir: RedirConfig;
}

const PROTECTED = new Set(['/index.htm', '/hw-sys.htm', '/acl.htm', '/hw-proc.htm', '/hw-mem.htm', '/hw-disk.htm',
  '/events.htm', '/power.htm', '/ip.htm', '/ipv6.htm', '/fqdn.htm', '/wsman', '/ws-redirection']);

export class AmtHttpApp implements HttpApp {
  readonly nonces = new NonceBook();
  constructor(private readonly cfg: AmtHttpConfig) {}

  private server(): string {
    return `Intel(R) Active Management Technology ${this.cfg.device.firmware}`;
  }

  /** The challenge exactly as AMT sends it (header order, `,stale` without a space, Connection: close). */
  unauthorized(): Buffer {
    const body = Buffer.from(LOGON_FAILED_BODY, 'latin1');
    const head =
      'HTTP/1.1 401 Unauthorized\r\n' +
      `WWW-Authenticate: Digest realm="${this.cfg.digest.realm}", nonce="${this.nonces.issue()}",stale="false",qop="auth"\r\n` +
      'Content-Type: text/html\r\n' +
      `Server: ${this.server()}\r\n` +
      `Content-Length: ${body.length}\r\n` +
      'Connection: close\r\n\r\n';
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  private ok(status: string, type: string, body: Buffer | string, extra = ''): Buffer {
    const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const head =
      `HTTP/1.1 ${status}\r\n` +
      `Date: ${httpDate()}\r\n` +
      `Server: ${this.server()}\r\n` +
      extra +
      `Content-Type: ${type}\r\n` +
      `Content-Length: ${b.length}\r\n` +
      (type.startsWith('text/html') ? 'Cache-Control: no-cache\r\nExpires: Thu, 26 Oct 1995 00:00:00 GMT\r\n' : '') +
      '\r\n';
    return Buffer.concat([Buffer.from(head, 'latin1'), b]);
  }

  handle(req: Request, c: ConnInfo): { bytes: Buffer; close: boolean; upgrade?: (sock: Socket, rest: Buffer) => void } {
    const path = req.uri.split('?')[0] ?? '/';
    const d = this.cfg.device;
    const where = `${c.peer} -> ${c.local}${c.tls ? ` tls sni=${c.sni ?? '-'}` : ''}`;
    const logRes = (user: string, result: string): void => c.log(`http ${where} ${req.method} ${req.uri} user=${user || '-'} result=${result}`);

    if (req.method === 'GET' && path === '/') {
      logRes('', '303');
      return { bytes: this.ok('303 See Other', 'text/html', '', 'Location: /logon.htm\r\n'), close: false };
    }
    if (req.method === 'GET' && path === '/logon.htm') {
      logRes('', '200');
      return { bytes: this.ok('200 OK', 'text/html', logonPage(d)), close: false };
    }
    if (req.method === 'GET' && path === '/styles.css') {
      logRes('', '200');
      return { bytes: this.ok('200 OK', 'text/css', STYLES_CSS), close: false };
    }
    if (req.method === 'GET' && path === '/logo.gif') {
      logRes('', '200');
      return { bytes: this.ok('200 OK', 'image/gif', LOGO_GIF), close: false };
    }
    if (!PROTECTED.has(path)) {
      logRes('', '404');
      return { bytes: this.ok('404 Not Found', 'text/html', '<html><body>Not Found</body></html>\n'), close: false };
    }
    // Everything below needs Digest.
    const authz = header(req, 'authorization');
    const parsed = authz ? parseAuthorization(authz) : null;
    if (!parsed) {
      logRes('', '401 (challenge)');
      return { bytes: this.unauthorized(), close: true };
    }
    const chk = checkDigest(this.cfg.digest, req.method, parsed, (n) => this.nonces.has(n));
    if (!chk.ok) {
      logRes(chk.user, `401 (${chk.detail})`);
      return { bytes: this.unauthorized(), close: true };
    }
    const okRes = (status: string): void => logRes(chk.user, `${status} (${chk.detail})`);

    if (path === '/wsman') {
      if (req.method !== 'POST') {
        okRes('405');
        return { bytes: this.ok('405 Method Not Allowed', 'text/html', ''), close: false };
      }
      const r = handleWsman(d, req.body.toString('utf8'));
      okRes(`${r.status} wsman ${r.what}`);
      return {
        bytes: this.ok(r.status === 200 ? '200 OK' : '400 Bad Request', 'application/soap+xml; charset=UTF-8', r.body),
        close: false,
      };
    }
    if (path === '/ws-redirection') {
      const key = header(req, 'sec-websocket-key');
      if (!key || !/websocket/i.test(header(req, 'upgrade') ?? '')) {
        okRes('400');
        return { bytes: this.ok('400 Bad Request', 'text/html', ''), close: true };
      }
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      okRes('101 websocket');
      const bytes = Buffer.from(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        'latin1',
      );
      return { bytes, close: false, upgrade: (sock, rest) => serveWsRedirection(sock, rest, this.cfg.redir, c) };
    }
    if (req.method !== 'GET') {
      okRes('405');
      return { bytes: this.ok('405 Method Not Allowed', 'text/html', ''), close: false };
    }
    okRes('200');
    const page =
      path === '/index.htm' ? indexPage(d, new Date())
        : path === '/hw-sys.htm' ? hwSysPage(d)
          : path === '/acl.htm' ? aclPage(d)
            : genericPage(d, path.slice(1));
    return { bytes: this.ok('200 OK', 'text/html', page), close: false };
  }
}

// ------------------------------------------------------------------ WebSocket carrying redirection

function wsFrame(payload: Buffer, opcode = 2): Buffer {
  const n = payload.length;
  const hdr = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff])
      : (() => { const h = Buffer.alloc(10); h[0] = 0x80 | opcode; h[1] = 127; h.writeBigUInt64BE(BigInt(n), 2); return h; })();
  return Buffer.concat([hdr, payload]);
}

function serveWsRedirection(sock: Socket, rest: Buffer, cfg: RedirConfig, c: ConnInfo): void {
  let buf = rest;
  const sess = new RedirSession(cfg, {
    write: (b) => { if (!sock.destroyed) sock.write(wsFrame(b)); },
    close: () => { if (!sock.destroyed) sock.end(wsFrame(Buffer.from([0x03, 0xe8]), 8)); },
    log: (m) => c.log(`ws ${c.peer} -> ${c.local} ${m}`),
  });
  const pump = (): void => {
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0]! & 0x0f;
      const masked = (buf[1]! & 0x80) !== 0;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      const maskOff = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskOff + (i & 3)]!;
      buf = buf.subarray(off + len);
      if (op === 0x8) { sess.end(); return; }
      if (op === 0x9) { sock.write(wsFrame(payload, 0xa)); continue; }
      if (op === 0x1 || op === 0x2 || op === 0x0) sess.feed(payload);
    }
  };
  sock.on('data', (d: Buffer) => { buf = buf.length ? Buffer.concat([buf, d]) : d; pump(); });
  sock.on('close', () => sess.end());
  sock.on('error', () => sock.destroy());
  pump();
}

// ------------------------------------------------------------------ background web server

export class WebApp implements HttpApp {
  constructor(private readonly hostname: string) {}
  handle(req: Request, c: ConnInfo): { bytes: Buffer; close: boolean } {
    const path = req.uri.split('?')[0] ?? '/';
    const found = path === '/' || path === '/index.html' || path === '/news.html' || path === '/favicon.ico';
    const body = found
      ? `<!doctype html>\n<html><head><title>${this.hostname} intranet</title></head>\n<body><h1>${this.hostname}</h1>\n<p>Page ${path}: lunch menu, phone list, holiday calendar.</p>\n</body></html>\n`
      : '<html><body><h1>404 Not Found</h1></body></html>\n';
    c.log(`web ${c.peer} -> ${c.local}${c.tls ? ` tls sni=${c.sni ?? '-'}` : ''} ${req.method} ${req.uri} result=${found ? 200 : 404}`);
    const b = Buffer.from(body, 'utf8');
    const head =
      `HTTP/1.1 ${found ? '200 OK' : '404 Not Found'}\r\nServer: nginx/1.22.1\r\nDate: ${httpDate()}\r\n` +
      `Content-Type: text/html\r\nContent-Length: ${b.length}\r\nConnection: keep-alive\r\n\r\n`;
    return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), b]), close: false };
  }
}
