#!/usr/bin/env -S npx tsx
// Stand-in Intel AMT firmware for lab captures and tests (Node built-ins only).
//
//   npx tsx pcaps/gen/amt-server.ts --bind 192.0.2.10 --bind 2001:db8:1::10 \
//     --firmware 9.5.30.1000 --vulnerable --user admin --password 'Amt-P4ss!' \
//     --http 16992 --https 16993 --redir 16994 --redir-tls 16995 \
//     --cert pcaps/gen/certs/amt.crt --key pcaps/gen/certs/amt.key
//   extended ports (amtwatch --extended-ports): --dash-http 623 --dash-https 664 --rmcp 623
//     --rmcp-state post --kvm 5900 [--kvm-name 'Intel(r) AMT KVM'] [--kvm-password 'Kvm-P4s!']
//
// Prints one line `READY http=16992 https=16993 redir=16994 redir-tls=16995` on stdout once
// every listener is up; logs one line per request / redirection event on stderr; exits 0 on
// SIGTERM/SIGINT. `--web` turns it into a plain intranet web server (HTTP 80, HTTPS 443 by
// default) for background traffic. See `--help`.
import { readFileSync } from 'node:fs';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as netServer, type Server, type Socket } from 'node:net';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRealm } from './amt-server/digest.js';
import { AmtHttpApp, WebApp, serveHttp, type HttpApp } from './amt-server/http.js';
import { RedirSession, type RedirConfig } from './amt-server/redir.js';
import { answerRmcp, STATE_NAMES, type RmcpConfig } from './amt-server/rmcp.js';
import { RfbSession } from './amt-server/rfb.js';

const HELP = `usage: npx tsx pcaps/gen/amt-server.ts [options]
  --bind ADDR          address to listen on (repeatable; default 127.0.0.1)
  --firmware VER       AMT firmware version for Server: header, 0x11 reply, pages (default 11.8.50.3425)
  --vulnerable         reproduce CVE-2017-5689 (strncmp with the received response's length)
  --user NAME          digest / redirection user (default admin)
  --password PW        its password (default Amt-P4ss!)
  --realm REALM        digest realm (default "Digest:" + 4 hex derived from the first bind + 28 zeros)
  --hostname NAME      device host name used in pages, WS-Man and the SOL console (default amt)
  --domain NAME        DNS domain (default lab.example)
  --http PORT          HTTP web UI + WS-Man (AMT default 16992)
  --https PORT         same over TLS (16993)
  --redir PORT         redirection protocol SOL/IDE-R/KVM (16994)
  --redir-tls PORT     redirection over TLS (16995)
                       (if none of the four is given, all four standard ports are used;
                        PORT 0 picks a free port, the READY line tells which)
  --dash-http PORT     the HTTP app (web UI + WS-Man) on the DASH port too (TCP 623)
  --dash-https PORT    the same over TLS (TCP 664)
  --rmcp PORT          RMCP/ASF presence responder (UDP 623): ACK + 28-byte pong
  --rmcp-state S       provisioning state in the pong: pre, in or post (default post)
  --rmcp-version V     AMT major.minor in the pong (default: from --firmware)
  --rmcp-port N        AMT port in the pong (default 16992 when post-provisioned, else 0)
  --rmcp-dual          pong flag: both 16992 and 16993 open
  --kvm PORT           plain RFB server (the AMT KVM server on TCP 5900), VNC authentication
  --kvm-name NAME      its desktop name (default "Intel(r) AMT KVM")
  --kvm-password PW    its VNC password (8 characters; default Kvm-P4s!)
  --kvm-rfb VER        RFB version it announces: 003.008 (default) or 004.000
  --cert FILE --key FILE  TLS certificate and key (default pcaps/gen/certs/amt.{crt,key})
  --allow-userpass     also offer redirection auth type 1 (cleartext user/password; amtterm 1.4 uses it)
  --heartbeat-ms N     SOL heartbeat (0x2B) period; 0 = the interval the client asks for (default 0)
  --web                background web server instead of AMT (defaults: --http 80 --https 443)
  --quiet              no per-request log lines
`;

