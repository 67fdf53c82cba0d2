/**
 * The native prefilter (src/io/prefilter.ts, src/io/native/amtwatch_read.c) must change nothing
 * but speed: every fixture in pcaps/, and generated files built to hit its edges (runs of dropped
 * frames crossing sweeps and session timeouts, records it must hand back to JavaScript, chunk
 * boundaries, a second section in the other byte order, blocks near and over the block limit,
 * truncation), give byte-identical output with and without it. The counters show it really ran.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchedTcpPorts } from '../../../src/core/flow.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { prefilterAvailable, prefilterCounters } from '../../../src/io/prefilter.js';
import { hasPrestarted, prestartPrefilter } from '../../../src/io/prefilter-addon.js';
import { writePcap, writePcapng, type CaptureRecord, type NgBlock } from '../../../pcaps/gen/lib/pcap-writer.js';
import { fixtureFiles, PCAPS, readsWithExtendedPorts } from '../../helpers/fixtures.js';
import { mix } from '../../helpers/mix.js';
import { rng } from '../../helpers/rng.js';
import { runCapture } from '../../helpers/run.js';
import { tmpDir } from './helpers.js';

const available = prefilterAvailable();
const tmp = tmpDir();
afterAll(() => tmp.cleanup());

/** Both runs of one input; returns the prefiltered counters' change. */
async function same(inputs: string[], extra: Record<string, unknown> = {}): Promise<{ skipped: number; handovers: number; files: number }> {
  const before = { ...prefilterCounters };
  const js = await runCapture({ inputs, ...extra }, undefined, { prefilter: false });
  const mid = { ...prefilterCounters };
  expect(mid).toEqual(before); // the JavaScript run never touches the prefilter
  const pf = await runCapture({ inputs, ...extra }, undefined, { prefilter: true });
  expect(pf.text).toBe(js.text);
  expect(pf.summary.exitCode).toBe(js.summary.exitCode);
  return {
    skipped: prefilterCounters.skippedFrames - mid.skippedFrames,
    handovers: prefilterCounters.handovers - mid.handovers,
    files: prefilterCounters.files - mid.files,
  };
}

