// Checks the stand-in AMT server (pcaps/gen/amt-server.ts) with real clients: curl, amtterm,
// openssl s_client and nmap's http-vuln-cve2017-5689 script, plus raw-socket checks of the
// exact 401 bytes. Servers listen on 127.0.0.1 with kernel-chosen high ports. Each client
// runs under a hard timeout; tests whose tool is missing are skipped with a message.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = join(ROOT, 'pcaps/gen/amt-server.ts');
const CLIENT = join(ROOT, 'pcaps/gen/real/redir-client.ts');
const PASSWORD = 'Amt-P4ss!';

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
const HAVE = Object.fromEntries(['curl', 'amtterm', 'openssl', 'nmap', 'vncsnapshot', 'vncpasswd'].map((t) => [t, have(t)])) as Record<string, boolean>;
for (const [t, ok] of Object.entries(HAVE)) {
  if (!ok) console.warn(`[amt-server.test] '${t}' not installed: its checks are skipped`);
}

interface Srv {
  proc: ChildProcess;
  ports: Record<string, number>;
  log: () => string;
  exit: Promise<number | null>;
}

const spawned: ChildProcess[] = [];

async function startServer(args: string[]): Promise<Srv> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER, '--bind', '127.0.0.1', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(proc);
  let err = '';
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const ports = await new Promise<Record<string, number>>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`server did not get ready: ${err}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (.*)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        res(Object.fromEntries(m[1]!.split(' ').map((kv) => { const [k, v] = kv.split('='); return [k!, Number(v)]; })));
      }
    });
    proc.on('exit', (c) => { clearTimeout(t); rej(new Error(`server exited ${c}: ${err}`)); });
  });
  return { proc, ports, log: () => err, exit };
}

interface Run { code: number | null; stdout: string; stderr: string; timedOut: boolean }

/** Run a client with a hard timeout; `feed` may write to stdin as output arrives. */
function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string; feed?: (p: ChildProcess, out: () => string, err: () => string) => void } = {}): Promise<Run> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout!.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    p.stderr!.on('data', (d: Buffer) => { stderr += d.toString('latin1'); });
    p.stdin!.on('error', () => {});
    const t = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, opts.timeoutMs ?? 15_000);
    p.on('close', (code) => { clearTimeout(t); res({ code, stdout, stderr, timedOut }); });
    if (opts.input !== undefined) p.stdin!.end(opts.input);
    opts.feed?.(p, () => stdout, () => stderr);
  });
}

/** Raw HTTP exchange; resolves with all bytes received until the server closes (or timeout). */
function rawHttp(port: number, request: string, timeoutMs = 5000): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => s.write(request));
    const t = setTimeout(() => { s.destroy(); res({ data: Buffer.concat(chunks), closedByServer: false }); }, timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => { clearTimeout(t); s.destroy(); res({ data: Buffer.concat(chunks), closedByServer: true }); });
    s.on('error', (e) => { clearTimeout(t); rej(e); });
  });
}

async function challenge(port: number): Promise<{ realm: string; nonce: string }> {
  const { data } = await rawHttp(port, 'GET /index.htm HTTP/1.1\r\nHost: amt\r\n\r\n');
  const head = data.toString('latin1');
  return { realm: /realm="([^"]+)"/.exec(head)![1]!, nonce: /nonce="([^"]+)"/.exec(head)![1]! };
}

/** Server log lines are written asynchronously to the client's exit: poll briefly. */
async function logMatches(srv: Srv, re: RegExp | string, ms = 3000): Promise<boolean> {
  const test = (): boolean => (typeof re === 'string' ? srv.log().includes(re) : re.test(srv.log()));
  const until = Date.now() + ms;
  while (!test() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return test();
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
function digestHeader(realm: string, nonce: string, uri: string, response: string, cnonce = 'a1b2c3d4e5f60718'): string {
  return `Digest username="admin", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}"`;
}
function correctResponse(realm: string, nonce: string, uri: string, cnonce = 'a1b2c3d4e5f60718'): string {
  return md5(`${md5(`admin:${realm}:${PASSWORD}`)}:${nonce}:00000001:${cnonce}:auth:${md5(`GET:${uri}`)}`);
}

const EXPECTED_401 =
  /^HTTP\/1\.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="Digest:[0-9A-F]{32}", nonce="[A-Za-z0-9+/]{32}",stale="false",qop="auth"\r\nContent-Type: text\/html\r\nServer: Intel\(R\) Active Management Technology 9\.5\.30\.1000\r\nContent-Length: 690\r\nConnection: close\r\n\r\n$/;

