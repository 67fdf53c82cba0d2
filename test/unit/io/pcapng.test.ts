import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcapng, type NgBlock, type NgSection } from '../../../pcaps/gen/lib/pcap-writer.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from '../../../src/io/frame.js';
import { Interface } from '../../../src/io/pcapng.js';
import { bufferBytes } from '../../../src/io/source.js';
import {
  SMALL,
  bytes,
  codes,
  hex,
  layout,
  limits,
  ngUs,
  put32,
  readPath,
  readStream,
  tmpDir,
  type Got,
} from './helpers.js';

const T0 = 1_700_000_000_123_456_789n;
const tmp = tmpDir();
afterAll(() => tmp.cleanup());

let seed = 1;
function epb(iface: number, i: number, n: number, origLen?: number): NgBlock {
  const b: NgBlock = { kind: 'epb', iface, tsNs: T0 + BigInt(i) * 1_234_567_891n, data: bytes(n, seed++) };
  if (origLen !== undefined) b.origLen = origLen;
  return b;
}
function spb(n: number): NgBlock {
  return { kind: 'spb', data: bytes(n, seed++) };
}
function raw(type: number, n: number): NgBlock {
  return { kind: 'raw', type, body: bytes(n, seed++) };
}

/** The frames a pcapng reader must deliver for what writePcapng wrote. */
function expectedNg(sections: readonly NgSection[]): Got[] {
  const lay = layout(sections);
  const out: Got[] = [];
  let li = 0;
  let index = 0;
  for (const s of sections) {
    li += 1 + s.interfaces.length;
    let last = 0;
    for (const b of s.blocks) {
      const at = (lay[li++] as { offset: number }).offset;
      if (b.kind === 'raw') continue;
      index++;
      if (b.kind === 'epb') {
        const itf = s.interfaces[b.iface];
        if (itf === undefined) throw new Error('test bug');
        last = ngUs(b.tsNs, itf.tsresol);
        out.push({
          index,
          ts: last,
          linkType: itf.linkType,
          data: hex(b.data),
          wireLen: b.origLen ?? b.data.length,
          fileOffset: at,
          iface: b.iface,
        });
      } else {
        const itf = s.interfaces[0];
        if (itf === undefined) throw new Error('test bug');
        let cap = Math.min(b.origLen ?? b.data.length, b.data.length);
        if (itf.snaplen !== undefined && itf.snaplen > 0) cap = Math.min(cap, itf.snaplen);
        out.push({
          index,
          ts: last,
          linkType: itf.linkType,
          data: hex(b.data.subarray(0, cap)),
          wireLen: b.origLen ?? b.data.length,
          fileOffset: at,
          iface: 0,
        });
      }
    }
  }
  return out;
}

