/**
 * Packet builders for fixture generators and tests: Ethernet (+802.1Q/802.1ad), Linux SLL/SLL2,
 * BSD NULL, IPv4 (options, fragments), IPv6 (extension headers), TCP (options, correct checksums).
 * Every builder accepts overrides for its length fields, so tests can make them lie.
 */

export function ip4(s: string): Uint8Array {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 ${s}`);
  return Uint8Array.from(p);
}

export function ip6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const hs = head ? head.split(':').filter((x) => x !== '') : [];
  const ts = tail !== undefined ? tail.split(':').filter((x) => x !== '') : [];
  const fill = tail !== undefined ? 8 - hs.length - ts.length : 0;
  const groups = [...hs, ...new Array(fill).fill('0'), ...ts].map((g) => parseInt(g, 16));
  if (groups.length !== 8) throw new Error(`bad IPv6 ${s}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function mac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

function u16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}
function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function checksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  let last = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (!odd) last = p[i]! << 8;
      else sum += last | p[i]!;
      odd = !odd;
    }
  }
  if (odd) sum += last;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ------------------------------------------------------------------ link layers

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_ARP = 0x0806;
export const TPID_8021Q = 0x8100;
export const TPID_8021AD = 0x88a8;

export interface VlanTag {
  tpid?: number;
  vid: number;
  pcp?: number;
}

export function ethernet(opts: {
  dst?: string;
  src?: string;
  type: number;
  vlans?: VlanTag[];
  payload: Uint8Array;
  /** Pad to the 60-byte Ethernet minimum like a real NIC (default true). */
  pad?: boolean;
}): Uint8Array {
  const parts: Uint8Array[] = [mac(opts.dst ?? '02:00:00:00:00:02'), mac(opts.src ?? '02:00:00:00:00:01')];
  for (const t of opts.vlans ?? []) {
    parts.push(u16(t.tpid ?? TPID_8021Q), u16((((t.pcp ?? 0) & 7) << 13) | (t.vid & 0xfff)));
  }
  parts.push(u16(opts.type), opts.payload);
  let f = concat(...parts);
  if ((opts.pad ?? true) && f.length < 60) f = concat(f, new Uint8Array(60 - f.length));
  return f;
}

/** Linux cooked capture v1 (16-byte header). */
export function sll(opts: { protocol: number; payload: Uint8Array; packetType?: number; addr?: string }): Uint8Array {
  const a = mac(opts.addr ?? '02:00:00:00:00:01');
  const addr = new Uint8Array(8);
  addr.set(a);
  return concat(u16(opts.packetType ?? 0), u16(1), u16(a.length), addr, u16(opts.protocol), opts.payload);
}

/** Linux cooked capture v2 (20-byte header). */
export function sll2(opts: { protocol: number; payload: Uint8Array; ifindex?: number; packetType?: number }): Uint8Array {
  const addr = new Uint8Array(8);
  addr.set(mac('02:00:00:00:00:01'));
  return concat(u16(opts.protocol), u16(0), u32(opts.ifindex ?? 2), u16(1), Uint8Array.of(opts.packetType ?? 0, 6), addr, opts.payload);
}

/** BSD loopback: 4-byte address family in the writer's host byte order (little-endian by default). */
export function nullLink(family: number, payload: Uint8Array, bigEndian = false): Uint8Array {
  const h = Buffer.alloc(4);
  bigEndian ? h.writeUInt32BE(family) : h.writeUInt32LE(family);
  return concat(h, payload);
}

// ------------------------------------------------------------------ IPv4 / IPv6

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto?: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  fragOffset?: number; // in 8-byte units
  options?: Uint8Array; // padded to 4 bytes by the builder
  payload: Uint8Array;
  totalLenOverride?: number;
  ihlOverride?: number;
  versionOverride?: number;
}

export function ipv4(o: Ipv4Opts): Uint8Array {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const hlen = 20 + opts.length;
  const total = o.totalLenOverride ?? hlen + o.payload.length;
  const h = new Uint8Array(hlen);
  h[0] = ((o.versionOverride ?? 4) << 4) | (o.ihlOverride ?? hlen / 4);
  h.set(u16(total & 0xffff), 2);
  h.set(u16(o.id ?? 1), 4);
  const ff = (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff);
  h.set(u16(ff), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto ?? 6;
  h.set(ip4(o.src), 12);
  h.set(ip4(o.dst), 16);
  h.set(opts, 20);
  h.set(u16(checksum(h)), 10);
  return concat(h, o.payload);
}

export interface Ipv6Ext {
  /** Next-header value that identifies this extension (0 hop-by-hop, 43 routing, 44 fragment, 60 dest opts). */
  type: number;
  /** Body after the 2-byte (next header, length) prefix; padded to 8-byte units (fragment: 6 bytes). */
  body?: Uint8Array;
  /** Override of the header-length byte, to make it lie. */
  lenOverride?: number;
}

export interface Ipv6Opts {
  src: string;
  dst: string;
  nextHeader?: number; // the upper-layer protocol after the extension headers (6 = TCP)
  hopLimit?: number;
  ext?: Ipv6Ext[];
  payload: Uint8Array;
  payloadLenOverride?: number;
  versionOverride?: number;
}

export function ipv6(o: Ipv6Opts): Uint8Array {
  const exts = o.ext ?? [];
  const extBytes: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const next = i + 1 < exts.length ? exts[i + 1]!.type : (o.nextHeader ?? 6);
    if (e.type === 44) {
      const body = e.body ?? new Uint8Array(6);
      extBytes.push(concat(Uint8Array.of(next, e.lenOverride ?? 0), body.subarray(0, 6)));
    } else {
      let body = e.body ?? new Uint8Array(6);
      const total = 2 + body.length;
      if (total % 8) body = concat(body, new Uint8Array(8 - (total % 8)));
      const units = (2 + body.length) / 8 - 1;
      extBytes.push(concat(Uint8Array.of(next, e.lenOverride ?? units), body));
    }
  }
  const ext = concat(...extBytes);
  const plen = o.payloadLenOverride ?? ext.length + o.payload.length;
  const h = new Uint8Array(40);
  h[0] = (o.versionOverride ?? 6) << 4;
  h.set(u16(plen & 0xffff), 4);
  h[6] = exts.length ? exts[0]!.type : (o.nextHeader ?? 6);
  h[7] = o.hopLimit ?? 64;
  h.set(ip6(o.src), 8);
  h.set(ip6(o.dst), 24);
  return concat(h, ext, o.payload);
}

