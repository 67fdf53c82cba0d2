/**
 * The lab captures against what actually happened when they were recorded
 * (pcaps/lab/<capture>.truth.json, written by pcaps/gen/real.sh from the clients' exit codes and
 * output and the stand-in servers' own logs): every client connection gets the right verdict under
 * pcaps/lab/amtwatch.yaml, the right login outcome, and decoys (AMT port numbers used as client
 * ports toward ordinary web servers) produce no AMT session at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PCAPS } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const LAB = join(PCAPS, 'lab');

interface Flow {
  client_port: number;
  server: string;
  server_port: number;
  amt_session: boolean;
  auth?: string;
}
interface Scenario {
  id: string;
  client: string;
  server: string;
  verdict: string;
  reasons: string[];
  flows: Flow[];
}

const truths = readdirSync(LAB).filter((f) => f.endsWith('.truth.json'));

describe('lab captures match what the real clients did', () => {
  it('has truth files', () => expect(truths.length).toBeGreaterThanOrEqual(10));
  for (const tf of truths) {
    const truth = JSON.parse(readFileSync(join(LAB, tf), 'utf8')) as { capture: string; scenarios: Scenario[] };
    it(tf.replace('.truth.json', ''), async () => {
      const capture = join(LAB, truth.capture.replace(/^.*\//, ''));
      const r = await runCapture({ inputs: [capture], config: join(LAB, 'amtwatch.yaml') });
      const conns = r.lines.filter((l) => l.event_type === 'conn');
      const find = (client: string, cport: number, server: string, sport: number) =>
        conns.filter((c) => c['id.orig_h'] === client && c['id.orig_p'] === cport && c['id.resp_h'] === server && c['id.resp_p'] === sport);
      let checked = 0;
      for (const s of truth.scenarios) {
        for (const f of s.flows) {
          const found = find(s.client, f.client_port, f.server, f.server_port);
          if (s.verdict === 'not_amt') {
            expect(found, `${s.id}: decoy ${s.client}:${f.client_port} must not be an AMT session`).toEqual([]);
            checked++;
            continue;
          }
          if (s.verdict === 'scan') continue; // judged by the scan notice below
          expect(found.length, `${s.id}: ${s.client}:${f.client_port} -> ${f.server}:${f.server_port}`).toBeGreaterThan(0);
          for (const c of found) {
            expect({ id: s.id, authorized: c.authorized, reasons: c.reasons }).toEqual({
              id: s.id,
              authorized: s.verdict === 'authorized',
              reasons: s.reasons,
            });
            if (f.auth === 'success' || f.auth === 'bypass') expect(c.amt_auth, `${s.id} ${f.client_port}`).toBe('success');
            if (f.auth === 'failure') expect(c.amt_auth, `${s.id} ${f.client_port}`).toBe('failure');
          }
          checked++;
        }
      }
      if (truth.scenarios.some((s) => s.verdict === 'scan')) {
        expect(r.lines.some((l) => l.note === 'amt.scan')).toBe(true);
      }
      expect(checked + truth.scenarios.filter((s) => s.verdict === 'scan').length).toBeGreaterThan(0);
    });
  }
});

/**
 * The analyzer records against the stand-in servers' own logs of the same exchanges (written into
 * the truth files while the lab ran): method, URI, user and status of every HTTP request; user,
 * auth type and result of every redirection login; SOL settings; TLS version and SNI.
 */
describe('analyzer records match what the servers logged', () => {
  for (const tf of truths) {
    const truth = JSON.parse(readFileSync(join(LAB, tf), 'utf8')) as {
      capture: string;
      scenarios: { observed?: { server_log?: string[] } }[];
    };
    const log = truth.scenarios.flatMap((s) => s.observed?.server_log ?? []);
    if (log.length === 0) continue;
    it(tf.replace('.truth.json', ''), async () => {
      const r = await runCapture({ inputs: [join(LAB, truth.capture.replace(/^.*\//, ''))], config: join(LAB, 'amtwatch.yaml') });
      const recs = r.lines;
      const byPort = (type: string, port: number) => recs.filter((l) => l.event_type === type && l['id.orig_p'] === port);
      let checked = 0;
      for (const line of log) {
        let m = /http \S+:(\d+) -> \S+:16992 (\S+) (\S+) user=(\S+) result=(\d+)(?: wsman (\S+)(?: (\w+))?)?/.exec(line);
        if (m) {
          const [, port, method, uri, user, code, wsClass, wsVerb] = m;
          const hs = byPort('http', Number(port));
          const h = hs.find((x) => x.method === method && x.uri === uri && x.status_code === Number(code));
          expect(h, line).toBeDefined();
          expect(h?.username ?? '-', line).toBe(user);
          if (wsClass !== undefined) {
            const call = /^(\w+)\.(\w+)\((\w+)=(\w+)\)$/.exec(wsClass);
            if (call) {
              expect(h?.wsman_method, line).toBe(call[2]);
              expect(h?.wsman_params, line).toContain(`${call[3]}=${call[4]}`);
            } else expect(h?.wsman_method, line).toBe(wsVerb);
          }
          checked++;
          continue;
        }
        m = / \S+:(\d+) -> \S+:1699[45] redir (\w+): auth (\w+) user=(\S+) result=(OK|FAIL)/.exec(line);
        if (m) {
          const [, port, kind, type, user, result] = m;
          const a = byPort('amt_redir', Number(port))[0];
          expect(a, line).toBeDefined();
          expect(a?.session_type, line).toBe(kind);
          expect(a?.auth_type, line).toBe(type);
          expect(a?.username, line).toBe(user);
          expect(a?.auth_result, line).toBe(result === 'OK' ? 'success' : 'failure');
          checked++;
          continue;
        }
        m = / \S+:(\d+) -> \S+:16994 redir SOL: StartSOL maxTx=(\d+) hb=(\d+)/.exec(line);
        if (m) {
          const a = byPort('amt_redir', Number(m[1]))[0];
          expect(String(a?.sol_params).split('/')[0], line).toBe(m[2]);
          expect(String(a?.sol_params).split('/')[5], line).toBe(m[3]);
          expect(a?.session_started, line).toBe(true);
          checked++;
          continue;
        }
        m = /tls \S+:(\d+) -> \S+:1699[35] TLSv1\.(\d) \S+ sni=(\S+)/.exec(line);
        if (m) {
          const t = byPort('tls', Number(m[1]))[0];
          expect(t?.version, line).toBe(`TLSv1${m[2]}`);
          expect(t?.server_name, line).toBe(m[3]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
