import { execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcap, writePcapng, type CaptureRecord } from '../../../pcaps/gen/lib/pcap-writer.js';
import { readCapture } from '../../../src/io/open.js';
import { SMALL, bytes, codes, expectedPcap, limits, read, readPath, readStream, tmpDir } from './helpers.js';

const T0 = 1_700_000_000_000_000_000n;
const tmp = tmpDir();
afterAll(() => tmp.cleanup());

function recs(sizes: number[], seed = 1): CaptureRecord[] {
  return sizes.map((n, i) => ({ tsNs: T0 + BigInt(i) * 1_000_000n, data: bytes(n, seed + i) }));
}

describe('readCapture: file-system problems never throw', () => {
  it('missing file', async () => {
    const out = await readPath(join(tmp.dir, 'nope.pcap'), limits(), 'nope.pcap');
    expect(out).toEqual({
      summary: { file: 'nope.pcap', format: 'unknown', compressed: false, frames: 0, bytes: 0 },
      errors: [{ file: 'nope.pcap', frame: 0, offset: 0, code: 'input.open_failed', message: 'cannot open: no such file', fatal: true }],
      unreadable: true,
      frames: [],
    });
  });

  it('a directory', async () => {
    const d = join(tmp.dir, 'adir');
    mkdirSync(d);
    const out = await readPath(d, limits(), 'adir');
    expect(out.unreadable).toBe(true);
    expect(out.errors).toEqual([
      { file: 'adir', frame: 0, offset: 0, code: 'input.open_failed', message: 'cannot open: it is a directory', fatal: true },
    ]);
  });

  it.skipIf(process.getuid?.() === 0)('no read permission', async () => {
    const p = tmp.file('noperm.pcap', writePcap(recs([10]), { linkType: 1 }));
    chmodSync(p, 0o000);
    const out = await readPath(p, limits(), 'noperm.pcap');
    expect(out.unreadable).toBe(true);
    expect(out.errors).toEqual([
      { file: 'noperm.pcap', frame: 0, offset: 0, code: 'input.open_failed', message: 'cannot open: permission denied', fatal: true },
    ]);
  });

  it('empty file, empty stream, gzip of nothing', async () => {
    const e = await readPath(tmp.file('empty.pcap', new Uint8Array(0)), limits(), 'e');
    expect(e).toMatchObject({ unreadable: true, summary: { format: 'unknown', frames: 0, bytes: 0, compressed: false } });
    expect(e.errors).toEqual([
      { file: 'e', frame: 0, offset: 0, code: 'input.empty', message: 'empty input: the file holds no bytes', fatal: true },
    ]);
    const s = await readStream(new Uint8Array(0));
    expect(codes(s)).toEqual(['input.empty']);
    expect(s.unreadable).toBe(true);
    const g = await readPath(tmp.file('empty.gz', gzipSync(Buffer.alloc(0))), limits(), 'g');
    expect(g.errors[0]).toMatchObject({ code: 'input.empty', message: 'empty input: the gzip stream decompresses to nothing' });
    expect(g.summary.compressed).toBe(true);
  });

  it('garbage and text files are input.unknown_format, unreadable', async () => {
    const bin = await readPath(tmp.file('garbage.bin', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 1, 2])), limits(), 'z');
    expect(bin).toMatchObject({ unreadable: true, summary: { format: 'unknown', frames: 0 } });
    expect(bin.errors).toEqual([
      {
        file: 'z',
        frame: 0,
        offset: 0,
        code: 'input.unknown_format',
        message: 'unknown format: the input starts with 50 4b 03 04 14 00 00 00, which is no pcap, pcapng or gzip magic',
        fatal: true,
      },
    ]);
    const txt = await readPath(tmp.file('notes.txt', Buffer.from('hello, this is a README\n')), limits(), 't');
    expect(txt.errors[0]?.message).toBe(
      'unknown format: the input starts with 68 65 6c 6c 6f 2c 20 74 (it looks like text), which is no pcap, pcapng or gzip magic',
    );
    const short = await readPath(tmp.file('short.bin', Uint8Array.from([0xd4, 0xc3])), limits(), 's');
    expect(short.errors[0]).toMatchObject({
      code: 'input.unknown_format',
      message: 'unknown format: the input is only 2 bytes long, too short for any capture format',
    });
    const gzText = await readPath(tmp.file('text.gz', gzipSync(Buffer.from('not a capture at all'))), limits(), 'gt');
    expect(codes(gzText)).toEqual(['input.unknown_format']);
    expect(gzText.summary.compressed).toBe(true);
    expect(gzText.unreadable).toBe(true);
  });

  it('neither path nor stream', async () => {
    const out = await read({ name: 'x' });
    expect(out.errors).toEqual([{ file: 'x', frame: 0, offset: 0, code: 'input.open_failed', message: 'cannot open: no path or stream given', fatal: true }]);
    expect(out.unreadable).toBe(true);
  });
});

