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
import { PCAPS, readsWithExtendedPorts } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const LAB = join(PCAPS, 'lab');

interface Flow {
  client_port: number;
  server: string;
  server_port: number;
  amt_session: boolean;
  auth?: string;
}
interface RmcpResponder {
  address: string;
  amt_version: string;
  provisioning_state: string;
  amt_port: number;
  dual_port: boolean;
  in_inventory: boolean;
  expected_notices: string[];
}
interface Scenario {
  id: string;
  client: string;
  server: string;
  verdict: string;
  reasons: string[];
  flows: Flow[];
  expected: Record<string, unknown>;
  /** --extended-ports captures: the AMT hosts that answer this step's RMCP presence pings. */
  rmcp_responders?: RmcpResponder[];
  rmcp_datagrams?: { from: string; to: string; kind: string }[];
}

const truths = readdirSync(LAB).filter((f) => f.endsWith('.truth.json'));

describe('lab captures match what the real clients did', () => {
  it('has truth files', () => expect(truths.length).toBeGreaterThanOrEqual(10));
  for (const tf of truths) {
    const truth = JSON.parse(readFileSync(join(LAB, tf), 'utf8')) as { capture: string; scenarios: Scenario[] };
    it(tf.replace('.truth.json', ''), async () => {
      const capture = join(LAB, truth.capture.replace(/^.*\//, ''));
      const r = await runCapture({
        inputs: [capture],
        config: join(LAB, 'amtwatch.yaml'),
        ...(readsWithExtendedPorts(join('lab', truth.capture)) ? { extendedPorts: true } : {}),
      });
      const conns = r.lines.filter((l) => l.event_type === 'conn');
      const find = (client: string, cport: number, server: string, sport: number) =>
        conns.filter((c) => c['id.orig_h'] === client && c['id.orig_p'] === cport && c['id.resp_h'] === server && c['id.resp_p'] === sport);
      let checked = 0;
      for (const s of truth.scenarios) {
        // RMCP (UDP 623, --extended-ports): every ping the client sent and every pong it got back has an
        // rmcp record; each responder's pong says what its stand-in announced; rogue and unprovisioned
        // responders get their notices
        const rmcp = r.lines.filter((l) => l.event_type === 'rmcp');
        for (const d of s.rmcp_datagrams ?? []) {
          if (d.kind === 'not_rmcp') continue;
          const [fh, fp] = [d.from.slice(0, d.from.lastIndexOf(':')), Number(d.from.slice(d.from.lastIndexOf(':') + 1))];
          const [th, tp] = [d.to.slice(0, d.to.lastIndexOf(':')), Number(d.to.slice(d.to.lastIndexOf(':') + 1))];
          const kind = d.kind === 'other' ? undefined : d.kind;
          const hit = rmcp.some((x) => x['id.orig_h'] === fh && x['id.orig_p'] === fp && x['id.resp_h'] === th && x['id.resp_p'] === tp && (kind === undefined || x.message_type === kind));
          expect(hit, `${s.id}: rmcp ${d.kind} ${d.from} -> ${d.to}`).toBe(true);
          checked++;
        }
        for (const resp of s.rmcp_responders ?? []) {
          const pongs = rmcp.filter((x) => x.message_type === 'pong' && x['id.orig_h'] === resp.address && x['id.resp_h'] === s.client);
          expect(pongs.length, `${s.id}: pong from ${resp.address}`).toBeGreaterThan(0);
          for (const p of pongs) {
            expect({ id: s.id, v: p.amt_version, st: p.provisioning_state, port: p.amt_port, dual: p.dual_port, iana: p.iana }).toEqual({
              id: s.id,
              v: resp.amt_version,
              st: resp.provisioning_state,
              port: resp.amt_port,
              dual: resp.dual_port,
              iana: 343,
            });
          }
          const notes = r.lines.filter((l) => l.event_type === 'notice' && l['id.orig_h'] === resp.address && String(l.note).match(/rogue_device|unprovisioned_device/));
          expect(notes.map((n) => n.note).sort(), `${s.id}: notices about ${resp.address}`).toEqual([...resp.expected_notices].sort());
          checked++;
        }
        if (s.expected?.['ipmi'] === true) {
          expect(rmcp.some((x) => x.message_type === 'ipmi' && x['id.orig_h'] === s.client), `${s.id}: IPMI recognised`).toBe(true);
          expect(rmcp.filter((x) => x['id.orig_h'] === s.server && x.message_type === 'ipmi'), `${s.id}: the AMT does not answer IPMI`).toEqual([]);
        }
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
      const r = await runCapture({
        inputs: [join(LAB, truth.capture.replace(/^.*\//, ''))],
        config: join(LAB, 'amtwatch.yaml'),
        ...(readsWithExtendedPorts(join('lab', truth.capture)) ? { extendedPorts: true } : {}),
      });
      const recs = r.lines;
      const byPort = (type: string, port: number) => recs.filter((l) => l.event_type === type && l['id.orig_p'] === port);
      let checked = 0;
      for (const line of log) {
        let m = /http \S+:(\d+) -> \S+:(?:16992|623) (\S+) (\S+) user=(\S+) result=(\d+)(?: wsman (\S+)(?: (\w+))?)?/.exec(line);
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
        m =
          /tls \S+:(\d+) -> \S+:(?:1699[35]|664) TLSv1\.(\d) \S+ sni=(\S+)/.exec(line) ??
          /redir \S+:(\d+) -> \S+:16995 tls TLSv1\.(\d) sni=(\S+) connected/.exec(line);
        if (m) {
          const t = byPort('tls', Number(m[1]))[0];
          expect(t?.version, line).toBe(`TLSv1${m[2]}`);
          expect(t?.server_name ?? '-', line).toBe(m[3]);
          checked++;
          continue;
        }
        // --extended-ports: the AMT KVM server on 5900 (its RFB login and desktop name) ...
        m = / \S+:(\d+) -> \S+:5900 rfb auth vnc result=(OK|FAIL)/.exec(line);
        if (m) {
          const a = byPort('amt_redir', Number(m[1]))[0];
          if (m[2] === 'OK') {
            expect(a?.session_type, line).toBe('KVM');
            expect(a?.auth_type, line).toBe('rfb_vnc');
            expect(a?.auth_result, line).toBe('success');
          } else expect(a, `${line}: a failed VNC login never shows the desktop name, so it is not known to be AMT`).toBeUndefined();
          checked++;
          continue;
        }
        m = / \S+:(\d+) -> \S+:5900 rfb ClientInit shared=\d -> ServerInit \d+x\d+ "(.*)"$/.exec(line);
        if (m) {
          expect(byPort('amt_redir', Number(m[1]))[0]?.rfb_desktop_name, line).toBe(m[2]);
          expect(recs.find((c) => c.event_type === 'conn' && c['id.orig_p'] === Number(m?.[1]) && c['id.resp_p'] === 5900)?.service, line).toBe('amt-kvm-5900');
          checked++;
          continue;
        }
        // ... and its RMCP responder: every pong it sent has an rmcp record saying the same
        m = /rmcp (\S+):(\d+) -> (\S+):623 presence ping seq=(\d+) tag=(\d+) -> (ACK \+ )?pong AMT (\S+) (\w+)-provisioning port=(\d+)( dual)?/.exec(line);
        if (m) {
          const [, client, cport, amt, , tag, ack, ver, state, aport, dual] = m;
          const pongs = recs.filter(
            (x) => x.event_type === 'rmcp' && x.message_type === 'pong' && x['id.orig_h'] === amt && x['id.resp_h'] === client && x['id.resp_p'] === Number(cport) && x.tag === Number(tag),
          );
          expect(pongs.length, line).toBeGreaterThan(0);
          for (const p of pongs) {
            expect([p.amt_version, p.provisioning_state, p.amt_port, p.dual_port], line).toEqual([ver, state, Number(aport), dual !== undefined]);
          }
          if (ack !== undefined) {
            expect(recs.some((x) => x.event_type === 'rmcp' && x.message_type === 'ack' && x['id.orig_h'] === amt && x['id.resp_p'] === Number(cport)), line).toBe(true);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