// ------------------------------------------------------------------ TCP

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  options?: Uint8Array;
  payload?: Uint8Array;
  dataOffsetOverride?: number;
  /** Addresses for the pseudo-header checksum (4 or 16 bytes each). */
  src: Uint8Array;
  dst: Uint8Array;
}

export function tcp(o: TcpOpts): Uint8Array {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)).fill(1));
  const hlen = 20 + opts.length;
  const payload = o.payload ?? new Uint8Array(0);
  const h = new Uint8Array(hlen);
  h.set(u16(o.sport), 0);
  h.set(u16(o.dport), 2);
  h.set(u32(o.seq ?? 0), 4);
  h.set(u32(o.ack ?? 0), 8);
  h[12] = (o.dataOffsetOverride ?? hlen / 4) << 4;
  h[13] = o.flags;
  h.set(u16(o.window ?? 65535), 14);
  h.set(opts, 20);
  const len = hlen + payload.length;
  const pseudo =
    o.src.length === 4
      ? concat(o.src, o.dst, Uint8Array.of(0, 6), u16(len))
      : concat(o.src, o.dst, u32(len), Uint8Array.of(0, 0, 0, 6));
  h.set(u16(checksum(pseudo, h, payload)), 16);
  return concat(h, payload);
}

/** A complete Ethernet/IPv4-or-IPv6/TCP frame, the common case in tests. */
export function tcpFrame(o: {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq?: number;
  ack?: number;
  payload?: Uint8Array | string;
  vlans?: VlanTag[];
  window?: number;
}): Uint8Array {
  const v6 = o.src.includes(':');
  const payload = typeof o.payload === 'string' ? new TextEncoder().encode(o.payload) : (o.payload ?? new Uint8Array(0));
  const s = v6 ? ip6(o.src) : ip4(o.src);
  const d = v6 ? ip6(o.dst) : ip4(o.dst);
  const seg = tcp({
    sport: o.sport,
    dport: o.dport,
    flags: o.flags,
    payload,
    src: s,
    dst: d,
    ...(o.seq !== undefined ? { seq: o.seq } : {}),
    ...(o.ack !== undefined ? { ack: o.ack } : {}),
    ...(o.window !== undefined ? { window: o.window } : {}),
  });
  const ip = v6 ? ipv6({ src: o.src, dst: o.dst, payload: seg }) : ipv4({ src: o.src, dst: o.dst, payload: seg });
  return ethernet({ type: v6 ? ETH_IPV6 : ETH_IPV4, payload: ip, ...(o.vlans ? { vlans: o.vlans } : {}) });
}

/**
 * A scripted TCP conversation: hands out seq/ack numbers so tests read like the wire.
 * c = client side, s = server side.
 */
export class TcpConversation {
  cseq: number;
  sseq: number;
  constructor(
    readonly client: string,
    readonly server: string,
    readonly cport: number,
    readonly sport: number,
    opts: { cisn?: number; sisn?: number; vlans?: VlanTag[] } = {},
  ) {
    this.cseq = opts.cisn ?? 1000;
    this.sseq = opts.sisn ?? 5000;
    this.vlans = opts.vlans;
  }
  readonly vlans: VlanTag[] | undefined;

  private frame(fromClient: boolean, flags: number, payload: Uint8Array | string = new Uint8Array(0)): Uint8Array {
    const p = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    const f = tcpFrame({
      src: fromClient ? this.client : this.server,
      dst: fromClient ? this.server : this.client,
      sport: fromClient ? this.cport : this.sport,
      dport: fromClient ? this.sport : this.cport,
      flags,
      seq: fromClient ? this.cseq : this.sseq,
      ack: flags & ACK ? (fromClient ? this.sseq : this.cseq) : 0,
      payload: p,
      ...(this.vlans ? { vlans: this.vlans } : {}),
    });
    const adv = p.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    if (fromClient) this.cseq = (this.cseq + adv) >>> 0;
    else this.sseq = (this.sseq + adv) >>> 0;
    return f;
  }
  c(flags: number, payload?: Uint8Array | string): Uint8Array {
    return this.frame(true, flags, payload);
  }
  s(flags: number, payload?: Uint8Array | string): Uint8Array {
    return this.frame(false, flags, payload);
  }
  /** SYN, SYN-ACK, ACK. */
  handshake(): Uint8Array[] {
    return [this.c(SYN), this.s(SYN | ACK), this.c(ACK)];
  }
  /** FIN from client, FIN from server, last ACK. */
  close(): Uint8Array[] {
    return [this.c(FIN | ACK), this.s(FIN | ACK), this.c(ACK)];
  }
}