describe('readCapture: gzip problems', () => {
  it('a corrupt gzip header: gzip.corrupt, unreadable', async () => {
    const gz = gzipSync(writePcap(recs([10, 20]), { linkType: 1 }));
    gz[3] = 0xe0; // reserved flag bits
    const out = await readPath(tmp.file('badhdr.gz', gz), limits(), 'b');
    expect(out.unreadable).toBe(true);
    expect(out.frames).toEqual([]);
    expect(out.errors).toEqual([
      {
        file: 'b',
        frame: 0,
        offset: 0,
        code: 'gzip.corrupt',
        message: 'corrupt gzip data (unknown header flags set) after 0 decompressed bytes: nothing could be read',
        fatal: true,
      },
    ]);
  });

  it('a corrupt second member: frames of the first are delivered, then fatal gzip.corrupt at the next frame', async () => {
    const r = recs([100, 200, 300, 400]);
    const buf = writePcap(r, { linkType: 1 });
    const split = 24 + 116 + 216; // after frame 2
    const m1 = gzipSync(buf.subarray(0, split));
    const m2 = gzipSync(buf.subarray(split));
    m2[2] = 7; // compression method
    // a stream whose chunks end where the members do (Node's zlib drops the output of a write that fails)
    const out = await read({ name: 'm', stream: Readable.from([m1, m2]) });
    expect(out.frames).toEqual(expectedPcap(r, 1).slice(0, 2));
    expect(out.unreadable).toBe(false);
    expect(out.errors).toEqual([
      {
        file: 'm',
        frame: 3,
        offset: split,
        code: 'gzip.corrupt',
        message: `corrupt gzip data (unknown compression method) at decompressed byte ${split}, before frame 3`,
        fatal: true,
      },
    ]);
    expect(out.summary).toMatchObject({ compressed: true, frames: 2, bytes: split });
  });

  it('multi-member gzip and zero padding after the last member are read like one stream', async () => {
    const r = recs([100, 200, 300, 400]);
    const buf = writePcap(r, { linkType: 1 });
    const gz = Buffer.concat([gzipSync(buf.subarray(0, 100)), gzipSync(buf.subarray(100)), Buffer.alloc(512)]);
    const out = await readPath(tmp.file('multi.gz', gz));
    expect(out.errors).toEqual([]);
    expect(out.frames).toEqual(expectedPcap(r, 1));
  });

  it('a truncated gzip file reports where the decompressed data ends', async () => {
    const r = recs([100, 200, 300]);
    const buf = writePcap(r, { linkType: 1 });
    const gz = gzipSync(buf);
    const out = await readPath(tmp.file('cut.gz', gz.subarray(0, gz.length - 8)), limits(), 'c'); // trailer lost
    expect(out.frames).toEqual(expectedPcap(r, 1));
    expect(out.errors).toEqual([
      {
        file: 'c',
        frame: 4,
        offset: buf.length,
        code: 'gzip.truncated',
        message: `truncated gzip: the compressed input ends early at decompressed byte ${buf.length}, before frame 4`,
        fatal: true,
      },
    ]);
  });
});