describe('pcapng: happy paths', () => {
  const sections: NgSection[] = [
    {
      interfaces: [
        { linkType: LINKTYPE_ETHERNET, name: 'eth0' }, // default 10^-6
        { linkType: LINKTYPE_RAW, tsresol: 9 }, // ns
        { linkType: LINKTYPE_LINUX_SLL, tsresol: 0x80 | 20 }, // 2^-20 s
      ],
      blocks: [
        epb(0, 0, 60),
        raw(4, 30), // NRB
        epb(1, 1, 1514, 9000),
        epb(2, 2, 0),
        spb(77), // interface 0, ts of the last EPB (interface 2's)
        raw(5, 40), // ISB
        raw(0x00000bad, 13), // custom
        epb(0, 3, 61),
        raw(0x0000000a, 10_000), // DSB larger than the SMALL buffer
        raw(0x40000bad, 5000), // custom, larger than the buffer
        epb(1, 4, 2048), // exactly SMALL.maxFrameBytes
      ],
    },
    {
      bigEndian: true,
      interfaces: [
        { linkType: LINKTYPE_LINUX_SLL2, tsresol: 3, snaplen: 50 }, // ms; SPB cut at snaplen
        { linkType: LINKTYPE_ETHERNET, tsresol: 0x80 | 32, name: 'eth1' },
      ],
      blocks: [spb(100), epb(1, 5, 99), raw(0x12345678, 7000), epb(0, 6, 33), spb(10), raw(2 ** 31 + 7, 0)],
    },
  ];
  const buf = writePcapng(sections);
  const exp = expectedNg(sections);

  it('two sections (LE then BE), 5 interfaces, EPB/SPB, unknown blocks: every frame exact', async () => {
    expect(exp.map((f) => f.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(exp[3]?.ts).toBe(exp[2]?.ts); // the SPB inherits the last timestamp
    expect(exp[6]?.ts).toBe(0); // an SPB before any EPB of its section
    expect(exp[6]?.data.length).toBe(100); // 50 bytes: snaplen
    for (const lim of [limits(), SMALL]) {
      const out = await readPath(tmp.file('happy.pcapng', buf), lim, 'h.pcapng');
      expect(out.errors).toEqual([]);
      expect(out.unreadable).toBe(false);
      expect(out.summary).toEqual({ file: 'h.pcapng', format: 'pcapng', compressed: false, frames: 10, bytes: buf.length });
      expect(out.frames).toEqual(exp);
    }
  });

  it('the same through gzip, a stream, and a gzip stream, with big and tiny chunks', async () => {
    const gz = gzipSync(buf);
    for (const lim of [limits(), SMALL]) {
      const g = await readPath(tmp.file('happy.pcapng.gz', gz), lim, 'h.gz');
      expect(g.errors).toEqual([]);
      expect(g.summary).toEqual({ file: 'h.gz', format: 'pcapng', compressed: true, frames: 10, bytes: buf.length });
      expect(g.frames).toEqual(exp);
      for (const chunk of [3, 13, 4096, 1 << 20]) {
        const s = await readStream(buf, lim, chunk);
        expect(s.errors).toEqual([]);
        expect(s.summary.bytes).toBe(buf.length);
        expect(s.frames).toEqual(exp);
        const sg = await readStream(gz, lim, chunk);
        expect(sg.errors).toEqual([]);
        expect(sg.frames).toEqual(exp);
      }
    }
  });

  it('an unknown block larger than the default 4 MiB buffer is skipped without buffering it', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 60), raw(0x0bad, 5 * 1024 * 1024), epb(0, 1, 70)] }];
    const b = writePcapng(s);
    expect(b.length).toBeGreaterThan(bufferBytes(limits()));
    const out = await readPath(tmp.file('huge-unknown.pcapng', b));
    expect(out.errors).toEqual([]);
    expect(out.frames).toEqual(expectedNg(s));
    expect(out.summary.bytes).toBe(b.length);
    const st = await readStream(b);
    expect(st.errors).toEqual([]);
    expect(st.frames).toEqual(expectedNg(s));
  });

  it('frames of exactly maxFrameBytes (default limits)', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: [epb(0, 0, 262_144), epb(0, 1, 1), epb(0, 2, 262_144)] }];
    const out = await readPath(tmp.file('max.pcapng', writePcapng(s)));
    expect(out.errors).toEqual([]);
    expect(out.frames).toEqual(expectedNg(s));
  });

  it('an input many times the buffer: blocks straddle every refill', async () => {
    const blocks: NgBlock[] = [];
    for (let i = 0; i < 1500; i++) {
      blocks.push(i % 7 === 3 ? spb((i * 31) % 2049) : epb(i % 2, i, (i * 7919) % 2049));
      if (i % 50 === 0) blocks.push(raw(5, (i * 13) % 9000));
    }
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 9 }], blocks }];
    const b = writePcapng(s);
    expect(b.length).toBeGreaterThan(bufferBytes(SMALL) * 200);
    const exp2 = expectedNg(s);
    for (const out of [
      await readPath(tmp.file('straddle.pcapng', b), SMALL),
      await readStream(b, SMALL, 999),
      await readPath(tmp.file('straddle.pcapng.gz', gzipSync(b)), SMALL),
    ]) {
      expect(out.errors).toEqual([]);
      expect(out.summary.frames).toBe(1500);
      expect(out.frames).toEqual(exp2);
    }
  });

  it('the obsolete Packet Block (type 2) is read like an EPB with a 16-bit interface id', async () => {
    const data = bytes(70, 5);
    const pb = (le: boolean): Uint8Array => {
      const body = Buffer.alloc(20 + 72);
      const units = 1_700_000_000_654_321n;
      if (le) {
        body.writeUInt16LE(1, 0);
        body.writeUInt16LE(0, 2);
        body.writeUInt32LE(Number(units >> 32n), 4);
        body.writeUInt32LE(Number(units & 0xffffffffn), 8);
        body.writeUInt32LE(70, 12);
        body.writeUInt32LE(80, 16);
      } else {
        body.writeUInt16BE(1, 0);
        body.writeUInt16BE(0, 2);
        body.writeUInt32BE(Number(units >> 32n), 4);
        body.writeUInt32BE(Number(units & 0xffffffffn), 8);
        body.writeUInt32BE(70, 12);
        body.writeUInt32BE(80, 16);
      }
      Buffer.from(data).copy(body, 20);
      return body;
    };
    for (const bigEndian of [false, true]) {
      const s: NgSection[] = [
        { bigEndian, interfaces: [{ linkType: 1 }, { linkType: 101 }], blocks: [{ kind: 'raw', type: 2, body: pb(!bigEndian) }, spb(20)] },
      ];
      const out = await readPath(tmp.file('pb.pcapng', writePcapng(s)));
      expect(out.errors).toEqual([]);
      expect(out.frames[0]).toEqual({
        index: 1,
        ts: 1_700_000_000_654_321,
        linkType: 101,
        data: hex(data),
        wireLen: 80,
        fileOffset: 68,
        iface: 1,
      });
      expect(out.frames[1]?.ts).toBe(1_700_000_000_654_321);
    }
  });

  it('if_tsoffset (option 14) is added to every timestamp', async () => {
    const idb = Buffer.alloc(8 + 12 + 4);
    idb.writeUInt16LE(1, 0);
    idb.writeUInt32LE(0, 4);
    idb.writeUInt16LE(14, 8);
    idb.writeUInt16LE(8, 10);
    idb.writeBigInt64LE(-3600n, 12);
    const s: NgSection[] = [{ interfaces: [], blocks: [{ kind: 'raw', type: 1, body: idb }, epb(0, 0, 10)] }];
    const out = await readPath(tmp.file('tsoffset.pcapng', writePcapng(s)));
    expect(out.errors).toEqual([]);
    expect(out.frames[0]?.ts).toBe(ngUs(T0, undefined) - 3_600_000_000);
  });

  it('an SHB or IDB over limits.maxPcapngBlockBytes: fixed part read, options skipped', async () => {
    // second section's SHB written by hand with a 6000-byte comment option (LE)
    const opt = Buffer.alloc(4 + 6000 + 4);
    opt.writeUInt16LE(1, 0);
    opt.writeUInt16LE(6000, 2);
    const shbBody = Buffer.concat([Buffer.from([0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]), Buffer.alloc(8, 0xff), opt]);
    const idbBody = Buffer.concat([Buffer.from([101, 0, 0, 0, 0, 0, 0, 0]), opt]);
    const s: NgSection[] = [
      {
        interfaces: [{ linkType: 1 }],
        blocks: [epb(0, 0, 10), { kind: 'raw', type: 0x0a0d0d0a, body: shbBody }, { kind: 'raw', type: 1, body: idbBody }, epb(0, 1, 20)],
      },
    ];
    const b = writePcapng(s);
    const lay = layout(s);
    const out = await readPath(tmp.file('big-shb.pcapng', b), SMALL, 'b');
    expect(out.frames.map((f) => [f.index, f.linkType, f.data.length / 2])).toEqual([
      [1, 1, 10],
      [2, 101, 20],
    ]);
    expect(out.errors).toEqual([
      {
        file: 'b',
        frame: 2,
        offset: lay[4]?.offset,
        code: 'pcapng.block_too_large',
        message:
          'block too large: the 6028-byte interface description block for interface 0 is over the 4096-byte block limit; its options (timestamp resolution, offset) are ignored',
        fatal: false,
      },
    ]);
  });
});

