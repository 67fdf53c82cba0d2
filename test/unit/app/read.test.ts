/**
 * Many input files are one stream in the order given, except where a file starts before the end of
 * the file read just before it: then open sessions end first and the session clock restarts, so
 * timeouts keep working inside it (app/pipeline.ts beginFile).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACK, PSH, SYN, TcpConversation } from '../../../pcaps/gen/lib/packets.js';
import { writePcap } from '../../../pcaps/gen/lib/pcap-writer.js';
import { runCapture } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'amtwatch-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_768_471_200n; // seconds
const S = 1_000_000_000n;

/** Writes frames at the given times (seconds from T0, may be fractional via ms) into a pcap. */
function file(name: string, frames: [number, Uint8Array][]): string {
  const p = join(dir, name);
  writeFileSync(p, writePcap(frames.map(([ms, data]) => ({ tsNs: T0 * S + BigInt(ms) * 1_000_000n, data })), { linkType: 1 }));
  return p;
}

function conns(lines: Record<string, unknown>[]): { port: unknown; state: unknown; history: unknown; ts: unknown }[] {
  return lines
    .filter((l) => l.event_type === 'conn')
    .map((l) => ({ port: l['id.orig_p'], state: l.conn_state, history: l.history, ts: l.ts }));
}

const HOUR = 3_600_000;

// A: one hour later than the rest. B: a mid-stream session on 50200 with a 600 s pause (over the 300 s
// idle timeout, so two sessions). C1/C2: one session on 50701 cut in two by rotation.
const late = new TcpConversation('10.0.0.50', '10.0.0.10', 50100, 16992);
const fileA = file('a.pcap', [[HOUR, late.c(SYN)]]);
const idle = new TcpConversation('10.0.0.50', '10.0.0.10', 50200, 16992);
const fileB = file('b.pcap', [
  [0, idle.c(PSH | ACK, 'xxxxxxxxxx')],
  [10, idle.s(ACK)],
  [600_000, idle.c(PSH | ACK, 'yyyyyyyyyy')],
  [600_010, idle.s(ACK)],
]);
const rot = new TcpConversation('10.0.0.50', '10.0.0.10', 50701, 16992);
const [syn, synAck, ack] = rot.handshake() as [Uint8Array, Uint8Array, Uint8Array];
const [fin1, fin2, last] = rot.close() as [Uint8Array, Uint8Array, Uint8Array];
const fileC1 = file('c1.pcap', [
  [0, syn],
  [1, synAck],
  [2, ack],
]);
const fileC2 = file('c2.pcap', [
  [10_000, fin1],
  [10_001, fin2],
  [10_002, last],
]);

describe('files out of time order', () => {
  it('a file alone: the idle timeout splits the paused session in two', async () => {
    const r = await runCapture({ inputs: [fileB] });
    expect(conns(r.lines).map((c) => c.port)).toEqual([50200, 50200]);
  });

  it('after a later file, the clock restarts: the idle timeout still splits it', async () => {
    const r = await runCapture({ inputs: [fileA, fileB] });
    expect(conns(r.lines).map((c) => [c.port, c.state])).toEqual([
      [50100, 'S0'],
      [50200, 'OTH'],
      [50200, 'OTH'],
    ]);
  });

  it('rotated files continue each other even after an unrelated later file', async () => {
    const alone = await runCapture({ inputs: [fileC1, fileC2] });
    expect(conns(alone.lines).map((c) => [c.port, c.state, c.history])).toEqual([[50701, 'SF', 'ShAFf']]);
    const after = await runCapture({ inputs: [fileA, fileC1, fileC2] });
    expect(conns(after.lines).map((c) => [c.port, c.state, c.history])).toEqual([
      [50100, 'S0', 'S'],
      [50701, 'SF', 'ShAFf'],
    ]);
  });

  it('a file that goes back in time ends the sessions still open', async () => {
    const r = await runCapture({ inputs: [fileC1, fileB] });
    // C1 ends at +2 ms, B starts at 0: the open 50701 session is flushed before B
    expect(conns(r.lines).map((c) => [c.port, c.state])).toEqual([
      [50701, 'S1'],
      [50200, 'OTH'],
      [50200, 'OTH'],
    ]);
  });
});
