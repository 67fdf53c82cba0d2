/**
 * pcap-parser 0.2.1 as a differential oracle for our classic-pcap reader: on every well-formed
 * microsecond pcap both must yield exactly the same frames (timestamp seconds and microseconds,
 * captured length, original length, bytes). The files are the ones generated here plus every
 * pcaps/**\/*.pcap and *.cap in the repository that is classic-microsecond and that our reader
 * reads without any input error (discovered at run time; colleagues keep adding them).
 *
 * The last block shows the three flaws that make pcap-parser only an oracle (README): it rejects
 * the nanosecond magic, silently loses everything after a corrupt caplen, and silently drops a
 * truncated last record. Our reader handles or reports each.
 */
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pcapp from 'pcap-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcap, type CaptureRecord, type PcapOptions } from '../../../pcaps/gen/lib/pcap-writer.js';
import { SMALL, bytes, limits, put32, readPath, tmpDir, type Result } from './helpers.js';

interface Pkt {
  sec: number;
  usec: number;
  caplen: number;
  origlen: number;
  data: string;
}

interface OracleResult {
  packets: Pkt[];
  errors: string[];
}

function oracle(path: string): Promise<OracleResult> {
  return new Promise((resolve) => {
    const packets: Pkt[] = [];
    const errors: string[] = [];
    let done = false;
    const p = pcapp.parse(path);
    p.on('packet', (pk) => {
      packets.push({
        sec: pk.header.timestampSeconds,
        usec: pk.header.timestampMicroseconds,
        caplen: pk.header.capturedLength,
        origlen: pk.header.originalLength,
        data: pk.data.toString('hex'),
      });
    });
    p.on('error', (e) => errors.push(e.message));
    p.on('end', () => {
      if (!done) {
        done = true;
        resolve({ packets, errors });
      }
    });
  });
}

/** Our frames in pcap-parser's terms. */
function ours(r: Result): Pkt[] {
  return r.frames.map((f) => ({
    sec: Math.floor(f.ts / 1_000_000),
    usec: f.ts % 1_000_000,
    caplen: f.data.length / 2,
    origlen: f.wireLen,
    data: f.data,
  }));
}

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

let seedN = 1;
function recs(sizes: number[], snapEvery = 0): CaptureRecord[] {
  return sizes.map((n, i) => {
    const r: CaptureRecord = { tsNs: 1_690_000_000_000_000_000n + BigInt(i) * 777_777_123n, data: bytes(n, seedN++) };
    if (snapEvery > 0 && i % snapEvery === 0) r.origLen = n + 1000;
    return r;
  });
}

function generated(): { name: string; buf: Buffer }[] {
  const sizes = (n: number, mod: number, mul = 7919): number[] => Array.from({ length: n }, (_, i) => (i * mul) % mod);
  const out: { name: string; buf: Buffer }[] = [];
  const add = (name: string, r: CaptureRecord[], opts: PcapOptions): void => {
    out.push({ name, buf: writePcap(r, opts) });
  };
  add('le-mixed', recs(sizes(60, 1515), 5), { linkType: 1 });
  add('be-mixed', recs(sizes(60, 1515, 104729), 4), { linkType: 1, bigEndian: true });
  add('le-many', recs(sizes(5000, 1515, 31)), { linkType: 113 });
  add('be-big-frames', recs([65_535, 0, 262_144, 1, 100_000]), { linkType: 101, bigEndian: true });
  add('header-only', [], { linkType: 1 });
  add('odd-times', [
    { tsNs: 0n, data: bytes(10, 1) },
    { tsNs: 999_999_000n, data: bytes(11, 2) },
    { tsNs: 4_294_967_295_999_999_000n, data: bytes(12, 3) },
  ], { linkType: 1 });
  return out;
}

/** Every classic-microsecond pcap under pcaps/ (by magic, not name). */
function discovered(): string[] {
  const root = fileURLToPath(new URL('../../../pcaps', import.meta.url));
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(d, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && /\.(pcap|cap)$/i.test(e) && isClassicMicro(p)) found.push(p);
    }
  };
  walk(root);
  return found;
}

function isClassicMicro(p: string): boolean {
  const b = Buffer.alloc(4);
  const fd = openSync(p, 'r');
  try {
    if (readSync(fd, b, 0, 4, 0) < 4) return false;
  } finally {
    closeSync(fd);
  }
  const m = b.toString('hex');
  return m === 'd4c3b2a1' || m === 'a1b2c3d4';
}

