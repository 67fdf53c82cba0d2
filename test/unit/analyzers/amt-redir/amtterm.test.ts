/**
 * The real SOL client against a stand-in AMT: a tiny TCP server on 127.0.0.1 (ephemeral port) speaks
 * just enough of the AMT side (0x11, the auth exchange with the password checked, 0x21, console
 * output) for `amtterm` to log in and start SOL. Both directions are recorded and fed to the analyzer.
 *
 * Debian's amtterm 1.4 authenticates with userpass (type 1, cleartext) and never sends the auth
 * query; amtterm >= 1.5 queries and prefers digest (type 4), but defaults to TLS and its plain-TCP
 * mode (-P) cannot connect in 1.8, so the digest path is covered by the recorded amtterm 1.8 bytes in
 * fixtures.ts. The stand-in handles both so a digest-capable plain-TCP amtterm would be checked too.
 *
 * Skipped (with a message) when amtterm is missing. Every run is bounded by a timeout that SIGKILLs
 * the child it started.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cat, type Event, lp } from './fixtures.js';
import { runSteps } from './host.js';

const AMTTERM = process.env['AMTTERM'] ?? 'amtterm';
const help = spawnSync(AMTTERM, ['-h'], { encoding: 'utf8', timeout: 5000 });
const installed = !help.error;
const usage = `${help.stdout ?? ''}${help.stderr ?? ''}`;
/** amtterm >= 1.5 has -P ("legacy non-SSL connection") and defaults to TLS; 1.8's -P does not connect. */
const tlsDefault = /-P\s/.test(usage);
const runnable = installed && !tlsDefault;
const skipReason = runnable
  ? 'amtterm present: the live test runs instead'
  : !installed
    ? `amtterm not found (${AMTTERM}): live test skipped; install the Debian package amtterm`
    : `${AMTTERM} defaults to TLS (has -P, which cannot connect in 1.8): live plain-TCP test skipped`;

const PASSWORD = 'Sol-Pass-42';
const REALM = 'Digest:0F1E2D3C4B5A69788796A5B4C3D2E1F0';
const NONCE = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
function reply14(status: number, type: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat([0x14, status, 0, 0, type], u32le(data.length), data);
}
function strs(d: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.length; ) {
    const n = d[i] as number;
    out.push(String.fromCharCode(...d.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
  return out;
}
/** Length of the client message at the head of `b`, or 0 when more bytes are needed. */
function clientMsgLen(b: Uint8Array): number {
  const t = b[0];
  const need = (n: number): number => (b.length >= n ? n : 0);
  switch (t) {
    case 0x10:
      return need(8);
    case 0x12:
      return need(4);
    case 0x13:
      return b.length < 9 ? 0 : need(9 + ((b[5] as number) | ((b[6] as number) << 8) | ((b[7] as number) << 16)));
    case 0x20:
      return need(24);
    case 0x22:
    case 0x24:
    case 0x25:
    case 0x2b:
      return need(8);
    case 0x28:
      return b.length < 10 ? 0 : need(10 + ((b[8] as number) | ((b[9] as number) << 8)));
    default:
      return -1;
  }
}

interface Recording {
  events: Event[];
  log: string[];
  exitCode: number | null;
  stderr: string;
}

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
  for (const s of servers) s.close();
});

