/**
 * A read that takes more than a few seconds shows progress on standard error when it is a terminal
 * (a pseudo-terminal made by script(1)), and never when it is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../pcaps/gen/lib/pcap-writer.js';
import { tcpFrame } from '../../pcaps/gen/lib/packets.js';
import { ROOT } from '../helpers/fixtures.js';

const HAVE_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const BIN = join(ROOT, 'dist/amtwatch.mjs');

describe.skipIf(!HAVE_SCRIPT)('progress on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtw-progress-'));
  const file = join(dir, 'big.pcap');
  // ~13 MB of ordinary traffic: more than three read buffers
  const frame = tcpFrame({ src: '10.1.0.1', dst: '10.1.0.2', sport: 40000, dport: 443, flags: 0x18, payload: new Uint8Array(1400) });
  const records = Array.from({ length: 9000 }, (_, i) => ({ tsNs: 1768471200000000000n + BigInt(i) * 1000n, data: frame }));
  writeFileSync(file, writePcap(records, { linkType: 1 }));
  // the first 5 MB, a pause longer than the 2 s threshold, then the rest
  const feed = `(head -c 5000000 ${file}; sleep 2.5; tail -c +5000001 ${file})`;

  it('shows bytes, frames and sessions on a terminal after 2 s, and clears the line', () => {
    const r = spawnSync('script', ['-qec', `${feed} | ${process.execPath} ${BIN} read --authorized 10.0.0.0/8 -f ndjson -w /dev/null -`, '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/stdin: \d+(\.\d)? MB read, [\d,]+ frames, 0 AMT sessions \(0 unauthorized\)/);
    expect(r.stdout).toContain('\r\x1b[K');
  });

  it('shows nothing when standard error is not a terminal', () => {
    const r = spawnSync('sh', ['-c', `${feed} | ${process.execPath} ${BIN} read --authorized 10.0.0.0/8 -f ndjson -w /dev/null -`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/MB read/);
  });
});
