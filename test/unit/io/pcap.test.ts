import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcap, type CaptureRecord, type PcapOptions } from '../../../pcaps/gen/lib/pcap-writer.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW } from '../../../src/io/frame.js';
import { bufferBytes } from '../../../src/io/source.js';
import { SMALL, bytes, codes, expectedPcap, limits, put32, readPath, readStream, tmpDir } from './helpers.js';

const T0 = 1_700_000_000_123_456_789n;
const tmp = tmpDir();
afterAll(() => tmp.cleanup());

function recs(sizes: number[], seed = 1): CaptureRecord[] {
  return sizes.map((n, i) => ({ tsNs: T0 + BigInt(i) * 1_000_001_007n, data: bytes(n, seed + i) }));
}

describe('classic pcap: happy paths', () => {
  const variants: { name: string; opts: PcapOptions; format: string; rh?: number }[] = [
    { name: 'LE microsecond', opts: { linkType: LINKTYPE_ETHERNET }, format: 'pcap' },
    { name: 'BE microsecond', opts: { linkType: LINKTYPE_ETHERNET, bigEndian: true }, format: 'pcap' },
    { name: 'LE nanosecond', opts: { linkType: LINKTYPE_RAW, nanos: true }, format: 'pcap-ns' },
    { name: 'BE nanosecond', opts: { linkType: LINKTYPE_LINUX_SLL, nanos: true, bigEndian: true }, format: 'pcap-ns' },
    // Kuznetzov's modified format: 24-byte record headers
    { name: 'LE Kuznetzov', opts: { linkType: LINKTYPE_ETHERNET, kuznetzov: true }, format: 'pcap', rh: 24 },
    { name: 'BE Kuznetzov', opts: { linkType: LINKTYPE_ETHERNET, kuznetzov: true, bigEndian: true }, format: 'pcap', rh: 24 },
  ];
  const r = recs([60, 1514, 0, 61, 999, 42]);
  r[1] = { ...(r[1] as CaptureRecord), origLen: 9000 }; // snapped frame
  for (const v of variants) {
    it(`${v.name}: every frame, ts, lengths, offsets`, async () => {
      const buf = writePcap(r, v.opts);
      const p = tmp.file(`${v.name.replace(/ /g, '-')}.pcap`, buf);
      const out = await readPath(p, limits(), 'x.pcap');
      expect(out.errors).toEqual([]);
      expect(out.unreadable).toBe(false);
      expect(out.summary).toEqual({ file: 'x.pcap', format: v.format, compressed: false, frames: 6, bytes: buf.length });
      expect(out.frames).toEqual(expectedPcap(r, v.opts.linkType, v.rh));
      expect(out.frames[0]?.ts).toBe(1_700_000_000_123_456); // ns truncated, never rounded
      expect(out.frames[1]?.wireLen).toBe(9000);

      const gz = tmp.file(`${v.name.replace(/ /g, '-')}.pcap.gz`, gzipSync(buf));
      const outGz = await readPath(gz, limits(), 'x.pcap.gz');
      expect(outGz.errors).toEqual([]);
      expect(outGz.summary).toEqual({ file: 'x.pcap.gz', format: v.format, compressed: true, frames: 6, bytes: buf.length });
      expect(outGz.frames).toEqual(out.frames);

      const st = await readStream(buf, limits(), 5);
      expect(st.errors).toEqual([]);
      expect(st.summary).toEqual({ file: 'stdin', format: v.format, compressed: false, frames: 6, bytes: buf.length });
      expect(st.frames).toEqual(out.frames);

      const stGz = await readStream(gzipSync(buf), limits(), 7);
      expect(stGz.errors).toEqual([]);
      expect(stGz.summary.compressed).toBe(true);
      expect(stGz.frames).toEqual(out.frames);
    });
  }

  it('Kuznetzov format cut inside a 24-byte record header or a body: the right message', async () => {
    const buf = writePcap(recs([60, 70]), { linkType: LINKTYPE_ETHERNET, kuznetzov: true });
    const second = 24 + 24 + 60;
    let out = await readPath(tmp.file('kz1.pcap', buf.subarray(0, second + 20)), limits(), 'k');
    expect(out.frames.length).toBe(1);
    expect(out.errors[0]).toMatchObject({ code: 'pcap.truncated_record', frame: 2, offset: second, message: "truncated record: file ends 20 bytes into frame 2's 24-byte record header" });
    out = await readPath(tmp.file('kz2.pcap', buf.subarray(0, second + 30)), limits(), 'k');
    expect(out.errors[0]).toMatchObject({ message: "truncated record: file ends 6 bytes into frame 2's 70-byte body" });
  });

  it('the link type is the low 16 bits of its field (FCS and reserved bits are not part of it)', async () => {
    const buf = writePcap(recs([60]), { linkType: LINKTYPE_ETHERNET });
    put32(buf, 20, (0x2 << 28) | 0x04000000 | LINKTYPE_ETHERNET); // FCS present, 4 bytes
    const out = await readPath(tmp.file('fcs.pcap', buf));
    expect(out.frames[0]?.linkType).toBe(LINKTYPE_ETHERNET);
  });

  it('an input many times the buffer: records straddle every refill, on files, streams and gzip', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 3000; i++) sizes.push((i * 7919) % 2049); // 0..2048 = maxFrameBytes in SMALL
    sizes.push(2048, 2048, 2048);
    const r2 = recs(sizes, 99);
    for (const opts of [{ linkType: 1 }, { linkType: 1, bigEndian: true, nanos: true }] as PcapOptions[]) {
      const buf = writePcap(r2, opts);
      expect(buf.length).toBeGreaterThan(bufferBytes(SMALL) * 500);
      const exp = expectedPcap(r2, 1);
      const f = await readPath(tmp.file('straddle.pcap', buf), SMALL);
      expect(f.errors).toEqual([]);
      expect(f.summary.frames).toBe(sizes.length);
      expect(f.summary.bytes).toBe(buf.length);
      expect(f.frames).toEqual(exp);
      const s = await readStream(buf, SMALL, 1000);
      expect(s.errors).toEqual([]);
      expect(s.frames).toEqual(exp);
      const g = await readPath(tmp.file('straddle.pcap.gz', gzipSync(buf)), SMALL);
      expect(g.errors).toEqual([]);
      expect(g.frames).toEqual(exp);
    }
  });

  it('frames of exactly maxFrameBytes are delivered (default limits and small limits)', async () => {
    const big = recs([262_144, 60, 262_144]);
    const out = await readPath(tmp.file('max.pcap', writePcap(big, { linkType: 1 })));
    expect(out.errors).toEqual([]);
    expect(out.frames.map((f) => f.data.length / 2)).toEqual([262_144, 60, 262_144]);
    expect(out.frames).toEqual(expectedPcap(big, 1));
    const small = recs([2048, 2048]);
    const s = await readPath(tmp.file('max-small.pcap', writePcap(small, { linkType: 1, snaplen: 2048 })), SMALL);
    expect(s.errors).toEqual([]);
    expect(s.frames).toEqual(expectedPcap(small, 1));
  });

  it('a file with a header and no records is read, with 0 frames and no error', async () => {
    const buf = writePcap([], { linkType: 1 });
    const out = await readPath(tmp.file('hdr-only.pcap', buf));
    expect(out).toMatchObject({ errors: [], unreadable: false, summary: { format: 'pcap', frames: 0, bytes: 24 } });
  });

  it('many files in one run: each call is independent (frame numbers and offsets restart)', async () => {
    const a = tmp.file('run-a.pcap', writePcap(recs([100, 200]), { linkType: 1 }));
    const b = tmp.file('run-b.pcap', writePcap(recs([300]), { linkType: 101, nanos: true }));
    const ra = await readPath(a);
    const rb = await readPath(b);
    const ra2 = await readPath(a);
    expect(ra.frames.map((f) => f.index)).toEqual([1, 2]);
    expect(rb.frames.map((f) => [f.index, f.fileOffset, f.linkType])).toEqual([[1, 24, 101]]);
    expect(ra2.frames).toEqual(ra.frames);
  });
});