describe('pcapng: timestamps are exact integer microseconds for every if_tsresol', () => {
  const samples: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, 0xffffffff],
    [1, 0],
    [395_812, 2_361_183_241], // ~1.7e18 ns
    [395_812, 4_294_967_295],
    [0x001fffff, 0xffffffff], // 2^53 - 1 units
    [0x00200000, 0],
    [0xffffffff, 0xffffffff],
  ];
  let s = 7;
  for (let i = 0; i < 300; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const hi = s % 500_000_000;
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    samples.push([hi, s]);
  }
  const resolutions: number[] = [];
  for (let n = 0; n <= 24; n++) resolutions.push(n);
  for (let n = 0; n <= 70; n++) resolutions.push(0x80 | n);

  it('matches BigInt floor(units * 10^6 / unitsPerSecond) wherever the result fits in 2^53', () => {
    let compared = 0;
    for (const r of resolutions) {
      const it = new Interface(1, 0);
      it.setResolution(r);
      const ups = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
      for (const [hi, lo] of samples) {
        const units = (BigInt(hi) << 32n) | BigInt(lo);
        const want = (units * 1_000_000n) / ups;
        if (want >= 2n ** 53n) continue;
        expect(it.micros(hi, lo), `tsresol 0x${r.toString(16)} hi ${hi} lo ${lo}`).toBe(Number(want));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(15_000);
  });
});

