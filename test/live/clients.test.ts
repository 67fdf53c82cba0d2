/**
 * Real clients against the stand-in AMT server, captured live on the server's link:
 *   - a notice for an unauthorized session within 1 s of its SYN (curl --digest, nmap);
 *   - interim conn records for a long session, and SIGTERM writing the open session and final stats;
 *   - SIGHUP reloading the policy file, and surviving a broken one.
 * Namespaces: C (clients 192.0.2.99 = not authorized, 192.0.2.5 = console) -- S (server 192.0.2.10).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, ROOT, liveSkipReason, requireAddon, sh, type Proc } from './helpers.js';

const skip = liveSkipReason();
const SERVER = join(ROOT, 'pcaps/gen/amt-server.ts');

describe.skipIf(skip !== null)(`live capture of real clients${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const lab = new Lab();
  let C = '';
  let S = '';
  let capIf = '';
  let dir = '';
  let localPort = 42000;

  /** curl --digest from `from`; its connections (curl may open a second one for the credentials) use
      local ports base..base+9. Returns base. */
  const curl = (from: string, password = 'Wrong-pw1'): number => {
    const port = (localPort += 10);
    sh('ip', [
      'netns', 'exec', C, 'curl', '-sS', '-o', '/dev/null', '--max-time', '10', '--digest', '-u', `admin:${password}`,
      '--interface', from, '--local-port', `${port}-${port + 9}`, 'http://192.0.2.10:16992/index.htm',
    ], { timeoutMs: 15_000 });
    return port;
  };

  const inRange = (r: Record<string, unknown>, base: number) => (r['id.orig_p'] as number) >= base && (r['id.orig_p'] as number) <= base + 9;
  const connsOf = (p: Proc, base: number) => p.byType('conn').filter((r) => inRange(r, base) && r.interim === false);

  beforeAll(async () => {
    requireAddon();
    dir = mkdtempSync(join(tmpdir(), 'amtw-clients-'));
    C = lab.ns();
    S = lab.ns();
    const { ifA, ifB } = lab.link(C, S, { addrA: '192.0.2.99/24', addrB: '192.0.2.10/24' });
    sh('ip', ['-n', C, 'addr', 'add', '192.0.2.5/24', 'dev', ifA]);
    capIf = ifB;
    const server = lab.start(S, process.execPath, ['--import', 'tsx', SERVER, '--bind', '192.0.2.10', '--http', '16992', '--redir', '16994', '--quiet']);
    await server.waitFor('the AMT server', () => server.lines.some((l) => l.startsWith('READY')) || !server.running, 30_000);
    expect(server.running).toBe(true);
  });

  afterAll(async () => {
    await lab.cleanup();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('writes the notice for an unauthorized session within 1 s of its SYN (curl --digest, nmap)', async () => {
    const live = await lab.live(S, ['-i', capIf, '--config', join(ROOT, 'pcaps/lab/amtwatch.yaml')]);
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) ports.push(curl('192.0.2.99'));
    const okPort = curl('192.0.2.5', 'Amt-P4ss!');
    sh('ip', ['netns', 'exec', C, 'nmap', '-sS', '-Pn', '-n', '-p16992,16994', '-S', '192.0.2.99', '-e', capIf.replace(/b$/, 'a'), '192.0.2.10'], { timeoutMs: 60_000 });
    await live.waitFor('the notices', () => live.byType('notice').filter((n) => n.note === 'amt.unauthorized_session').length >= 5, 10_000);
    // each curl makes two connections (the challenge, then the wrong password): wait for the second's record
    await live.waitFor('the conn records of curl', () => ports.every((p) => connsOf(live, p).some((c) => c.amt_auth === 'failure')), 20_000);

    const notices = live.byType('notice').filter((n) => n.note === 'amt.unauthorized_session');
    const lat = notices.map((n) => (n.__readAt as number) - (n.ts as number) * 1000);
    console.log(`notice latency from the SYN (ms): ${lat.map((x) => x.toFixed(0)).join(', ')}`);
    for (const n of notices) {
      // ts is the SYN's kernel timestamp; __readAt is when this test read the line
      const latencyMs = (n.__readAt as number) - (n.ts as number) * 1000;
      expect(latencyMs, `notice for port ${String(n['id.orig_p'])}`).toBeLessThan(1000);
      expect(latencyMs).toBeGreaterThan(-50);
    }
    for (const p of ports) {
      const cs = connsOf(live, p);
      for (const c of cs) {
        const n = notices.find((x) => x.uid === c.uid);
        expect(n?.['id.orig_h']).toBe('192.0.2.99');
        expect(c.authorized).toBe(false);
        expect(c.conn_state).toBe('SF');
      }
      expect(cs.some((c) => c.amt_auth === 'failure')).toBe(true);
    }
    expect(notices.some((n) => inRange(n, okPort))).toBe(false);
    expect(connsOf(live, okPort).every((c) => c.authorized === true)).toBe(true);
    // nmap's SYN probes are AMT sessions too (16992 open, 16994 open): unauthorized
    expect(notices.filter((n) => !inRange(n, okPort) && !ports.some((p) => inRange(n, p))).length).toBeGreaterThanOrEqual(2);
    await lab.stop(live);
    expect(live.exitCode).toBe(0);
  });

  it('writes interim conn records for a long session and, on SIGTERM, its conn record and a final stats record', async () => {
    const live = await lab.live(S, ['-i', capIf, '--authorized', '192.0.2.5', '--interim', '2', '--stats-interval', '1']);
    // a redirection session (StartRedirectionSession "SOL ") left open by the client
    const holder = lab.start(C, process.execPath, [
      '-e',
      `const s=require('net').connect({host:'192.0.2.10',port:16994,localAddress:'192.0.2.99',localPort:43001},()=>{s.write(Buffer.from([0x10,0,0,0,0x53,0x4f,0x4c,0x20]));console.log('OPEN')});s.on('data',()=>{});setTimeout(()=>{},60000)`,
    ]);
    await holder.waitFor('the redirection client', () => holder.lines.includes('OPEN'), 10_000);
    await live.waitFor('the notice', () => live.byType('notice').some((n) => n['id.orig_p'] === 43001), 5_000);
    const uid = live.byType('notice').find((n) => n['id.orig_p'] === 43001)?.uid;
    await live.waitFor('an interim conn record', () => live.byType('conn').some((c) => c.uid === uid && c.interim === true), 8_000);
    expect(live.byType('stats').some((s) => s.final === false && (s.sessions_open as number) >= 1)).toBe(true);
    expect(holder.running).toBe(true);

    await lab.stop(live, 'SIGTERM');
    expect(live.exitCode).toBe(0);
    const final = live.byType('conn').filter((c) => c.uid === uid && c.interim === false);
    expect(final).toHaveLength(1);
    expect(final[0]?.amt_redirection).toBe('SOL');
    expect(final[0]?.conn_state).toBe('S1');
    const last = live.records.at(-1) as Record<string, unknown>;
    expect(last.event_type).toBe('stats');
    expect(last.final).toBe(true);
    expect(last.sessions_open).toBe(0);
    expect(live.stderr).toContain('stopping (signal)');
    holder.kill('SIGKILL');
  });

  it('SIGHUP reloads the policy file; a broken file keeps the old policy with one line on stderr', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'authorized: [192.0.2.5]\namt_hosts: [192.0.2.10]\n');
    const live = await lab.live(S, ['-i', capIf, '--config', policy, '--output', join(dir, 'records.ndjson')]);
    // records go to the file here (also exercises -w); read them back
    const { readFileSync } = await import('node:fs');
    const recs = () =>
      readFileSync(join(dir, 'records.ndjson'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const conns = (base: number) => recs().filter((r) => r.event_type === 'conn' && inRange(r, base));
    const verdicts = (base: number) => [...new Set(conns(base).map((c) => c.authorized))];
    const waitConn = (base: number) => live.waitFor(`conn records from port ${base}`, () => conns(base).length >= 1, 10_000);

    const p1 = curl('192.0.2.99');
    await waitConn(p1);
    expect(verdicts(p1)).toEqual([false]);

    writeFileSync(policy, 'authorized: [192.0.2.99]\namt_hosts: [192.0.2.10]\n');
    live.kill('SIGHUP');
    await live.waitFor('the reload', () => live.stderr.includes('policy reloaded'), 5_000);
    const p2 = curl('192.0.2.99');
    await waitConn(p2);
    expect(verdicts(p2)).toEqual([true]);
    expect(recs().some((r) => r.event_type === 'notice' && inRange(r, p2) && r.note === 'amt.unauthorized_session')).toBe(false);

    writeFileSync(policy, 'authorized: [192.0.2.99\namt_hosts: 12\n');
    const before = live.stderr.split('\n').length;
    live.kill('SIGHUP');
    await live.waitFor('the refusal', () => live.stderr.includes('policy not reloaded'), 5_000);
    await new Promise((r) => setTimeout(r, 300));
    const added = live.stderr.split('\n').slice(before - 1).filter((l) => l.trim() !== '');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/policy not reloaded, the previous one stays in force: .*policy\.yaml/);
    expect(live.running).toBe(true);
    const p3 = curl('192.0.2.99');
    await waitConn(p3);
    expect(verdicts(p3)).toEqual([true]);

    await lab.stop(live);
    expect(live.exitCode).toBe(0);
    expect(recs().at(-1)?.final).toBe(true);
  });
});