describe.skipIf(!available)('the prefilter changes nothing but speed', () => {
  for (const f of fixtureFiles()) {
    it(`fixture ${f.split('/pcaps/')[1]}`, async () => {
      const policy = join(dirname(f), 'amtwatch.yaml');
      await same([f], { ...(existsSync(policy) ? { config: policy } : {}), ...(readsWithExtendedPorts(f) ? { extendedPorts: true } : {}) });
    });
  }

  it('pcap, microseconds: dropped runs across sweeps and timeouts, frames it must hand on whole', async () => {
    // 60,000 frames 20 ms apart: 20 minutes of packet time, S0 probes time out mid-run
    const recs = mix(60_000, 50, 20_000);
    const f = tmp.file('mix-us.pcap', writePcap(recs, { linkType: 1 }));
    const r = await same([f]);
    expect(r.files).toBe(1);
    expect(r.handovers).toBe(0);
    // every web frame is dropped unseen; AMT frames (every 50th) and the odd ones (every 997th) are not
    let web = 0;
    for (let i = 0; i < recs.length; i++) if (i % 50 !== 0 && i % 997 !== 0) web++;
    expect(r.skipped).toBe(web);
    expect(web).toBe(58_741);
    const again = await same([f], { extendedPorts: true });
    expect(again.skipped).toBe(r.skipped);
  });

  it('pcap, nanoseconds, big-endian, snaplen 1514 with over-snaplen and over-origlen records, truncated at the end', async () => {
    const recs = mix(30_000, 40, 5_000);
    recs[1001] = { tsNs: (recs[1001] as CaptureRecord).tsNs, data: new Uint8Array(1600).fill(1) }; // caplen > snaplen
    recs[2002] = { ...(recs[2002] as CaptureRecord), origLen: 20 }; // caplen > origlen
    const whole = writePcap(recs, { linkType: 1, nanos: true, bigEndian: true, snaplen: 1514 });
    const f = tmp.file('mix-ns-be.pcap', whole.subarray(0, whole.length - 30));
    const r = await same([f]);
    expect(r.skipped).toBeGreaterThan(25_000);
    expect(r.handovers).toBe(1); // the truncated last record is the JavaScript reader's to report
  });

  it('pcap whose record claims more than the frame limit: handed over there, reported the same', async () => {
    const recs = mix(5_000, 30, 1_000);
    const buf = writePcap(recs, { linkType: 1 });
    // the 4,000th record's caplen (records are all 16 + data bytes long)
    let off = 24;
    for (let i = 0; i < 4000; i++) off += 16 + (recs[i] as CaptureRecord).data.length;
    buf.writeUInt32LE(0x7fffffff, off + 8);
    const r = await same([tmp.file('too-large.pcap', buf)]);
    expect(r.handovers).toBe(1);
    expect(r.skipped).toBeGreaterThan(3000);
  });

  it('pcap of a link type it does not walk (raw IP), and the Kuznetzov format: read in JavaScript, same output', async () => {
    const raw = writePcap(
      mix(2_000, 20, 1_000).map((r) => ({ tsNs: r.tsNs, data: r.data.subarray(14) })),
      { linkType: 101 },
    );
    const a = await same([tmp.file('raw.pcap', raw)]);
    expect(a.skipped).toBe(0);
    const kz = await same([tmp.file('kz.pcap', writePcap(mix(2_000, 20, 1_000), { linkType: 1, kuznetzov: true }))]);
    expect(kz.files).toBe(0);
  });

  it('pcapng: two sections in both byte orders, three interfaces, SPBs after dropped EPBs, big blocks, chunk boundaries', async () => {
    const recs = mix(40_000, 60, 10_000);
    const blocks = (from: number, to: number, big: boolean): NgBlock[] => {
      const out: NgBlock[] = [];
      for (let i = from; i < to; i++) {
        const r = recs[i] as CaptureRecord;
        const iface = i % 7 === 3 ? 1 : i % 11 === 5 ? 2 : 0;
        if (iface === 1) out.push({ kind: 'epb', iface, tsNs: r.tsNs, data: r.data.subarray(14) }); // raw IP interface
        else out.push({ kind: 'epb', iface, tsNs: r.tsNs, data: r.data });
        if (i % 5000 === 17) out.push({ kind: 'spb', data: r.data }); // takes the time of the EPB before it
        if (big && i % 9000 === 100) out.push({ kind: 'raw', type: 0x00000bad, body: new Uint8Array(900_000 + (i % 13) * 4).fill(7) });
      }
      return out;
    };
    const ifaces = [
      { linkType: 1, tsresol: 9 },
      { linkType: 101 },
      { linkType: 1 },
    ];
    const buf = writePcapng([
      { interfaces: ifaces, blocks: blocks(0, 20_000, true) },
      { bigEndian: true, interfaces: ifaces, blocks: blocks(20_000, 40_000, false) },
    ]);
    const r = await same([tmp.file('mix.pcapng', buf)]);
    expect(r.handovers).toBe(0);
    expect(r.skipped).toBeGreaterThan(30_000);
  });

  it('pcapng with a block over the block limit, a bad interface and a bad trailer: handed over, reported the same', async () => {
    const recs = mix(6_000, 25, 2_000);
    const mk = (over: boolean): Buffer =>
      writePcapng([
        {
          interfaces: [{ linkType: 1 }],
          blocks: recs.flatMap((r, i): NgBlock[] => [
            { kind: 'epb', iface: i === 1500 ? 3 : 0, tsNs: r.tsNs, data: r.data },
            ...(over && i === 3000 ? [{ kind: 'raw' as const, type: 0x00000004, body: new Uint8Array(1_100_000) }] : []),
          ]),
        },
      ]);
    const a = await same([tmp.file('over-limit.pcapng', mk(true))]);
    expect(a.handovers).toBe(1);
    expect(a.skipped).toBeGreaterThan(2_500);
    const bad = mk(false);
    bad.writeUInt32LE(12345, bad.length - 4); // the last block's trailing length
    const b = await same([tmp.file('bad-trailer.pcapng', bad)]);
    expect(b.handovers).toBe(1);
  });

  it('a pcapng without a section header whose first block is over 64 KiB: still recognised (the first read is topped up)', async () => {
    const full = writePcapng([{ interfaces: [{ linkType: 1 }], blocks: [{ kind: 'raw', type: 0x00000004, body: new Uint8Array(100_000) }, ...mix(500, 10, 1_000).map((r): NgBlock => ({ kind: 'epb', iface: 0, tsNs: r.tsNs, data: r.data }))] }]);
    const shbLen = full.readUInt32LE(4);
    const idbLen = full.readUInt32LE(shbLen + 4);
    const f = tmp.file('headless.pcapng', full.subarray(shbLen + idbLen));
    await same([f]);
    const r = await runCapture({ inputs: [f] }, undefined, { prefilter: true });
    const stats = r.lines.find((l) => l.event_type === 'stats') as { file_details: { format: string }[] };
    expect(stats.file_details[0]?.format).toBe('pcapng');
  });

  it('corrupted files (random bytes overwritten, lengths among them; cut anywhere): the same output, 300 files', async () => {
    const next = rng(0x5eed);
    const bases = [
      writePcap(mix(1_500, 20, 3_000), { linkType: 1 }),
      writePcap(mix(1_500, 20, 3_000), { linkType: 1, nanos: true, bigEndian: true, snaplen: 1000 }),
      writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }, { linkType: 1 }], blocks: mix(1_500, 20, 3_000).map((r, i): NgBlock => ({ kind: 'epb', iface: i % 2, tsNs: r.tsNs, data: r.data })) }]),
    ];
    let handovers = 0;
    for (let k = 0; k < 300; k++) {
      const b = Buffer.from(bases[k % 3] as Buffer);
      const hits = 1 + (next() % 12);
      for (let h = 0; h < hits; h++) {
        const at = 24 + (next() % (b.length - 24));
        // mostly small values and all-ones, the shapes of lying length fields
        const v = next() % 4;
        b[at] = v === 0 ? 0xff : v === 1 ? 0 : next() & 0xff;
      }
      const cut = next() % 3 === 0 ? 24 + (next() % (b.length - 24)) : b.length;
      const r = await same([tmp.file(`fuzz-${k}.cap`, b.subarray(0, cut))]);
      handovers += r.handovers;
    }
    expect(handovers).toBeGreaterThan(50); // the corruptions did reach the hand-over paths
  });

  it('many files in one run, out of time order, the first gzip-compressed: same output', async () => {
    const { gzipSync } = await import('node:zlib');
    const a = writePcap(mix(8_000, 30, 50_000), { linkType: 1 });
    const fa = tmp.file('a.pcap.gz', gzipSync(a));
    const fb = tmp.file('b.pcap', writePcap(mix(8_000, 45, 30_000), { linkType: 1 }));
    const fc = tmp.file('c.pcap', writePcap(mix(8_000, 35, 70_000), { linkType: 1, nanos: true }));
    const r = await same([fa, fb, fc, fb]);
    expect(r.files).toBe(3);
  });
});