describe('pcapng: truncation sweep', () => {
  const sections: NgSection[] = [
    { interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 9 }], blocks: [epb(0, 0, 9), spb(5), raw(5, 8), epb(1, 1, 0)] },
    { bigEndian: true, interfaces: [{ linkType: 113 }], blocks: [epb(0, 2, 13)] },
  ];
  const buf = writePcapng(sections);
  const lay = layout(sections);
  const exp = expectedNg(sections);
  const ends = lay.map((b) => b.offset + b.length);
  const packetEnds = lay.filter((b) => b.kind === 'epb' || b.kind === 'spb').map((b) => b.offset + b.length);

  it('every prefix 0..n-1: whole frames only, the right error', async () => {
    for (let n = 0; n < buf.length; n++) {
      const out = await readPath(tmp.file('trunc.pcapng', buf.subarray(0, n)), limits(), 't');
      const whole = packetEnds.filter((e) => e <= n).length;
      expect(out.frames, `prefix ${n}`).toEqual(exp.slice(0, whole));
      if (n === 0) {
        expect(codes(out)).toEqual(['input.empty']);
        expect(out.unreadable).toBe(true);
      } else if (n < 4) {
        expect(codes(out)).toEqual(['input.unknown_format']);
        expect(out.unreadable).toBe(true);
      } else if (ends.includes(n)) {
        expect(out.errors, `prefix ${n}`).toEqual([]);
        expect(out.summary.bytes).toBe(n);
      } else {
        const blk = lay.find((b) => b.offset < n && n < b.offset + b.length);
        if (blk === undefined) throw new Error('test bug');
        expect(out.errors, `prefix ${n}`).toHaveLength(1);
        expect(out.errors[0], `prefix ${n}`).toMatchObject({
          file: 't',
          frame: n < 28 ? 0 : whole + 1,
          offset: blk.offset,
          code: 'pcapng.truncated_block',
          fatal: true,
        });
        expect(out.unreadable).toBe(n < 28);
        expect(out.summary.bytes).toBe(blk.offset);
      }
    }
  });

  it('messages say where the file ends', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 1514)] }];
    const b = writePcapng(s);
    const out = await readPath(tmp.file('msg.pcapng', b.subarray(0, 48 + 100)));
    expect(out.errors[0]?.message).toBe("truncated block: file ends 100 bytes into frame 1's 1548-byte enhanced packet block");
    const out2 = await readPath(tmp.file('msg2.pcapng', b.subarray(0, 30)));
    expect(out2.errors[0]?.message).toBe('truncated block: file ends 2 bytes into a block');
    const out3 = await readPath(tmp.file('msg3.pcapng', b.subarray(0, 20)));
    expect(out3.errors[0]?.message).toBe('truncated block: file ends 20 bytes into the 28-byte section header block');
  });

  it('the file ends inside an unknown block larger than the buffer (file, stream, gzip)', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), raw(5, 50_000), epb(0, 1, 10)] }];
    const b = writePcapng(s);
    const lay2 = layout(s);
    const cut = b.subarray(0, (lay2[3]?.offset as number) + 30_000);
    for (const out of [
      await readPath(tmp.file('cut-big.pcapng', cut), SMALL, 'c'),
      await readStream(cut, SMALL, 777),
      await readPath(tmp.file('cut-big.pcapng.gz', gzipSync(cut)), SMALL, 'c'),
    ]) {
      expect(out.frames).toHaveLength(1);
      expect(out.errors).toHaveLength(1);
      expect(out.errors[0]).toMatchObject({
        frame: 2,
        offset: lay2[3]?.offset,
        code: 'pcapng.truncated_block',
        message: 'truncated block: file ends 30000 bytes into the 50012-byte interface statistics block',
        fatal: true,
      });
    }
  });

  it('gzip: every compressed prefix gives the frames zlib could decode and gzip.truncated', async () => {
    const gz = gzipSync(buf);
    for (let n = 2; n < gz.length; n++) {
      const out = await readPath(tmp.file('trunc.pcapng.gz', gz.subarray(0, n)), limits(), 'g');
      const avail = gunzipSync(gz.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }).length;
      const whole = packetEnds.filter((e) => e <= avail).length;
      expect(out.summary.frames, `prefix ${n}`).toBe(whole);
      expect(codes(out), `prefix ${n}`).toEqual(['gzip.truncated']);
      expect(out.unreadable).toBe(avail < 28);
    }
  });
});

