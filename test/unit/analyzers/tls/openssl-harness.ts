/**
 * Real TLS handshakes for the analyzer tests: `openssl s_server` and `openssl s_client` on 127.0.0.1,
 * joined through a small Node TCP relay that records the bytes of each direction. Optionally the
 * exchange is captured on `lo` with tcpdump so tshark can compute its own JA3/JA3S from the same
 * packets; without tcpdump (or without the right to capture) a pcap is synthesized from the
 * recorded streams instead.
 *
 * Ordering is timing-independent: each direction is kept as its own byte stream, and the relay's
 * chunk list is causally ordered (a server byte is only ever recorded after the client bytes that
 * provoked it), whatever the packetization was.
 *
 * Every child process is tracked and killed in `killAll()`; every wait has a deadline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACK, FIN, PSH, SYN } from '../../../../pcaps/gen/lib/packets.js';
import { writePcap } from '../../../../pcaps/gen/lib/pcap-writer.js';

export function toolWorks(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

export const HAVE_OPENSSL = toolWorks('openssl', ['version']);
export const HAVE_TSHARK = toolWorks('tshark', ['--version']);
/** tcpdump can capture on lo only as root (or with capabilities): `-d` opens the device, so it probes that. */
export const CAN_TCPDUMP = toolWorks('tcpdump', ['-i', 'lo', '-d', 'tcp']);

export interface Chunk {
  dir: 0 | 1;
  data: Uint8Array;
}

export interface Exchange {
  /** Everything the client sent, in order. */
  client: Uint8Array;
  /** Everything the server sent, in order. */
  server: Uint8Array;
  /** The relay's reads, causally ordered. */
  chunks: Chunk[];
  /** A pcap holding every connection of the run (tcpdump capture, or synthesized), the TLS port in it. */
  pcapPath: string;
  pcapPort: number;
  /** This connection's tcp.stream index in the pcap. */
  stream: number;
  captured: boolean;
  clientStderr: string;
}

const children = new Set<ChildProcess>();

function track(p: ChildProcess): ChildProcess {
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}

/** Kills every child process this harness started and is still running (by pid, not by name). */
export function killAll(): void {
  for (const p of children) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}

function waitExit(p: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve(p.exitCode);
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      resolve(null);
    }, ms);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

/** Resolves with the first match of `re` in the process's stdout+stderr, or rejects after `ms`. */
function waitOutput(p: ChildProcess, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${re} in: ${text}`)), ms);
    const on = (b: Buffer) => {
      text += b.toString();
      const m = text.match(re);
      if (m) {
        clearTimeout(t);
        p.stdout?.off('data', on);
        p.stderr?.off('data', on);
        resolve(m);
      }
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.once('exit', () => {
      clearTimeout(t);
      reject(new Error(`exited before ${re}: ${text}`));
    });
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'amtwatch-tls-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CertFiles {
  cert: string;
  key: string;
  /** DER of the certificate. */
  der: Uint8Array;
}

/** A throwaway self-signed certificate made by openssl in `dir` (EC P-256 unless `extra` says otherwise). */
export function makeCert(dir: string, subj: string, name = 'srv', extra: string[] = [], rsa = false): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const keyArgs = rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const r = spawnSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', subj, ...extra], {
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr?.toString()}`);
  const d = spawnSync('openssl', ['x509', '-in', cert, '-outform', 'DER'], { timeout: 10_000 });
  if (d.status !== 0) throw new Error('openssl x509 -outform DER failed');
  return { cert, key, der: new Uint8Array(d.stdout) };
}