describe('classic pcap: truncation sweep', () => {
  const r = recs([60, 0, 75, 33]);
  for (const opts of [{ linkType: 1 }, { linkType: 1, bigEndian: true, nanos: true }] as PcapOptions[]) {
    const buf = writePcap(r, opts);
    const ends: number[] = []; // end offset of each record
    let o = 24;
    for (const x of r) ends.push((o += 16 + x.data.length));
    const exp = expectedPcap(r, 1);

    it(`every prefix 0..n-1 (${opts.bigEndian ? 'BE ns' : 'LE us'}): whole frames only, the right error`, async () => {
      for (let n = 0; n < buf.length; n++) {
        const out = await readPath(tmp.file('trunc.pcap', buf.subarray(0, n)), limits(), 't.pcap');
        const whole = ends.filter((e) => e <= n).length;
        expect(out.frames, `prefix ${n}`).toEqual(exp.slice(0, whole));
        expect(out.summary.frames).toBe(whole);
        if (n === 0) {
          expect(codes(out)).toEqual(['input.empty']);
          expect(out.unreadable).toBe(true);
        } else if (n < 4) {
          expect(codes(out)).toEqual(['input.unknown_format']);
          expect(out.unreadable).toBe(true);
        } else if (n < 24) {
          expect(out.errors).toEqual([
            {
              file: 't.pcap',
              frame: 0,
              offset: 0,
              code: 'pcap.bad_header',
              message: `truncated file header: file ends ${n} byte${n === 1 ? '' : 's'} into the 24-byte pcap file header`,
              fatal: true,
            },
          ]);
          expect(out.unreadable).toBe(true);
          expect(out.summary.format).toBe(opts.nanos ? 'pcap-ns' : 'pcap');
        } else if (n === 24 || ends.includes(n)) {
          expect(out.errors, `prefix ${n}`).toEqual([]);
          expect(out.summary.bytes).toBe(n);
        } else {
          const start = whole === 0 ? 24 : (ends[whole - 1] as number);
          expect(out.errors, `prefix ${n}`).toHaveLength(1);
          expect(out.errors[0]).toMatchObject({ file: 't.pcap', frame: whole + 1, offset: start, code: 'pcap.truncated_record', fatal: true });
          expect(out.unreadable).toBe(false);
          expect(out.summary.bytes).toBe(start);
        }
      }
    });
  }

  it('messages say where the file ends', async () => {
    const r2 = recs([60, 1514]);
    const buf = writePcap(r2, { linkType: 1 });
    const body = await readPath(tmp.file('t1.pcap', buf.subarray(0, 24 + 76 + 16 + 37)));
    expect(body.errors[0]?.message).toBe("truncated record: file ends 37 bytes into frame 2's 1514-byte body");
    const hdr = await readPath(tmp.file('t2.pcap', buf.subarray(0, 24 + 76 + 5)));
    expect(hdr.errors[0]?.message).toBe("truncated record: file ends 5 bytes into frame 2's 16-byte record header");
  });

  it('gzip: every compressed prefix gives the frames zlib could decode and gzip.truncated', async () => {
    const { gunzipSync, constants } = await import('node:zlib');
    const buf = writePcap(recs([60, 0, 75, 33, 200]), { linkType: 1 });
    const gz = gzipSync(buf);
    const ends: number[] = [];
    let o = 24;
    for (const x of [60, 0, 75, 33, 200]) ends.push((o += 16 + x));
    for (let n = 0; n < gz.length; n++) {
      const out = await readPath(tmp.file('trunc.pcap.gz', gz.subarray(0, n)), limits(), 'g');
      // what a decoder can get out of this prefix
      const avail = n < 2 ? 0 : gunzipSync(gz.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }).length;
      const whole = avail < 24 ? 0 : ends.filter((e) => e <= avail).length;
      expect(out.summary.frames, `prefix ${n}`).toBe(whole);
      if (n === 0) expect(codes(out)).toEqual(['input.empty']);
      else if (n === 1) expect(codes(out)).toEqual(['input.unknown_format']);
      else {
        expect(codes(out), `prefix ${n}`).toEqual(['gzip.truncated']);
        expect(out.errors[0]?.fatal).toBe(true);
        expect(out.unreadable).toBe(avail < 24);
        expect(out.summary.compressed).toBe(true);
        if (avail >= 24) {
          const start = whole === 0 ? 24 : (ends[whole - 1] as number);
          expect(out.errors[0]).toMatchObject({ frame: whole + 1, offset: start });
        }
      }
    }
  });
});

