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