let vuln: Srv;
let patched: Srv;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'amtw-srv-test-'));
  const common = ['--user', 'admin', '--password', PASSWORD, '--http', '0', '--https', '0', '--redir', '0', '--redir-tls', '0'];
  [vuln, patched] = await Promise.all([
    startServer([...common, '--firmware', '9.5.30.1000', '--vulnerable', '--allow-userpass', '--hostname', 'amt10']),
    startServer([...common, '--firmware', '11.8.50.3425', '--hostname', 'amt11']),
  ]);
});

afterAll(async () => {
  for (const s of [vuln, patched]) {
    if (!s) continue;
    s.proc.kill('SIGTERM');
    const code = await Promise.race([s.exit, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    if (code === 'timeout') s.proc.kill('SIGKILL');
    expect(code).toBe(0); // clean exit on SIGTERM
  }
  for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('HTTP 16992 (raw bytes)', () => {
  it('401 challenge has the exact AMT header block and the 690-byte body, then closes', async () => {
    const { data, closedByServer } = await rawHttp(vuln.ports.http!, 'GET /index.htm HTTP/1.1\r\nHost: amt\r\n\r\n');
    const s = data.toString('latin1');
    const split = s.indexOf('\r\n\r\n') + 4;
    expect(s.slice(0, split)).toMatch(EXPECTED_401);
    expect(data.length - split).toBe(690);
    expect(s.slice(split)).toContain('Log on failed. Incorrect user name or password, or user account temporarily locked.');
    expect(closedByServer).toBe(true);
  });

  it('GET / redirects to /logon.htm with the AMT Server header; logon page is public', async () => {
    const r = await rawHttp(vuln.ports.http!, 'GET / HTTP/1.1\r\nHost: amt\r\nConnection: close\r\n\r\n');
    const s = r.data.toString('latin1');
    expect(s).toMatch(/^HTTP\/1\.1 303 See Other\r\n/);
    expect(s).toContain('\r\nLocation: /logon.htm\r\n');
    expect(s).toContain('\r\nServer: Intel(R) Active Management Technology 9.5.30.1000\r\n');
    const l = await rawHttp(vuln.ports.http!, 'GET /logon.htm HTTP/1.1\r\nHost: amt\r\nConnection: close\r\n\r\n');
    expect(l.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('keeps an authenticated connection alive (two requests, one socket)', async () => {
    const { realm, nonce } = await challenge(patched.ports.http!);
    const req = (uri: string): string =>
      `GET ${uri} HTTP/1.1\r\nHost: amt\r\nAuthorization: ${digestHeader(realm, nonce, uri, correctResponse(realm, nonce, uri))}\r\n\r\n`;
    const { data, closedByServer } = await rawHttp(patched.ports.http!, req('/index.htm') + req('/hw-sys.htm'), 1500);
    const s = data.toString('latin1');
    expect(s.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
    expect(s).toContain('Computer model');
    expect(closedByServer).toBe(false);
  });
});

describe.skipIf(!HAVE.curl)('curl', () => {
  const curl = (args: string[]): Promise<Run> => run('curl', ['-sS', '--max-time', '8', ...args]);

  it('--digest with the right password -> 200, wrong -> 401', async () => {
    const good = await curl(['-o', '-', '-w', '\n%{http_code}', '--digest', '-u', `admin:${PASSWORD}`, `http://127.0.0.1:${vuln.ports.http}/index.htm`]);
    expect(good.stdout.trim().split('\n').pop()).toBe('200');
    expect(good.stdout).toContain('System ID');
    const sys = await curl(['-o', '-', '--digest', '-u', `admin:${PASSWORD}`, `http://127.0.0.1:${patched.ports.http}/hw-sys.htm`]);
    expect(sys.stdout).toContain('Computer model');
    expect(sys.stdout).toContain('Hardware Information');
    const bad = await curl(['-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', 'admin:wrong', `http://127.0.0.1:${vuln.ports.http}/index.htm`]);
    expect(bad.stdout).toBe('401');
  });

  for (const [label, resp] of [['empty', () => ''], ['1-hex-digit truncated', (r: string) => r.slice(0, 1)]] as const) {
    it(`hand-made Digest with ${label} response: 200 when --vulnerable, 401 when patched`, async () => {
      for (const [srv, want] of [[vuln, '200'], [patched, '401']] as const) {
        const { realm, nonce } = await challenge(srv.ports.http!);
        const h = digestHeader(realm, nonce, '/index.htm', resp(correctResponse(realm, nonce, '/index.htm')));
        const r = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: ${h}`, `http://127.0.0.1:${srv.ports.http}/index.htm`]);
        expect(r.stdout, `${srv === vuln ? 'vulnerable' : 'patched'} server`).toBe(want);
      }
      expect(await logMatches(vuln, /BYPASS \(response length [01]\)/)).toBe(true);
    });
  }

  it('WS-Man RequestPowerStateChange over --digest -> ReturnValue 0', async () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?><Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><Header>' +
      '<a:Action>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService/RequestPowerStateChange</a:Action>' +
      '<a:To>/wsman</a:To><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService</w:ResourceURI>' +
      '<a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID></Header><Body>' +
      '<r:RequestPowerStateChange_INPUT xmlns:r="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService"><r:PowerState>8</r:PowerState></r:RequestPowerStateChange_INPUT></Body></Envelope>';
    const r = await curl(['-o', '-', '-w', '\n%{http_code}', '--digest', '-u', `admin:${PASSWORD}`, '-H', 'Content-Type: application/soap+xml;charset=UTF-8', '--data-binary', body, `http://127.0.0.1:${vuln.ports.http}/wsman`]);
    expect(r.stdout.trim().split('\n').pop()).toBe('200');
    expect(r.stdout).toContain('<g:ReturnValue>0</g:ReturnValue>');
    expect(r.stdout).toContain('RelatesTo>uuid:11111111-2222-3333-4444-555555555555<');
  });
});

describe.skipIf(!HAVE.amtterm)('amtterm (SOL on the redirection port)', () => {
  it('logs in with the right password, types at the console and quits with ^]', async () => {
    const r = await run('amtterm', ['-u', 'admin', '-p', PASSWORD, '127.0.0.1', String(vuln.ports.redir)], {
      timeoutMs: 15_000,
      feed: (p, out, err) => {
        const steps: [() => boolean, string][] = [
          [() => err().includes('serial-over-lan redirection ok') && out().includes('login: '), 'root\r'],
          [() => out().includes('Password: '), 'toor\r'],
          [() => out().includes('root@amt10:~# '), 'uname -a\r'],
          [() => out().includes('GNU/Linux'), '\x1d'],
        ];
        const tick = setInterval(() => {
          const s = steps[0];
          if (!s) { clearInterval(tick); return; }
          if (s[0]()) { p.stdin!.write(s[1]); steps.shift(); }
        }, 50);
        p.on('close', () => clearInterval(tick));
      },
    });
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toContain('AUTH -> INIT_SOL');
    expect(r.stderr).toContain('serial-over-lan redirection ok');
    expect(r.stderr).toContain('CLOSING -> CLOSED');
    expect(r.stdout).toContain('amt10 login: root');
    expect(r.stdout).toContain('Linux amt10');
    expect(await logMatches(vuln, /redir SOL: auth userpass user=admin result=OK/)).toBe(true);
    expect(await logMatches(vuln, /redir SOL: EndRedirectionSession \(0x12\)/)).toBe(true);
  });

  it('reports "session authentication failed" with a wrong password', async () => {
    const r = await run('amtterm', ['-u', 'admin', '-p', 'not-the-password', '127.0.0.1', String(vuln.ports.redir)], { timeoutMs: 10_000, input: '' });
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toContain('session authentication failed');
    expect(r.stderr).not.toContain('serial-over-lan redirection ok');
  });

  it('fails against a server that does not offer userpass (amtterm 1.4 only speaks auth type 1)', async () => {
    const r = await run('amtterm', ['-u', 'admin', '-p', PASSWORD, '127.0.0.1', String(patched.ports.redir)], { timeoutMs: 10_000, input: '' });
    expect(r.stderr).toContain('session authentication failed');
  });
});

describe.skipIf(!HAVE.openssl)('openssl s_client on 16993', () => {
  for (const v of ['1_2', '1_3'] as const) {
    it(`-tls${v} with -servername negotiates TLSv${v.replace('_', '.')} and carries HTTP`, async () => {
      const r = await run('openssl', ['s_client', `-tls${v}`, '-servername', `amt10-tls${v}.lab.example`, '-connect', `127.0.0.1:${vuln.ports.https}`, '-ign_eof'], {
        timeoutMs: 10_000,
        input: 'GET / HTTP/1.1\r\nHost: amt10.lab.example\r\nConnection: close\r\n\r\n',
      });
      expect(r.timedOut).toBe(false);
      expect(r.stdout).toContain(`Protocol  : TLSv${v.replace('_', '.')}`);
      expect(r.stdout).toContain('HTTP/1.1 303 See Other');
      expect(await logMatches(vuln, `sni=amt10-tls${v}.lab.example`)).toBe(true);
    });
  }

  it('redirection over TLS (16995) answers 0x11 inside TLS 1.3', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', CLIENT, '--host', '127.0.0.1', '--port', String(vuln.ports['redir-tls']), '--tls', '--mode', 'kvm', '--password', PASSWORD, '--timeout', '10'], { timeoutMs: 15_000 });
    expect(r.stdout).toContain('authenticated=yes');
    expect(r.stdout).toContain('desktop="Intel(r) AMT KVM"');
  });
});

describe.skipIf(!HAVE.nmap)('nmap http-vuln-cve2017-5689', () => {
  // The script's portrule wants port 16992/16993/623/664 or service amt-soap-http(s). Instead of
  // binding 16992 we point nmap at a data directory whose nmap-services names our high ports
  // amt-soap-http (nmap falls back to its own data files for everything else).
  let datadir: string;
  beforeAll(() => {
    datadir = join(tmp, 'nmap-data');
    spawnSync('mkdir', ['-p', datadir]);
    const sys = ['/usr/share/nmap/nmap-services', '/usr/local/share/nmap/nmap-services'].find((f) => existsSync(f));
    const ports = [vuln.ports.http!, patched.ports.http!];
    const base = sys ? readFileSync(sys, 'utf8').split('\n').filter((l) => !ports.some((p) => l.includes(`\t${p}/tcp`))).join('\n') : '';
    writeFileSync(join(datadir, 'nmap-services'), base + ports.map((p) => `\namt-soap-http\t${p}/tcp\t0.500000\t# amtwatch test`).join('') + '\n');
  });

  const scan = (port: number): Promise<Run> =>
    run('nmap', ['-Pn', '-n', '-sT', '-p', String(port), '--datadir', datadir, '--script', 'http-vuln-cve2017-5689', '--script-args', 'vulns.showall', '--host-timeout', '30s', '127.0.0.1'], { timeoutMs: 45_000 });

  it('reports VULNERABLE against the --vulnerable build', async () => {
    const r = await scan(vuln.ports.http!);
    expect(r.stdout).toContain('amt-soap-http');
    expect(r.stdout).toMatch(/State: VULNERABLE/);
    expect(await logMatches(vuln, /GET \/index\.htm user=admin result=200 \(BYPASS \(response length 0\)\)/)).toBe(true);
  });

  it('reports NOT VULNERABLE against the patched build', async () => {
    const r = await scan(patched.ports.http!);
    expect(r.stdout).toMatch(/State: NOT VULNERABLE/);
    expect(await logMatches(patched, /GET \/index\.htm user=admin result=401 \(bad response \(length 0\)\)/)).toBe(true);
  });
});

describe('stand-in redirection client (IDE-R, KVM, WebSocket)', () => {
  const client = (args: string[]): Promise<Run> =>
    run(process.execPath, ['--import', 'tsx', CLIENT, '--host', '127.0.0.1', '--password', PASSWORD, '--timeout', '10', ...args], { timeoutMs: 15_000 });

  it('IDE-R session serves the CD-ROM reads the AMT asks for', async () => {
    const r = await client(['--port', String(vuln.ports.redir), '--mode', 'ider']);
    expect(r.stdout).toContain('authenticated=yes');
    expect(r.stdout).toContain('commands=00,25,28,28');
  });

  it('KVM gets 0x41 + RFB 003.008 and the "Intel(r) AMT KVM" desktop; wrong password is refused', async () => {
    const ok = await client(['--port', String(patched.ports.redir), '--mode', 'kvm']);
    expect(ok.stdout).toContain('rfb="RFB 003.008"');
    expect(ok.stdout).toContain('desktop="Intel(r) AMT KVM"');
    const bad = await client(['--port', String(patched.ports.redir), '--mode', 'kvm', '--password', 'nope-' + randomBytes(3).toString('hex')]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain('authenticated=no');
  });

  it('SOL over the /ws-redirection WebSocket after HTTP digest', async () => {
    const r = await client(['--port', String(vuln.ports.http), '--ws', '--mode', 'sol', '--keys', 'root\\ntoor\\nid\\n']);
    expect(r.stdout).toContain('sol_started=yes');
    expect(await logMatches(vuln, /GET \/ws-redirection user=admin result=101 websocket/)).toBe(true);
  });
});

/** One UDP exchange with the RMCP responder on 127.0.0.1: every datagram that comes back within `ms`. */
function udpExchange(port: number, msg: Buffer, ms = 700): Promise<Buffer[]> {
  return new Promise((res) => {
    const sock = createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    sock.bind(0, '127.0.0.1', () => {
      sock.send(msg, port, '127.0.0.1');
      setTimeout(() => {
        sock.close();
        res(got);
      }, ms);
    });
  });
}

describe('extended ports (amtwatch --extended-ports): RMCP on UDP 623, DASH on 623/664, the AMT KVM server on 5900', () => {
  let ext: Srv;
  let unprov: Srv;
  beforeAll(async () => {
    [ext, unprov] = await Promise.all([
      startServer(['--firmware', '9.5.30.1000', '--user', 'admin', '--password', PASSWORD, '--dash-http', '0', '--dash-https', '0', '--rmcp', '0', '--kvm', '0', '--kvm-password', 'Kvm-P4s!']),
      startServer(['--firmware', '11.8.50.3425', '--rmcp', '0', '--rmcp-state', 'pre']),
    ]);
  });
  afterAll(() => {
    for (const s of [ext, unprov]) s?.proc.kill('SIGTERM');
  });

  it('answers a presence ping with the pong layout of amt-protocol.md 5 (the real 9.5 provisioned bytes), ACKing a sequence other than 0xff', async () => {
    const nmapPing = Buffer.from('0600ff06000011be80000000', 'hex');
    expect((await udpExchange(ext.ports.rmcp!, nmapPing)).map((b) => b.toString('hex'))).toEqual([
      '0600ff06000011be40000010' + '00000157426095020020000000000000',
    ]);
    const meshPing = Buffer.from('06000006000011BE80070000', 'hex');
    expect((await udpExchange(ext.ports.rmcp!, meshPing)).map((b) => b.toString('hex'))).toEqual([
      '06000086',
      '06000006000011be40070010' + '00000157426095020020000000000000',
    ]);
    // unprovisioned AMT 11.8: port 0, state 0
    expect((await udpExchange(unprov.ports.rmcp!, nmapPing)).map((b) => b.toString('hex'))).toEqual([
      '0600ff06000011be40000010' + '000001570000b8000020000000000000',
    ]);
  });

  it('does not answer IPMI (class 0x07) or non-RMCP bytes', async () => {
    expect(await udpExchange(ext.ports.rmcp!, Buffer.from('0600ff07000000000000000000092018c88100388e04b5', 'hex'))).toEqual([]);
    expect(await udpExchange(ext.ports.rmcp!, Buffer.from('hello'))).toEqual([]);
    expect(await logMatches(ext, /IPMI \(class 0x07, 23 bytes\), not answered/)).toBe(true);
  });

  it.skipIf(!HAVE.curl)('serves the AMT web app on the DASH ports (digest over HTTP, and over TLS)', async () => {
    const h = await run('curl', ['-sS', '--max-time', '5', '--digest', '-u', `admin:${PASSWORD}`, '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${ext.ports['dash-http']}/index.htm`]);
    expect(h.stdout).toBe('200');
    const t = await run('curl', ['-sS', '-k', '--max-time', '5', '--digest', '-u', `admin:${PASSWORD}`, '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${ext.ports['dash-https']}/index.htm`]);
    expect(t.stdout).toBe('200');
  });

  it.skipIf(!HAVE.vncsnapshot || !HAVE.vncpasswd)('a real VNC client (vncsnapshot) logs in with the RFB password and reads "Intel(r) AMT KVM"; a wrong password is refused', async () => {
    const pw = join(tmp, 'kvm.passwd');
    writeFileSync(pw, spawnSync('vncpasswd', ['-f'], { input: 'Kvm-P4s!\n' }).stdout);
    const ok = await run('vncsnapshot', ['-allowblank', '-passwd', pw, `127.0.0.1::${ext.ports.kvm}`, join(tmp, 'ok.jpg')], { timeoutMs: 20_000 });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('Desktop name "Intel(r) AMT KVM"');
    expect(existsSync(join(tmp, 'ok.jpg'))).toBe(true);
    expect(await logMatches(ext, 'rfb auth vnc result=OK')).toBe(true);
    const badPw = join(tmp, 'bad.passwd');
    writeFileSync(badPw, spawnSync('vncpasswd', ['-f'], { input: 'wrong-pw\n' }).stdout);
    const bad = await run('vncsnapshot', ['-allowblank', '-passwd', badPw, `127.0.0.1::${ext.ports.kvm}`, join(tmp, 'bad.jpg')], { timeoutMs: 20_000 });
    expect(bad.code).not.toBe(0);
    expect(await logMatches(ext, 'rfb auth vnc result=FAIL')).toBe(true);
  });
});