interface Opts {
  bind: string[];
  firmware: string;
  vulnerable: boolean;
  user: string;
  password: string;
  realm?: string;
  hostname: string;
  domain: string;
  http?: number;
  https?: number;
  redir?: number;
  redirTls?: number;
  dashHttp?: number;
  dashHttps?: number;
  rmcp?: number;
  rmcpState: 0 | 1 | 2;
  rmcpVersion?: string;
  rmcpPort?: number;
  rmcpDual: boolean;
  kvm?: number;
  kvmName: string;
  kvmPassword: string;
  kvmRfb: string;
  cert: string;
  key: string;
  allowUserpass: boolean;
  heartbeatMs: number;
  web: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Opts {
  const here = dirname(fileURLToPath(import.meta.url));
  const o: Opts = {
    bind: [], firmware: '11.8.50.3425', vulnerable: false, user: 'admin', password: 'Amt-P4ss!',
    hostname: 'amt', domain: 'lab.example', cert: join(here, 'certs/amt.crt'), key: join(here, 'certs/amt.key'),
    allowUserpass: false, heartbeatMs: 0, web: false, quiet: false,
    rmcpState: 2, rmcpDual: false, kvmName: 'Intel(r) AMT KVM', kvmPassword: 'Kvm-P4s!', kvmRfb: '003.008',
  };
  const port = (v: string | undefined, f: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${f}: bad port ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--bind': o.bind.push(val()); break;
      case '--firmware': o.firmware = val(); break;
      case '--vulnerable': o.vulnerable = true; break;
      case '--user': o.user = val(); break;
      case '--password': o.password = val(); break;
      case '--realm': o.realm = val(); break;
      case '--hostname': o.hostname = val(); break;
      case '--domain': o.domain = val(); break;
      case '--http': o.http = port(val(), a); break;
      case '--https': o.https = port(val(), a); break;
      case '--redir': o.redir = port(val(), a); break;
      case '--redir-tls': o.redirTls = port(val(), a); break;
      case '--dash-http': o.dashHttp = port(val(), a); break;
      case '--dash-https': o.dashHttps = port(val(), a); break;
      case '--rmcp': o.rmcp = port(val(), a); break;
      case '--rmcp-state': {
        const st = STATE_NAMES.indexOf(val() as (typeof STATE_NAMES)[number]);
        if (st < 0) throw new Error('--rmcp-state: pre, in or post');
        o.rmcpState = st as 0 | 1 | 2;
        break;
      }
      case '--rmcp-version': o.rmcpVersion = val(); break;
      case '--rmcp-port': o.rmcpPort = port(val(), a); break;
      case '--rmcp-dual': o.rmcpDual = true; break;
      case '--kvm': o.kvm = port(val(), a); break;
      case '--kvm-name': o.kvmName = val(); break;
      case '--kvm-password': o.kvmPassword = val(); break;
      case '--kvm-rfb': o.kvmRfb = val(); if (!/^\d{3}\.\d{3}$/.test(o.kvmRfb)) throw new Error('--kvm-rfb: like 003.008'); break;
      case '--cert': o.cert = val(); break;
      case '--key': o.key = val(); break;
      case '--allow-userpass': o.allowUserpass = true; break;
      case '--heartbeat-ms': o.heartbeatMs = Number(val()); break;
      case '--web': o.web = true; break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (o.bind.length === 0) o.bind.push('127.0.0.1');
  const none = o.http === undefined && o.https === undefined && o.redir === undefined && o.redirTls === undefined &&
    o.dashHttp === undefined && o.dashHttps === undefined && o.rmcp === undefined && o.kvm === undefined;
  if (none && o.web) { o.http = 80; o.https = 443; }
  if (none && !o.web) { o.http = 16992; o.https = 16993; o.redir = 16994; o.redirTls = 16995; }
  return o;
}

function addr(s: Socket, remote: boolean): string {
  const a = remote ? s.remoteAddress : s.localAddress;
  const p = remote ? s.remotePort : s.localPort;
  return a && a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (m: string): void => { if (!o.quiet) process.stderr.write(`${new Date().toISOString()} [amt-server ${o.hostname}] ${m}\n`); };
  const realm = o.realm ?? defaultRealm(`${o.hostname}/${o.bind[0]}`);
  const device = { firmware: o.firmware, hostname: o.hostname, domain: o.domain, ip: o.bind[0]!, realm, user: o.user };
  const redirCfg: RedirConfig = {
    user: o.user, password: o.password, realm, firmware: o.firmware, hostname: o.hostname,
    allowUserpass: o.allowUserpass, heartbeatMs: o.heartbeatMs,
  };
  const app: HttpApp = o.web
    ? new WebApp(o.hostname)
    : new AmtHttpApp({ device, digest: { user: o.user, password: o.password, realm, vulnerable: o.vulnerable }, redir: redirCfg });

  const needTls = o.https !== undefined || o.redirTls !== undefined || o.dashHttps !== undefined;
  const tlsOpts = needTls
    ? { cert: readFileSync(o.cert), key: readFileSync(o.key), minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.3' as const }
    : undefined;

  const sockets = new Set<Socket>();
  const track = (s: Socket): void => { sockets.add(s); s.on('close', () => sockets.delete(s)); };

  const onHttp = (tls: boolean) => (s: Socket): void => {
    track(s);
    if (tls) {
      const t = s as TLSSocket;
      log(`tls ${addr(s, true)} -> ${addr(s, false)} ${t.getProtocol()} ${t.getCipher().name} sni=${t.servername || '-'}`);
    }
    serveHttp(s, app, { peer: addr(s, true), local: addr(s, false), tls, sni: tls ? ((s as TLSSocket).servername || undefined) : undefined, log });
  };
  const onRedir = (tls: boolean) => (s: Socket): void => {
    track(s);
    s.setNoDelay(true);
    const peer = addr(s, true), local = addr(s, false);
    const sni = tls ? (s as TLSSocket).servername || '-' : undefined;
    log(`redir ${peer} -> ${local}${tls ? ` tls ${(s as TLSSocket).getProtocol()} sni=${sni}` : ''} connected`);
    const sess = new RedirSession(redirCfg, {
      write: (b) => { if (!s.destroyed) s.write(b); },
      close: () => { if (!s.destroyed) s.end(); },
      log: (m) => log(`${peer} -> ${local} ${m}`),
    });
    s.setTimeout(60_000, () => s.destroy());
    s.on('data', (d: Buffer) => sess.feed(d));
    s.on('end', () => sess.end());
    s.on('close', () => { log(`redir ${peer} -> ${local} closed`); sess.end(); });
    s.on('error', () => s.destroy());
  };

  const onKvm = (s: Socket): void => {
    track(s);
    s.setNoDelay(true);
    const peer = addr(s, true), local = addr(s, false);
    log(`rfb ${peer} -> ${local} connected`);
    const sess = new RfbSession(
      { name: o.kvmName, password: o.kvmPassword, version: o.kvmRfb, width: 64, height: 48 },
      {
        write: (b) => { if (!s.destroyed) s.write(b); },
        close: () => { if (!s.destroyed) s.end(); },
        log: (m) => log(`${peer} -> ${local} ${m}`),
      },
    );
    s.setTimeout(60_000, () => s.destroy());
    s.on('data', (d: Buffer) => sess.feed(d));
    s.on('close', () => { log(`rfb ${peer} -> ${local} closed`); sess.end(); });
    s.on('error', () => s.destroy());
  };

  const servers: Server[] = [];
  const ready: string[] = [];
  const listen = async (name: string, port: number | undefined, make: () => Server): Promise<void> => {
    if (port === undefined) return;
    let actual = port;
    for (const host of o.bind) {
      const srv = make();
      srv.on('tlsClientError', (e: Error, s: Socket) => log(`tls ${addr(s, true)} handshake failed: ${e.message}`));
      await new Promise<void>((res, rej) => {
        srv.once('error', rej);
        srv.listen({ host, port: actual, ipv6Only: host.includes(':') }, () => res());
      });
      const a = srv.address();
      if (a && typeof a === 'object') actual = a.port;
      servers.push(srv);
    }
    ready.push(`${name}=${actual}`);
  };
  await listen('http', o.http, () => netServer(onHttp(false)));
  await listen('https', o.https, () => {
    const srv = tlsServer(tlsOpts!, onHttp(true));
    return srv;
  });
  if (!o.web) {
    await listen('redir', o.redir, () => netServer(onRedir(false)));
    await listen('redir-tls', o.redirTls, () => tlsServer(tlsOpts!, onRedir(true)));
    await listen('dash-http', o.dashHttp, () => netServer(onHttp(false)));
    await listen('dash-https', o.dashHttps, () => tlsServer(tlsOpts!, onHttp(true)));
    await listen('kvm', o.kvm, () => netServer(onKvm));
  }
  const udp: UdpSocket[] = [];
  if (!o.web && o.rmcp !== undefined) {
    const [maj = '0', min = '0'] = o.firmware.split('.');
    const rc: RmcpConfig = {
      version: o.rmcpVersion ?? `${maj}.${min}`,
      state: o.rmcpState,
      port: o.rmcpPort ?? (o.rmcpState === 2 ? 16992 : 0),
      dual: o.rmcpDual,
    };
    let actual = o.rmcp;
    for (const host of o.bind) {
      const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
      sock.on('message', (msg, rinfo) => {
        const peer = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
        const local = host.includes(':') ? `[${host}]:${actual}` : `${host}:${actual}`;
        const a = answerRmcp(msg, rc);
        log(`rmcp ${peer} -> ${local} ${a.log}`);
        for (const r of a.replies) sock.send(r, rinfo.port, rinfo.address);
      });
      await new Promise<void>((res, rej) => {
        sock.once('error', rej);
        sock.bind({ address: host, port: actual }, () => res());
      });
      actual = sock.address().port;
      udp.push(sock);
    }
    ready.push(`rmcp=${actual}`);
  }
  log(`firmware ${o.firmware}${o.vulnerable ? ' (CVE-2017-5689 vulnerable)' : ''} realm ${realm} on ${o.bind.join(', ')}`);
  process.stdout.write(`READY ${ready.join(' ')}\n`);

  const stop = (sig: string): void => {
    log(`${sig}: shutting down`);
    for (const s of servers) s.close();
    for (const s of sockets) s.destroy();
    for (const u of udp) u.close();
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`amt-server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