describe('pcap-parser oracle: same frames on every well-formed microsecond pcap', () => {
  it('generated captures and every clean classic-microsecond capture in pcaps/', async () => {
    const gen = generated();
    const files = gen.map((g) => ({ name: `generated:${g.name}`, path: tmp.file(`${g.name}.pcap`, g.buf) }));
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    for (const p of discovered()) files.push({ name: relative(root, p), path: p });

    let compared = 0;
    let generatedCompared = 0;
    const skipped: string[] = [];
    for (const f of files) {
      const mine = await readPath(f.path, limits(), f.name);
      if (mine.errors.length > 0) {
        skipped.push(`${f.name}: ${mine.errors[0]?.code}`);
        continue;
      }
      const theirs = await oracle(f.path);
      expect(theirs.errors, f.name).toEqual([]);
      const a = ours(mine);
      expect(a.length, f.name).toBe(theirs.packets.length);
      for (let i = 0; i < a.length; i++) {
        const x = a[i] as Pkt;
        const y = theirs.packets[i] as Pkt;
        // our ts is sec*1e6 + usec, whatever usec says; split it back only where pcap-parser's is canonical
        expect(x.sec * 1_000_000 + x.usec, `${f.name} frame ${i + 1} ts`).toBe(y.sec * 1_000_000 + y.usec);
        if (y.usec < 1_000_000) expect([x.sec, x.usec], `${f.name} frame ${i + 1}`).toEqual([y.sec, y.usec]);
        expect([x.caplen, x.origlen], `${f.name} frame ${i + 1} lengths`).toEqual([y.caplen, y.origlen]);
        expect(x.data === y.data, `${f.name} frame ${i + 1} bytes`).toBe(true);
      }
      // and with a small buffer (records straddle refills) we still agree
      const small = await readPath(f.path, { ...SMALL, maxFrameBytes: 262_144, maxPcapngBlockBytes: 4096 }, f.name);
      expect(ours(small), f.name).toEqual(a);
      compared++;
      if (f.name.startsWith('generated:')) generatedCompared++;
    }
    expect(generatedCompared).toBe(gen.length);
    expect(compared).toBeGreaterThanOrEqual(gen.length);
    console.info(
      `oracle: compared ${compared} captures (${generatedCompared} generated)` +
        (skipped.length > 0 ? `; not compared, our reader reported an input error: ${skipped.join('; ')}` : ''),
    );
  });
});

describe("pcap-parser's flaws (why it is only an oracle), against our reader", () => {
  const r = recs([100, 200, 300]);

  it('it rejects the nanosecond magic; we read every frame (ns truncated to µs)', async () => {
    const p = tmp.file('ns.pcap', writePcap(r, { linkType: 1, nanos: true }));
    const theirs = await oracle(p);
    expect(theirs.packets).toEqual([]);
    expect(theirs.errors).toEqual(['unknown magic number: 4d3cb2a1']);
    const mine = await readPath(p);
    expect(mine.errors).toEqual([]);
    expect(mine.summary.format).toBe('pcap-ns');
    expect(mine.frames.map((f) => f.ts)).toEqual(r.map((x) => Number(x.tsNs / 1000n)));
  });

  it('a corrupt caplen makes it lose every later packet without a word; we report where and why', async () => {
    const buf = writePcap(r, { linkType: 1 });
    put32(buf, 24 + 116 + 8, 0xfffffff0); // frame 2's caplen
    const p = tmp.file('badcap.pcap', buf);
    const theirs = await oracle(p);
    expect(theirs.packets).toHaveLength(1);
    expect(theirs.errors).toEqual([]); // silent
    const mine = await readPath(p, limits(), 'badcap.pcap');
    expect(mine.frames).toHaveLength(1);
    expect(mine.errors).toEqual([
      {
        file: 'badcap.pcap',
        frame: 2,
        offset: 140,
        code: 'pcap.record_too_large',
        message: 'record too large: frame 2 claims 4294967280 captured bytes, over the 262144-byte frame limit; the rest of the file cannot be trusted',
        fatal: true,
      },
    ]);
  });

  it('it drops a truncated last record silently; we report it', async () => {
    const buf = writePcap(r, { linkType: 1 });
    const p = tmp.file('trunc.pcap', buf.subarray(0, buf.length - 10));
    const theirs = await oracle(p);
    expect(theirs.packets).toHaveLength(2);
    expect(theirs.errors).toEqual([]); // silent
    const mine = await readPath(p, limits(), 'trunc.pcap');
    expect(mine.frames).toHaveLength(2);
    expect(mine.errors).toEqual([
      {
        file: 'trunc.pcap',
        frame: 3,
        offset: 24 + 116 + 216,
        code: 'pcap.truncated_record',
        message: "truncated record: file ends 290 bytes into frame 3's 300-byte body",
        fatal: true,
      },
    ]);
  });
});
