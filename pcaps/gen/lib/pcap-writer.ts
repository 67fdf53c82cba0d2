/**
 * Writers for classic pcap and pcapng, used by the fixture generators and the tests.
 * Deliberately independent from src/io (a reader tested only against its own writer proves little).
 */

/** A record's timestamp in nanoseconds since the epoch (bigint keeps ns exact). */
export interface CaptureRecord {
  tsNs: bigint;
  data: Uint8Array;
  /** Original length on the wire; defaults to data.length. */
  origLen?: number;
}

export interface PcapOptions {
  linkType: number;
  snaplen?: number;
  nanos?: boolean;
  bigEndian?: boolean;
  /** Alexey Kuznetzov's modified format: magic a1b2cd34, 24-byte record headers (microseconds). */
  kuznetzov?: boolean;
}

export function writePcap(records: readonly CaptureRecord[], opts: PcapOptions): Buffer {
  const le = !opts.bigEndian;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const magic = opts.kuznetzov ? 0xa1b2cd34 : opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4;
  if (le) {
    h.writeUInt32LE(magic, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(opts.snaplen ?? 262144, 16);
    h.writeUInt32LE(opts.linkType, 20);
  } else {
    h.writeUInt32BE(magic, 0);
    h.writeUInt16BE(2, 4);
    h.writeUInt16BE(4, 6);
    h.writeUInt32BE(opts.snaplen ?? 262144, 16);
    h.writeUInt32BE(opts.linkType, 20);
  }
  parts.push(h);
  for (const r of records) parts.push(pcapRecordHeader(r, opts), Buffer.from(r.data));
  return Buffer.concat(parts);
}

export function pcapRecordHeader(r: CaptureRecord, opts: PcapOptions): Buffer {
  const le = !opts.bigEndian;
  const rh = Buffer.alloc(opts.kuznetzov ? 24 : 16);
  if (opts.kuznetzov) {
    // ifindex 2, protocol 0x0800 (as the kernel's skb->protocol, network order), pkt_type 0 (to us), pad
    if (le) rh.writeUInt32LE(2, 16);
    else rh.writeUInt32BE(2, 16);
    rh.writeUInt16BE(0x0800, 20);
  }
  const sec = Number(r.tsNs / 1_000_000_000n);
  const nsec = Number(r.tsNs % 1_000_000_000n);
  const frac = opts.nanos ? nsec : Math.floor(nsec / 1000);
  const w = (v: number, o: number) => (le ? rh.writeUInt32LE(v >>> 0, o) : rh.writeUInt32BE(v >>> 0, o));
  w(sec, 0);
  w(frac, 4);
  w(r.data.length, 8);
  w(r.origLen ?? r.data.length, 12);
  return rh;
}

// ---------------------------------------------------------------- pcapng

export interface NgInterface {
  linkType: number;
  snaplen?: number;
  /** if_tsresol option byte; omitted means the default 6 (microseconds). */
  tsresol?: number;
  name?: string;
}

export type NgBlock =
  | { kind: 'epb'; iface: number; tsNs: bigint; data: Uint8Array; origLen?: number }
  | { kind: 'spb'; data: Uint8Array; origLen?: number }
  | { kind: 'raw'; type: number; body: Uint8Array }; // any other block (NRB, ISB, custom...)

export interface NgSection {
  bigEndian?: boolean;
  interfaces: NgInterface[];
  blocks: NgBlock[];
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

class W {
  constructor(readonly le: boolean) {}
  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
    return b;
  }
  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0);
    return b;
  }
  block(type: number, body: Buffer): Buffer {
    const total = 12 + body.length;
    return Buffer.concat([this.u32(type), this.u32(total), body, this.u32(total)]);
  }
  option(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), value, Buffer.alloc(pad4(value.length) - value.length)]);
  }
}

/** Converts ns to units of the interface's resolution (tsresol byte). */
export function tsToUnits(tsNs: bigint, tsresol: number | undefined): bigint {
  const r = tsresol ?? 6;
  if (r & 0x80) {
    const p = BigInt(r & 0x7f);
    return (tsNs * (1n << p)) / 1_000_000_000n;
  }
  const digits = BigInt(r);
  if (digits >= 9n) return tsNs * 10n ** (digits - 9n);
  return tsNs / 10n ** (9n - digits);
}

export function writePcapng(sections: readonly NgSection[]): Buffer {
  const out: Buffer[] = [];
  for (const s of sections) {
    const w = new W(!s.bigEndian);
    // SHB: byte-order magic, version 1.0, section length -1
    const shbBody = Buffer.concat([w.u32(0x1a2b3c4d), w.u16(1), w.u16(0), Buffer.alloc(8, 0xff)]);
    out.push(w.block(0x0a0d0d0a, shbBody));
    for (const itf of s.interfaces) {
      const opts: Buffer[] = [];
      if (itf.name !== undefined) opts.push(w.option(2, Buffer.from(itf.name)));
      if (itf.tsresol !== undefined) opts.push(w.option(9, Buffer.from([itf.tsresol])));
      if (opts.length) opts.push(w.option(0, Buffer.alloc(0)));
      const body = Buffer.concat([w.u16(itf.linkType), w.u16(0), w.u32(itf.snaplen ?? 262144), ...opts]);
      out.push(w.block(1, body));
    }
    for (const b of s.blocks) {
      if (b.kind === 'epb') {
        const itf = s.interfaces[b.iface];
        const units = tsToUnits(b.tsNs, itf?.tsresol);
        const hi = Number(units >> 32n);
        const lo = Number(units & 0xffffffffn);
        const data = Buffer.from(b.data);
        const body = Buffer.concat([
          w.u32(b.iface),
          w.u32(hi),
          w.u32(lo),
          w.u32(data.length),
          w.u32(b.origLen ?? data.length),
          data,
          Buffer.alloc(pad4(data.length) - data.length),
        ]);
        out.push(w.block(6, body));
      } else if (b.kind === 'spb') {
        const data = Buffer.from(b.data);
        const body = Buffer.concat([w.u32(b.origLen ?? data.length), data, Buffer.alloc(pad4(data.length) - data.length)]);
        out.push(w.block(3, body));
      } else {
        const body = Buffer.from(b.body);
        out.push(w.block(b.type, Buffer.concat([body, Buffer.alloc(pad4(body.length) - body.length)])));
      }
    }
  }
  return Buffer.concat(out);
}