describe('pcapng: lying length fields', () => {
  // SHB 0..28, IDB 28..48, EPB k (100 data bytes, 132-byte block) at 48 + (k-1)*132
  const five = (): NgSection[] => [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 100), epb(0, 1, 100), epb(0, 2, 100), epb(0, 3, 100), epb(0, 4, 100)] }];
  const at = (k: number): number => 48 + (k - 1) * 132;

  it.each([
    [8, 'claims 8 bytes'],
    [4, 'claims 4 bytes'],
    [0, 'claims 0 bytes'],
    [130, 'claims 130 bytes'],
    [0xfffffff1, 'claims 4294967281 bytes'],
  ])('EPB block length %i: frames before delivered, fatal bad_block_length', async (len, claim) => {
    const s = five();
    const b = writePcapng(s);
    put32(b, at(3) + 4, len);
    const out = await readPath(tmp.file('bl.pcapng', b), limits(), 'bl');
    expect(out.frames).toEqual(expectedNg(s).slice(0, 2));
    expect(out.errors).toEqual([
      {
        file: 'bl',
        frame: 3,
        offset: at(3),
        code: 'pcapng.bad_block_length',
        message: `bad block length: the enhanced packet block at offset ${at(3)} ${claim} (a block is a multiple of 4, at least 12); the rest of the file cannot be framed`,
        fatal: true,
      },
    ]);
    expect(out.summary.bytes).toBe(at(3));
  });

  it('trailing length mismatch: fatal bad_block_length (also for a skipped block larger than the buffer)', async () => {
    const s = five();
    const b = writePcapng(s);
    put32(b, at(3) + 128, 136);
    const out = await readPath(tmp.file('tl.pcapng', b), limits(), 'tl');
    expect(out.frames).toHaveLength(2);
    expect(out.errors).toEqual([
      {
        file: 'tl',
        frame: 3,
        offset: at(3),
        code: 'pcapng.bad_block_length',
        message: `bad block length: the enhanced packet block at offset ${at(3)} claims 132 bytes but its trailing length is 136; the rest of the file cannot be framed`,
        fatal: true,
      },
    ]);
    const s2: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), raw(0x0bad, 20_000), epb(0, 1, 10)] }];
    const b2 = writePcapng(s2);
    const l2 = layout(s2);
    put32(b2, (l2[3]?.offset as number) + (l2[3]?.length as number) - 4, 12);
    for (const o of [await readPath(tmp.file('tl2.pcapng', b2), SMALL), await readStream(b2, SMALL, 500)]) {
      expect(o.frames).toHaveLength(1);
      expect(codes(o)).toEqual(['pcapng.bad_block_length']);
      expect(o.errors[0]).toMatchObject({ frame: 2, offset: l2[3]?.offset, fatal: true });
    }
  });

  it('EPB caplen beyond its block: that block skipped (non-fatal), numbering keeps counting', async () => {
    for (const cap of [101, 0xfffffff0]) {
      const s = five();
      const b = writePcapng(s);
      put32(b, at(3) + 20, cap);
      const out = await readPath(tmp.file('cap.pcapng', b), limits(), 'c');
      const e = expectedNg(s);
      expect(out.frames).toEqual([e[0], e[1], e[3], e[4]]);
      expect(out.summary.frames).toBe(4);
      expect(out.errors).toEqual([
        {
          file: 'c',
          frame: 3,
          offset: at(3),
          code: 'pcapng.bad_block_length',
          message: `bad block length: frame 3 claims ${cap} captured bytes but its enhanced packet block holds only 100; skipped`,
          fatal: false,
        },
      ]);
    }
  });

  it('EPB naming an undefined interface: skipped, pcapng.bad_interface, non-fatal', async () => {
    const s = five();
    const b = writePcapng(s);
    put32(b, at(2) + 8, 7);
    const out = await readPath(tmp.file('if.pcapng', b), limits(), 'i');
    expect(out.frames.map((f) => f.index)).toEqual([1, 3, 4, 5]);
    expect(out.errors).toEqual([
      {
        file: 'i',
        frame: 2,
        offset: at(2),
        code: 'pcapng.bad_interface',
        message: 'bad interface: frame 2 names interface 7 but this section defines 1 interface; skipped',
        fatal: false,
      },
    ]);
  });

  it('caplen > origlen: delivered with wireLen = caplen, reported', async () => {
    const s = five();
    const b = writePcapng(s);
    put32(b, at(4) + 24, 64);
    const out = await readPath(tmp.file('orig.pcapng', b));
    expect(out.frames).toHaveLength(5);
    expect(out.frames[3]?.wireLen).toBe(100);
    expect(codes(out)).toEqual(['pcapng.caplen_exceeds_origlen']);
    expect(out.errors[0]).toMatchObject({ frame: 4, offset: at(4), fatal: false });
  });

  it('packet blocks over the limits are skipped by length: block_too_large, non-fatal', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), epb(0, 1, 5000), epb(0, 2, 3000), spb(3000), epb(0, 3, 10)] }];
    const b = writePcapng(s);
    const lay = layout(s);
    for (const out of [await readPath(tmp.file('big.pcapng', b), SMALL, 'b'), await readStream(b, SMALL, 100)]) {
      expect(out.frames.map((f) => f.index)).toEqual([1, 5]);
      expect(out.errors.map((e) => [e.code, e.frame, e.offset, e.fatal, e.message])).toEqual([
        ['pcapng.block_too_large', 2, lay[3]?.offset, false, "block too large: frame 2's 5032-byte enhanced packet block is over the 4096-byte block limit; skipped"],
        ['pcapng.block_too_large', 3, lay[4]?.offset, false, 'block too large: frame 3 has 3000 captured bytes, over the 2048-byte frame limit; skipped'],
        ['pcapng.block_too_large', 4, lay[5]?.offset, false, 'block too large: frame 4 has 3000 captured bytes, over the 2048-byte frame limit; skipped'],
      ]);
    }
  });

  it('a packet block claiming a huge length gives one error: truncated_block (file ends inside) or bad_block_length (trailer)', async () => {
    const s = five();
    const b = writePcapng(s);
    put32(b, at(2) + 4, 0xfffffff0);
    for (const out of [
      await readPath(tmp.file('huge-epb.pcapng', b), limits(), 'h'),
      await readPath(tmp.file('huge-epb.pcapng', b), SMALL, 'h'),
      await readStream(b, SMALL, 100),
    ]) {
      expect(out.frames.map((f) => f.index)).toEqual([1]);
      expect(out.errors.map((e) => [e.code, e.frame, e.offset, e.fatal, e.message])).toEqual([
        [
          'pcapng.truncated_block',
          2,
          at(2),
          true,
          `truncated block: file ends ${b.length - at(2)} bytes into frame 2's 4294967280-byte enhanced packet block`,
        ],
      ]);
      expect(out.summary.bytes).toBe(at(2));
    }
    // claims 5 blocks' worth (over the SMALL 4096 limit): the trailer found there is not the claimed length
    const b2 = writePcapng(s);
    put32(b2, at(1) + 4, 5 * 132 - 128 + 4096);
    const o2 = await readPath(tmp.file('huge-epb2.pcapng', b2), SMALL, 'h');
    expect(codes(o2)).toEqual(['pcapng.truncated_block']);
    const b3 = writePcapng(s);
    put32(b3, at(1) + 4, 2 * 132); // skip spans EPB 1 and 2, whose trailer says 132
    const o3 = await readPath(tmp.file('huge-epb3.pcapng', b3), limits({ maxPcapngBlockBytes: 200 }), 'h');
    expect(o3.frames).toEqual([]);
    expect(o3.errors.map((e) => [e.code, e.frame, e.offset, e.fatal])).toEqual([['pcapng.bad_block_length', 1, at(1), true]]);
    // and a real oversized block whose trailer checks out is reported once, non-fatal, when skipped
    const s4: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), epb(0, 1, 50_000), epb(0, 2, 10)] }];
    const o4 = await readStream(writePcapng(s4), SMALL, 1000);
    expect(o4.errors.map((e) => [e.code, e.frame, e.fatal])).toEqual([['pcapng.block_too_large', 2, false]]);
    expect(o4.frames.map((f) => f.index)).toEqual([1, 3]);
  });

  it('an IDB inside a bad block is fatal (later packets could not be matched to interfaces)', async () => {
    // IDB too short
    const s = five();
    let b = writePcapng(s);
    put32(b, 28 + 4, 16);
    let out = await readPath(tmp.file('idb1.pcapng', b), limits(), 'd');
    expect(out.frames).toEqual([]);
    expect(out.unreadable).toBe(false);
    expect(out.errors).toEqual([
      {
        file: 'd',
        frame: 1,
        offset: 28,
        code: 'pcapng.bad_block_length',
        message: 'bad interface description: block length 16 is below the minimum of 20; later packets cannot be matched to their interfaces',
        fatal: true,
      },
    ]);
    // a second IDB after two frames, with a trailing length that does not match
    const s2: NgSection[] = [{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), epb(0, 1, 10), raw(1, 8), epb(0, 2, 10)] }];
    b = writePcapng(s2);
    const lay = layout(s2);
    put32(b, (lay[4]?.offset as number) + 16, 24);
    out = await readPath(tmp.file('idb2.pcapng', b), limits(), 'd');
    expect(out.frames.map((f) => f.index)).toEqual([1, 2]);
    expect(codes(out)).toEqual(['pcapng.bad_block_length']);
    expect(out.errors[0]).toMatchObject({ frame: 3, offset: lay[4]?.offset, fatal: true });
  });

  it('an SHB inside a bad block: first one makes the file unreadable, a later one stops after section 1', async () => {
    const two = (): NgSection[] => [
      { interfaces: [{ linkType: 1 }], blocks: [epb(0, 0, 10), epb(0, 1, 10)] },
      { bigEndian: true, interfaces: [{ linkType: 1 }], blocks: [epb(0, 2, 10)] },
    ];
    const s = two();
    const lay = layout(s);
    const sec2 = lay[4]?.offset as number;

    let b = writePcapng(s);
    put32(b, 4, 24);
    put32(b, 24, 24);
    let out = await readPath(tmp.file('shb1.pcapng', b), limits(), 's');
    expect(out.unreadable).toBe(true);
    expect(out.errors).toEqual([
      { file: 's', frame: 0, offset: 0, code: 'pcapng.bad_block_length', message: 'bad section header: block length 24 is below the minimum of 28', fatal: true },
    ]);

    b = writePcapng(s);
    put32(b, sec2 + 4, 30, false);
    out = await readPath(tmp.file('shb2.pcapng', b), limits(), 's');
    expect(out.unreadable).toBe(false);
    expect(out.frames).toHaveLength(2);
    expect(codes(out)).toEqual(['pcapng.bad_block_length']);
    expect(out.errors[0]).toMatchObject({ frame: 3, offset: sec2, fatal: true });

    b = writePcapng(s);
    b.writeUInt16BE(2, sec2 + 12);
    out = await readPath(tmp.file('shb3.pcapng', b), limits(), 's');
    expect(out.frames).toHaveLength(2);
    expect(out.errors).toEqual([
      {
        file: 's',
        frame: 3,
        offset: sec2,
        code: 'pcapng.bad_version',
        message: `unsupported pcapng version 2.0 in the section starting at offset ${sec2} (only 1.x exists)`,
        fatal: true,
      },
    ]);

    b = writePcapng(s);
    put32(b, sec2 + 8, 0xdeadbeef);
    out = await readPath(tmp.file('shb4.pcapng', b), limits(), 's');
    expect(out.frames).toHaveLength(2);
    expect(out.errors).toEqual([
      {
        file: 's',
        frame: 3,
        offset: sec2,
        code: 'pcapng.bad_magic',
        message: 'bad section header: byte-order magic is efbeadde, not 1a2b3c4d in either byte order',
        fatal: true,
      },
    ]);

    b = writePcapng(s);
    b.writeUInt16LE(2, 12);
    out = await readPath(tmp.file('shb5.pcapng', b), limits(), 's');
    expect(out.unreadable).toBe(true);
    expect(codes(out)).toEqual(['pcapng.bad_version']);
  });

  it('more interfaces than limits.maxPcapngInterfaces: extra ones ignored, their packets skipped', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1 }, { linkType: 101 }, { linkType: 113 }], blocks: [epb(0, 0, 10), epb(2, 1, 10), epb(1, 2, 10)] }];
    const out = await readPath(tmp.file('many-if.pcapng', writePcapng(s)), limits({ maxPcapngInterfaces: 2 }));
    expect(out.frames.map((f) => [f.index, f.linkType])).toEqual([
      [1, 1],
      [3, 101],
    ]);
    expect(codes(out)).toEqual(['pcapng.too_many_interfaces', 'pcapng.bad_interface']);
    expect(out.errors.every((e) => !e.fatal)).toBe(true);
  });

  it('a malformed if_tsresol option: reported, microseconds assumed', async () => {
    const s: NgSection[] = [{ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: [epb(0, 0, 10)] }];
    const b = writePcapng(s);
    b.writeUInt16LE(2, 28 + 16 + 2); // option length 1 -> 2
    const out = await readPath(tmp.file('opt.pcapng', b));
    expect(codes(out)).toEqual(['pcapng.bad_option']);
    expect(out.errors[0]).toMatchObject({ fatal: false, offset: 28 });
    expect(out.frames).toHaveLength(1);
    expect(out.frames[0]?.ts).toBe(Number(T0)); // ns units read as microseconds: wrong, but reported
  });

  it('an SPB with no interface 0 in its section: skipped, bad_interface', async () => {
    const s: NgSection[] = [{ interfaces: [], blocks: [spb(10)] }];
    const out = await readPath(tmp.file('spb-noif.pcapng', writePcapng(s)));
    expect(out.frames).toEqual([]);
    expect(codes(out)).toEqual(['pcapng.bad_interface']);
    expect(out.errors[0]).toMatchObject({ frame: 1, offset: 28, fatal: false });
  });

  it('blocks without a leading SHB: pcapng.no_section, unreadable', async () => {
    const b = writePcapng(five()).subarray(28);
    const out = await readPath(tmp.file('nosec.pcapng', b), limits(), 'n');
    expect(out.unreadable).toBe(true);
    expect(out.summary.format).toBe('pcapng');
    expect(out.errors).toEqual([
      {
        file: 'n',
        frame: 0,
        offset: 0,
        code: 'pcapng.no_section',
        message:
          'no section header: the first block (interface description block) is not a section header block, which every pcapng file starts with',
        fatal: true,
      },
    ]);
  });
});