describe.skipIf(!available)('an early walk (started by the launcher) is adopted only when it fits', () => {
  const ext = join(PCAPS, 'lab/extended-ports.pcap');
  it('a walk started without the extended ports is not used by a run with them (it would drop the KVM frames)', async () => {
    const js = await runCapture({ inputs: [ext], extendedPorts: true }, undefined, { prefilter: false });
    prestartPrefilter(ext, DEFAULT_LIMITS, watchedTcpPorts(false), true);
    expect(hasPrestarted()).toBe(true);
    const pf = await runCapture({ inputs: [ext], extendedPorts: true }, undefined, { prefilter: true });
    expect(hasPrestarted()).toBe(false);
    expect(pf.text).toBe(js.text);
    expect(js.lines.some((l) => l.service === 'amt-kvm-5900')).toBe(true);
  });

  it('a walk of another file is closed, not used; one of the same file is', async () => {
    const other = join(PCAPS, 'lab/curl-digest-bad.pcap');
    const js = await runCapture({ inputs: [ext] }, undefined, { prefilter: false });
    prestartPrefilter(other, DEFAULT_LIMITS, watchedTcpPorts(false), true);
    expect(hasPrestarted()).toBe(true);
    expect((await runCapture({ inputs: [ext] }, undefined, { prefilter: true })).text).toBe(js.text);
    expect(hasPrestarted()).toBe(false);
    const before = prefilterCounters.files;
    prestartPrefilter(ext, DEFAULT_LIMITS, watchedTcpPorts(false), true);
    expect((await runCapture({ inputs: [ext] }, undefined, { prefilter: true })).text).toBe(js.text);
    expect(prefilterCounters.files).toBe(before + 1);
  });

  it('a file that fits the read buffer is not walked early (the reader reads it at once)', () => {
    prestartPrefilter(join(PCAPS, 'lab/curl-digest-bad.pcap'), DEFAULT_LIMITS, watchedTcpPorts(false));
    expect(hasPrestarted()).toBe(false);
  });
});

describe('the prefilter in CI', () => {
  it.runIf(process.env.CI === 'true')('is built (CI must test it, not skip it)', () => {
    expect(available).toBe(true);
  });
});