/** Runs amtterm against the stand-in with `password`; resolves when amtterm exits (or is killed). */
function session(password: string): Promise<Recording> {
  return new Promise((resolve) => {
    const events: Event[] = [];
    const log: string[] = [];
    let child: ChildProcess | undefined;
    let solStarted = false;
    let typed = false;
    const server = createServer((sock: Socket) => {
      let acc: Uint8Array = new Uint8Array(0);
      let chain = Promise.resolve();
      // amtterm 1.4 treats one read as one 0x14/0x21/0x29 message ("bshift = r->blen /* FIXME */"):
      // space the replies out so they never share a segment.
      const send = (b: Uint8Array): void => {
        chain = chain.then(
          () =>
            new Promise<void>((r) =>
              setTimeout(() => {
                if (!sock.destroyed) {
                  events.push([1, b]);
                  sock.write(b);
                }
                r();
              }, 30),
            ),
        );
      };
      const handle = (m: Uint8Array): void => {
        events.push([0, m]);
        const t = m[0];
        if (t === 0x10) send(Uint8Array.of(0x11, 0, 0, 0, 0x01, 0x00, 11, 8, 0x57, 0x01, 0, 0, 0));
        else if (t === 0x13) {
          const type = m[4] as number;
          const data = m.subarray(9);
          if (type === 0) send(reply14(0, 0, Uint8Array.of(1, 3, 4)));
          else if (type === 1) {
            const [user = '', pass = ''] = strs(data);
            log.push(`userpass user=${user}`);
            send(reply14(pass === PASSWORD ? 0 : 1, 1));
          } else if (type === 3 || type === 4) {
            const [user = '', realm = '', nonce = '', uri = '', cnonce = '', nc = '', response = '', qop = ''] = strs(data);
            if (nonce === '') send(reply14(1, type, type === 4 ? lp(REALM, NONCE, 'auth') : lp(REALM, NONCE)));
            else {
              const ha1 = md5(`${user}:${realm}:${PASSWORD}`);
              const ha2 = md5(`POST:${uri}`);
              const expect = type === 4 ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
              log.push(`digest user=${user} nc=${nc} cnonce=${cnonce}`);
              send(reply14(response === expect ? 0 : 1, type));
            }
          } else send(reply14(2, type));
        } else if (t === 0x20) {
          solStarted = true;
          send(cat([0x21], new Uint8Array(22)));
          send(cat([0x2a, 0, 0, 0, 0, 0, 0, 0, 7, 0], Uint8Array.from('login: ', (c) => c.charCodeAt(0))));
        } else if (t === 0x28) {
          const data = m.subarray(10);
          if (!data.includes(0x1d)) send(cat([0x2a, 0, 0, 0, 0, 0, 0, 0, data.length, 0], data));
        } else if (t === 0x22) send(cat([0x23], new Uint8Array(7)));
        else if (t === 0x12) chain = chain.then(() => void sock.end());
      };
      sock.on('data', (d: Buffer) => {
        acc = cat(acc, d);
        while (acc.length > 0) {
          const n = clientMsgLen(acc);
          if (n < 0) {
            log.push(`unknown client byte 0x${acc[0]?.toString(16)}`);
            sock.destroy();
            return;
          }
          if (n === 0) break;
          handle(acc.slice(0, n));
          acc = acc.slice(n);
        }
        // once the console is up, type a command, then ^] to leave
        if (solStarted && !typed && child?.stdin) {
          typed = true;
          const stdin = child.stdin;
          setTimeout(() => stdin.write('ls\r'), 250);
          setTimeout(() => stdin.write('\x1d'), 600);
        }
      });
      sock.on('error', () => undefined);
    });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      let stderr = '';
      const c = spawn(AMTTERM, ['-u', 'admin', '127.0.0.1', String(port)], {
        env: { ...process.env, AMT_PASSWORD: password },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child = c;
      children.push(c);
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      c.stdout?.resume();
      const timer = setTimeout(() => {
        if (c.exitCode === null) c.kill('SIGKILL');
      }, 10_000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        setTimeout(() => {
          server.close();
          resolve({ events, log, exitCode: code, stderr });
        }, 100);
      });
    });
  });
}

function bytesOf(events: Event[], dir: 0 | 1, type: number): Uint8Array | undefined {
  return events.find((e) => e[0] === dir && e[1][0] === type)?.[1];
}
const hexOf = (b: Uint8Array | undefined): string => (b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ') : '');

describe.runIf(runnable)('real amtterm against a stand-in AMT', () => {
  it('logs in and starts SOL; the analyzer sees user, auth, SOL params, success', async () => {
    const rec = await session(PASSWORD);
    // what amtterm put on the wire
    expect(hexOf(bytesOf(rec.events, 0, 0x10))).toBe('10 00 00 00 53 4f 4c 20');
    expect(hexOf(bytesOf(rec.events, 0, 0x20))).toBe('20 00 00 00 00 00 00 00 e8 03 64 00 00 00 10 27 00 00 88 13 00 00 00 00');
    const auth = rec.events.filter((e) => e[0] === 0 && e[1][0] === 0x13).map((e) => e[1]);
    expect(auth.length).toBeGreaterThan(0);

    const { record, facts, anomalies } = runSteps(rec.events, { extract: true });
    expect(anomalies).toEqual([]);
    expect(record).toMatchObject({
      session_type: 'SOL',
      start_status: 0,
      amt_version: '11.8',
      username: 'admin',
      auth_result: 'success',
      auth_attempts: 1,
      auth_failures: 0,
      session_started: true,
      sol_params: '1000/100/0/10000/0/5000',
      partial: false,
    });
    expect(record.transcript).toContain('[>] ls\r');
    expect(record.transcript).toContain('[<] login: ');
    expect(facts).toMatchObject({ user: 'admin', auth: 'success', redirection: 'SOL', firmware: '11.8' });
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    if (record.auth_type === 'userpass') {
      // amtterm 1.4: 13 00 00 00 01 <L = ulen + plen + 2> ... [5]admin [len]password, no query first
      expect(hexOf(auth[0]?.subarray(0, 15))).toBe(`13 00 00 00 01 ${(5 + PASSWORD.length + 2).toString(16).padStart(2, '0')} 00 00 00 05 61 64 6d 69 6e`);
      expect(record.password_cleartext).toBe(true);
      expect(record.auth_types_offered).toEqual([]);
    } else {
      expect(record.auth_type).toBe('digest');
      expect(record.digest_nc).toBe('00000002');
      expect(record.digest_cnonce).toMatch(/^[0-9a-f]{32}$/);
      expect(record.digest_response_len).toBe(32);
      expect(record.auth_types_offered).toEqual(['userpass', 'digest_rfc2069', 'digest']);
    }
  }, 20_000);

  it('a wrong password is a failure', async () => {
    const rec = await session('not-the-password');
    const { record, facts } = runSteps(rec.events);
    expect(record).toMatchObject({ username: 'admin', auth_result: 'failure', auth_attempts: 1, auth_failures: 1, session_started: false });
    expect(facts.auth).toBe('failure');
    expect(JSON.stringify(record)).not.toContain('not-the-password');
  }, 20_000);
});

describe.skipIf(runnable)('real amtterm (skipped)', () => {
  it(skipReason, () => {
    expect(runnable).toBe(false);
  });
});