describe('readCapture: streams and special files', () => {
  it('a stream that fails midway: frames before delivered, input.read_failed with frame and offset', async () => {
    const r = recs([100, 200, 300]);
    const buf = writePcap(r, { linkType: 1 });
    const cut = 24 + 116 + 50;
    async function* src(): AsyncGenerator<Buffer> {
      yield buf.subarray(0, cut);
      throw Object.assign(new Error('device vanished'), { code: 'EIO' });
    }
    const out = await read({ name: 'stdin', stream: Readable.from(src()) });
    expect(out.frames).toEqual(expectedPcap(r, 1).slice(0, 1));
    expect(out.errors).toEqual([
      {
        file: 'stdin',
        frame: 2,
        offset: 140,
        code: 'input.read_failed',
        message: `reading failed (EIO: device vanished) at decompressed byte ${cut}, 50 bytes into frame 2`,
        fatal: true,
      },
    ]);
  });

  it('string chunks (a stream with an encoding set) are taken as latin1 bytes', async () => {
    const r = recs([10, 20]);
    const buf = writePcap(r, { linkType: 1 });
    const out = await read({ name: '-', stream: Readable.from([buf.toString('latin1')]) });
    expect(out.errors).toEqual([]);
    expect(out.frames).toEqual(expectedPcap(r, 1));
  });

  it.skipIf(process.platform !== 'linux')('a named pipe is read as a stream', async () => {
    const fifo = join(tmp.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = recs([100, 1000, 10]);
    const buf = writePcap(r, { linkType: 1 });
    const w = createWriteStream(fifo);
    w.end(buf);
    const out = await readPath(fifo, limits(), 'fifo');
    expect(out.errors).toEqual([]);
    expect(out.frames).toEqual(expectedPcap(r, 1));
  });

  it('onProgress reports growing byte counts', async () => {
    const r = recs(new Array(400).fill(1000));
    const buf = writePcap(r, { linkType: 1 });
    const p = tmp.file('progress.pcap', buf);
    const seen: number[] = [];
    const out = await readCapture({ name: 'p', path: p }, () => undefined, { limits: SMALL, onProgress: (n) => seen.push(n) });
    expect(out.summary.frames).toBe(400);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((v, i) => v <= buf.length && (i === 0 || v > (seen[i - 1] as number)))).toBe(true);
  });

  it('concurrent reads do not share a buffer', async () => {
    const a = recs(new Array(500).fill(0).map((_, i) => (i * 37) % 1500), 10);
    const b = recs(new Array(300).fill(0).map((_, i) => (i * 91) % 1500), 20);
    const pa = tmp.file('ca.pcap', writePcap(a, { linkType: 1 }));
    const pb = tmp.file('cb.pcap.gz', gzipSync(writePcap(b, { linkType: 1, bigEndian: true })));
    const [ra, rb, ra2] = await Promise.all([readPath(pa, SMALL), readPath(pb, SMALL), readPath(pa, limits())]);
    expect(ra.frames).toEqual(expectedPcap(a, 1));
    expect(rb.frames).toEqual(expectedPcap(b, 1));
    expect(ra2.frames).toEqual(expectedPcap(a, 1));
  });

  it('an exception thrown by the sink propagates, and the file is closed', async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const p = tmp.file('throw.pcap', writePcap(recs([10, 20, 30]), { linkType: 1 }));
    const g = tmp.file('throw.pcap.gz', gzipSync(writePcap(recs([10, 20, 30]), { linkType: 1 })));
    const before = fds();
    const boom = (): void => {
      throw new Error('sink bug');
    };
    await expect(readCapture({ name: 'p', path: p }, boom, { limits: limits() })).rejects.toThrow('sink bug');
    await expect(readCapture({ name: 'g', path: g }, boom, { limits: limits() })).rejects.toThrow('sink bug');
    await expect(readCapture({ name: 's', stream: Readable.from([writePcap(recs([10]), { linkType: 1 })]) }, boom, { limits: limits() })).rejects.toThrow(
      'sink bug',
    );
    expect(fds()).toBeLessThanOrEqual(before);
    // and the reader still works afterwards (its buffer was released)
    const ok = await readPath(p);
    expect(ok.summary.frames).toBe(3);
  });

  it('a pcapng and a pcap through one stdin-like stream each, byte-exact summaries', async () => {
    const ng = writePcapng([{ interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', iface: 0, tsNs: T0, data: bytes(50, 3) }] }]);
    const a = await readStream(ng, limits(), 10);
    expect(a.summary).toEqual({ file: 'stdin', format: 'pcapng', compressed: false, frames: 1, bytes: ng.length });
    const b = await readStream(gzipSync(ng), limits(), 1);
    expect(b.summary).toEqual({ file: 'stdin', format: 'pcapng', compressed: true, frames: 1, bytes: ng.length });
  });
});

describe('readCapture: a bug in the reader itself', () => {
  it('becomes a fatal input.read_failed for that file instead of a rejection', async () => {
    const { PcapParser } = await import('../../../src/io/pcap.js');
    const { vi } = await import('vitest');
    const buf = writePcap(recs([10, 20]), { linkType: 1 });
    const spy = vi.spyOn(PcapParser.prototype, 'parse').mockImplementation(() => {
      throw new TypeError('oops');
    });
    try {
      const out = await readPath(tmp.file('bug.pcap', buf), limits(), 'bug');
      expect(out.errors).toEqual([
        { file: 'bug', frame: 0, offset: 0, code: 'input.read_failed', message: 'internal error in the reader (oops); please report it', fatal: true },
      ]);
      expect(out.summary).toMatchObject({ format: 'pcap', frames: 0, bytes: 0 });
    } finally {
      spy.mockRestore();
    }
    expect((await readPath(tmp.file('bug.pcap', buf))).summary.frames).toBe(2);
  });
});