describe('classic pcap: lying length fields', () => {
  // 5 records of 100 bytes: record k (1-based) starts at 24 + (k-1)*116
  const r = recs([100, 100, 100, 100, 100]);
  const at = (k: number): number => 24 + (k - 1) * 116;

  it('caplen 0xfffffff0: frames before it delivered, fatal pcap.record_too_large with frame and offset', async () => {
    for (const le of [true, false]) {
      const buf = writePcap(r, { linkType: 1, bigEndian: !le });
      put32(buf, at(3) + 8, 0xfffffff0, le);
      const out = await readPath(tmp.file('huge.pcap', buf), limits(), 'huge.pcap');
      expect(out.frames).toEqual(expectedPcap(r, 1).slice(0, 2));
      expect(out.errors).toEqual([
        {
          file: 'huge.pcap',
          frame: 3,
          offset: at(3),
          code: 'pcap.record_too_large',
          message: 'record too large: frame 3 claims 4294967280 captured bytes, over the 262144-byte frame limit; the rest of the file cannot be trusted',
          fatal: true,
        },
      ]);
      expect(out.unreadable).toBe(false);
      expect(out.summary.bytes).toBe(at(3));
    }
  });

  it('caplen just over limits.maxFrameBytes is fatal too (and works through gzip and streams)', async () => {
    const buf = writePcap(r, { linkType: 1 });
    put32(buf, at(2) + 8, 2049);
    for (const out of [
      await readPath(tmp.file('over.pcap', buf), SMALL),
      await readPath(tmp.file('over.pcap.gz', gzipSync(buf)), SMALL),
      await readStream(buf, SMALL, 3),
    ]) {
      expect(out.frames).toHaveLength(1);
      expect(codes(out)).toEqual(['pcap.record_too_large']);
      expect(out.errors[0]).toMatchObject({ frame: 2, offset: at(2), fatal: true });
    }
  });

  it('caplen > snaplen (sane snaplen): reported, not fatal, frame delivered as is', async () => {
    const r2 = recs([50, 100, 50]);
    const buf = writePcap(r2, { linkType: 1, snaplen: 64 });
    const out = await readPath(tmp.file('snap.pcap', buf), limits(), 's');
    expect(out.frames).toEqual(expectedPcap(r2, 1));
    expect(out.errors).toEqual([
      {
        file: 's',
        frame: 2,
        offset: 24 + 66,
        code: 'pcap.caplen_exceeds_snaplen',
        message: "frame 2 has 100 captured bytes, more than the file's snaplen of 64; delivered as is",
        fatal: false,
      },
    ]);
  });

  it('snaplen 0 or over the limit is not sane and is not checked', async () => {
    for (const snaplen of [0, 0xffffffff]) {
      const out = await readPath(tmp.file('snap0.pcap', writePcap(recs([100]), { linkType: 1, snaplen })));
      expect(out.errors).toEqual([]);
      expect(out.frames).toHaveLength(1);
    }
  });

  it('caplen > origlen: reported, not fatal, wireLen raised to caplen', async () => {
    const r2 = recs([50, 100, 50]);
    r2[1] = { ...(r2[1] as CaptureRecord), origLen: 40 };
    const out = await readPath(tmp.file('orig.pcap', writePcap(r2, { linkType: 1 })), limits(), 'o');
    expect(out.frames).toHaveLength(3);
    expect(out.frames[1]?.wireLen).toBe(100);
    expect(out.errors).toEqual([
      {
        file: 'o',
        frame: 2,
        offset: 24 + 66,
        code: 'pcap.caplen_exceeds_origlen',
        message: 'frame 2 has 100 captured bytes but an original length of only 40; original length taken as 100',
        fatal: false,
      },
    ]);
  });

  it('a file header with another major version is pcap.bad_header and unreadable', async () => {
    const buf = writePcap(recs([10]), { linkType: 1 });
    buf.writeUInt16LE(3, 4);
    const out = await readPath(tmp.file('ver.pcap', buf), limits(), 'v');
    expect(out.unreadable).toBe(true);
    expect(out.frames).toEqual([]);
    expect(out.errors).toEqual([
      { file: 'v', frame: 0, offset: 0, code: 'pcap.bad_header', message: 'unsupported pcap version 3.4 (only 2.x exists)', fatal: true },
    ]);
  });

  it('a flood of non-fatal errors is bounded: limits.maxInputErrorsKept entries, then one input.errors_suppressed', async () => {
    const r2 = recs(new Array(50).fill(100));
    const out = await readPath(tmp.file('flood.pcap', writePcap(r2, { linkType: 1, snaplen: 64 })), limits({ maxInputErrorsKept: 3 }));
    expect(out.frames).toHaveLength(50);
    expect(codes(out)).toEqual([
      'pcap.caplen_exceeds_snaplen',
      'pcap.caplen_exceeds_snaplen',
      'pcap.caplen_exceeds_snaplen',
      'input.errors_suppressed',
    ]);
    expect(out.errors[3]).toMatchObject({
      frame: 4,
      offset: 24 + 3 * 116,
      fatal: false,
      message: '47 more problem(s) in this file from here on were not listed (limit 3 per file)',
    });
  });

  it('a fatal error after the cap is still listed, after the suppression entry', async () => {
    const r2 = recs(new Array(10).fill(100));
    const buf = writePcap(r2, { linkType: 1, snaplen: 64 });
    put32(buf, 24 + 8 * 116 + 8, 0xffffffff);
    const out = await readPath(tmp.file('flood2.pcap', buf), limits({ maxInputErrorsKept: 2 }));
    expect(codes(out)).toEqual(['pcap.caplen_exceeds_snaplen', 'pcap.caplen_exceeds_snaplen', 'input.errors_suppressed', 'pcap.record_too_large']);
    expect(out.frames).toHaveLength(8);
  });
});