/** `openssl x509 -noout ...` on a certificate file, as name=value lines. */
export function opensslX509(certPath: string): Record<string, string> {
  const r = spawnSync(
    'openssl',
    ['x509', '-in', certPath, '-noout', '-subject', '-issuer', '-serial', '-dates', '-fingerprint', '-sha256', '-nameopt', 'RFC2253,-esc_msb', '-dateopt', 'iso_8601'],
    { timeout: 10_000 },
  );
  if (r.status !== 0) throw new Error(`openssl x509 failed: ${r.stderr?.toString()}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.toString().split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export type TlsVersionFlag = '1.0' | '1.1' | '1.2' | '1.3';

const VERSION_FLAG: Record<TlsVersionFlag, string> = { '1.0': '-tls1', '1.1': '-tls1_1', '1.2': '-tls1_2', '1.3': '-tls1_3' };

export interface ClientSpec {
  servername?: string;
  alpn?: string;
  /** Extra s_client arguments (-cipher, -groups, -sess_out FILE, -sess_in FILE ...). */
  args?: string[];
}

export interface ExchangeOptions {
  dir: string;
  cert: CertFiles;
  version: TlsVersionFlag;
  serverAlpn?: string;
  /** Extra s_server arguments (-cipher, -groups ...). */
  serverArgs?: string[];
  /** One s_client run per entry, one after the other, against the same s_server. */
  clients: ClientSpec[];
  /** Capture with tcpdump when possible (else a pcap is synthesized from the recorded bytes). */
  capture?: boolean;
  timeoutMs?: number;
}

function concatAll(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

interface Conn {
  chunks: Chunk[];
  done: Promise<void>;
}

/**
 * s_client -> relay -> s_server exchanges: each client sends an HTTP/1.0 GET, s_server (-www)
 * answers with its status page and closes. Resolves once every connection is done.
 */
export async function runExchanges(o: ExchangeOptions): Promise<Exchange[]> {
  const deadline = o.timeoutMs ?? 20_000;
  const srvArgs = ['s_server', '-accept', '127.0.0.1:0', '-naccept', String(o.clients.length), '-www', '-cert', o.cert.cert, '-key', o.cert.key];
  srvArgs.push(VERSION_FLAG[o.version]);
  if (o.serverAlpn) srvArgs.push('-alpn', o.serverAlpn);
  if (o.serverArgs) srvArgs.push(...o.serverArgs);
  const srv = track(spawn('openssl', srvArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const relay = createServer();
  const conns: Conn[] = [];
  let tcpdump: ChildProcess | null = null;
  const pcapPath = join(o.dir, `x-${Date.now()}-${Math.random().toString(16).slice(2)}.pcap`);
  try {
    const m = await waitOutput(srv, /ACCEPT\s+\S*:(\d+)/, deadline);
    const srvPort = Number(m[1]);
    relay.on('connection', (c: Socket) => {
      const chunks: Chunk[] = [];
      let fin!: () => void;
      const done = new Promise<void>((r) => (fin = r));
      conns.push({ chunks, done });
      const up = connect(srvPort, '127.0.0.1');
      let closed = 0;
      const onClose = () => {
        if (++closed === 2) fin();
      };
      c.on('data', (b: Buffer) => {
        chunks.push({ dir: 0, data: new Uint8Array(b) });
        up.write(b);
      });
      up.on('data', (b: Buffer) => {
        chunks.push({ dir: 1, data: new Uint8Array(b) });
        c.write(b);
      });
      c.on('end', () => up.end());
      up.on('end', () => c.end());
      c.on('close', onClose);
      up.on('close', onClose);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    const relayPort = await listen(relay);
    let captured = false;
    if (o.capture && CAN_TCPDUMP) {
      tcpdump = track(
        spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-n', '-s', '0', '-w', pcapPath, 'tcp', 'port', String(relayPort)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      await waitOutput(tcpdump, /listening on/, deadline);
      captured = true;
    }
    const stderrs: string[] = [];
    for (const spec of o.clients) {
      const cliArgs = ['s_client', '-connect', `127.0.0.1:${relayPort}`, '-ign_eof', VERSION_FLAG[o.version]];
      if (spec.servername) cliArgs.push('-servername', spec.servername);
      else cliArgs.push('-noservername');
      if (spec.alpn) cliArgs.push('-alpn', spec.alpn);
      if (spec.args) cliArgs.push(...spec.args);
      const cli = track(spawn('openssl', cliArgs, { stdio: ['pipe', 'pipe', 'pipe'] }));
      let err = '';
      cli.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      cli.stdout?.on('data', () => undefined);
      cli.stdin?.end('GET / HTTP/1.0\r\n\r\n');
      const code = await waitExit(cli, deadline);
      if (code === null) throw new Error(`s_client timed out: ${err}`);
      const last = conns[conns.length - 1];
      if (last) await Promise.race([last.done, new Promise((r) => setTimeout(r, 2000))]);
      stderrs.push(err);
    }
    await waitExit(srv, 2000);
    if (tcpdump) {
      await new Promise((r) => setTimeout(r, 300));
      tcpdump.kill('SIGINT');
      await waitExit(tcpdump, 5000);
    }
    if (!captured) writeFileSync(pcapPath, synthesizePcap(conns.map((c) => c.chunks), relayPort));
    return conns.map((c, i) => ({
      client: concatAll(c.chunks.filter((x) => x.dir === 0).map((x) => x.data)),
      server: concatAll(c.chunks.filter((x) => x.dir === 1).map((x) => x.data)),
      chunks: c.chunks,
      pcapPath,
      pcapPort: relayPort,
      stream: i,
      captured,
      clientStderr: stderrs[i] ?? '',
    }));
  } finally {
    relay.close();
    if (tcpdump && tcpdump.exitCode === null) tcpdump.kill('SIGKILL');
    if (srv.exitCode === null) srv.kill('SIGKILL');
  }
}

/** A pcap of the recorded connections (one TCP segment of at most 1400 bytes per piece). */
export function synthesizePcap(conns: readonly (readonly Chunk[])[], serverPort: number): Buffer {
  // Minimal Ethernet/IPv4/TCP frames (tshark does not verify checksums by default).
  const frames: { tsNs: bigint; data: Uint8Array }[] = [];
  let t = 1_700_000_000_000_000_000n;
  conns.forEach((chunks, idx) => {
    const cport = 40000 + idx;
    let cseq = 1000;
    let sseq = 5000;
    const mk = (fromClient: boolean, flags: number, payload: Uint8Array): void => {
      const ip = new Uint8Array(14 + 20 + 20 + payload.length);
      const dv = new DataView(ip.buffer);
      ip.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
      dv.setUint16(12, 0x0800);
      dv.setUint8(14, 0x45);
      dv.setUint16(16, 40 + payload.length);
      dv.setUint8(22, 64);
      dv.setUint8(23, 6);
      ip.set(fromClient ? [127, 0, 0, 1] : [127, 0, 0, 2], 26);
      ip.set(fromClient ? [127, 0, 0, 2] : [127, 0, 0, 1], 30);
      dv.setUint16(34, fromClient ? cport : serverPort);
      dv.setUint16(36, fromClient ? serverPort : cport);
      dv.setUint32(38, fromClient ? cseq : sseq);
      dv.setUint32(42, flags & ACK ? (fromClient ? sseq : cseq) : 0);
      dv.setUint8(46, 0x50);
      dv.setUint8(47, flags);
      dv.setUint16(48, 65535);
      ip.set(payload, 54);
      frames.push({ tsNs: t, data: ip });
      t += 1000n;
      const adv = payload.length + (flags & (SYN | FIN) ? 1 : 0);
      if (fromClient) cseq = (cseq + adv) >>> 0;
      else sseq = (sseq + adv) >>> 0;
    };
    const empty = new Uint8Array(0);
    mk(true, SYN, empty);
    mk(false, SYN | ACK, empty);
    mk(true, ACK, empty);
    for (const c of chunks) {
      for (let o = 0; o < c.data.length; o += 1400) mk(c.dir === 0, PSH | ACK, c.data.subarray(o, Math.min(c.data.length, o + 1400)));
    }
    mk(true, FIN | ACK, empty);
    mk(false, FIN | ACK, empty);
  });
  return writePcap(frames, { linkType: 1 });
}

/** tshark -T fields over a pcap, the TLS port decoded as TLS; one array of values per packet line. */
export function tsharkFields(pcapPath: string, port: number, fields: string[], filter: string): string[][] {
  const args = ['-r', pcapPath, '-n', '-d', `tcp.port==${port},tls`, '-Y', filter, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { timeout: 30_000, env: { ...process.env, HOME: tmpdir() } });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr?.toString()}`);
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('|'));
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
