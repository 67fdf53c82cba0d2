/**
 * Synthetic captures that real tools cannot make: every link type, odd pcap/pcapng encodings, lying
 * length fields, snapped frames, decoys, every Zeek conn_state, and broken or disguised files.
 *
 *   npx tsx pcaps/gen/synthetic.ts     rewrites pcaps/synthetic/* and pcaps/gen/synthetic.README.md
 *
 * Deterministic: fixed timestamps (from 2026-01-15T10:00:00Z), fixed ISNs, ports and IP ids, no
 * randomness; running it twice gives byte-identical files (gzip output assumes the same zlib).
 *
 * Every frame is tagged with the decodePacket result it must give (test/unit/decode/
 * synthetic-fixtures.test.ts checks each one), and every file states its AMT sessions by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import {
  ACK,
  ETH_ARP,
  ETH_IPV4,
  ETH_IPV6,
  FIN,
  PSH,
  RST,
  SYN,
  TPID_8021AD,
  TPID_8021Q,
  checksum,
  concat,
  ethernet,
  ip4,
  ip6,
  ipv4,
  ipv6,
  nullLink,
  sll,
  sll2,
  tcp,
  type Ipv4Opts,
  type Ipv6Ext,
  type Ipv6Opts,
  type TcpOpts,
  type VlanTag,
} from './lib/packets.js';
import { pcapRecordHeader, writePcap, writePcapng, type CaptureRecord, type NgBlock, type NgSection } from './lib/pcap-writer.js';

// ------------------------------------------------------------------ constants

const LT_NULL = 0;
const LT_ETHERNET = 1;
const LT_RAW = 101;
const LT_LOOP = 108;
const LT_SLL = 113;
const LT_IPV4 = 228;
const LT_SLL2 = 276;

/** 2026-01-15T10:00:00Z in nanoseconds. */
export const T0_NS = 1_768_471_200n * 1_000_000_000n;
const MS = 1_000_000n;
const SEC = 1_000_000_000n;

const CLIENT4 = '10.0.0.50';
const AMT4 = '10.0.0.10';
const CLIENT6 = '2001:db8::50';
const AMT6 = '2001:db8::10';
const CLIENT_MAC = '00:1b:21:0a:00:50';
const AMT_MAC = '00:1b:21:0a:00:10';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const getReq = (host: string): string => `GET /index.htm HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
const HTTP_401 =
  'HTTP/1.1 401 Unauthorized\r\n' +
  'WWW-Authenticate: Digest realm="Digest:A4070000000000000000000000000000", nonce="wlbEK1EtAAAAAAAAWW5aUHFp+mQQ1j63",stale="false",qop="auth"\r\n' +
  'Server: Intel(R) Active Management Technology 11.8.50.3425\r\n' +
  'Content-Length: 0\r\n\r\n';

/** AMT redirection StartRedirectionSession ("SOL ") and its success reply (AMT 11.8, no OEM data). */
const REDIR_START = Uint8Array.of(0x10, 0x00, 0x00, 0x00, 0x53, 0x4f, 0x4c, 0x20);
const REDIR_REPLY = Uint8Array.of(0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0b, 0x08, 0x57, 0x01, 0x00, 0x00, 0x00);

const SYN_OPTS = Uint8Array.of(2, 4, 0x05, 0xb4, 1, 3, 3, 8, 4, 2); // MSS 1460, NOP, WS 8, SACK-permitted (+2 NOP pad)

// ------------------------------------------------------------------ small builders

function u16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}
function u24(v: number): Uint8Array {
  return Uint8Array.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}
/** Deterministic filler bytes (a counter pattern), for TLS randoms and the like. */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

/** A minimal, well-formed TLS 1.2 ClientHello record (no SNI: AMT consoles connect by address). */
function tlsClientHello(seed: number): Uint8Array {
  const ext = concat(
    u16(0x000a), u16(4), u16(2), u16(0x0017), // supported_groups: secp256r1
    u16(0x000b), u16(2), Uint8Array.of(1, 0), // ec_point_formats: uncompressed
    u16(0x000d), u16(4), u16(2), u16(0x0401), // signature_algorithms: rsa_pkcs1_sha256
    u16(0xff01), u16(1), Uint8Array.of(0), // renegotiation_info
  );
  const body = concat(u16(0x0303), pattern(32, seed), Uint8Array.of(0), u16(4), u16(0xc02f), u16(0xc030), Uint8Array.of(1, 0), u16(ext.length), ext);
  const hs = concat(Uint8Array.of(1), u24(body.length), body);
  return concat(Uint8Array.of(0x16, 0x03, 0x01), u16(hs.length), hs);
}

/** The matching ServerHello record. */
function tlsServerHello(seed: number): Uint8Array {
  const ext = concat(u16(0xff01), u16(1), Uint8Array.of(0));
  const body = concat(u16(0x0303), pattern(32, seed + 100), Uint8Array.of(0), u16(0xc02f), Uint8Array.of(0), u16(ext.length), ext);
  const hs = concat(Uint8Array.of(2), u24(body.length), body);
  return concat(Uint8Array.of(0x16, 0x03, 0x03), u16(hs.length), hs);
}

/** UDP over IPv4 with a correct checksum. */
function udp4(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const pseudo = concat(ip4(src), ip4(dst), Uint8Array.of(0, 17), u16(len));
  const c = checksum(pseudo, u16(sport), u16(dport), u16(len), payload) || 0xffff;
  return ipv4({ src, dst, proto: 17, ttl: 64, payload: concat(u16(sport), u16(dport), u16(len), u16(c), payload) });
}

/** ASF/RMCP Presence Ping (what AMT scanners send to UDP 623). */
const RMCP_PING = Uint8Array.of(0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x01, 0x00, 0x00);

/** UDP over IPv6 with a correct checksum. */
function udp6(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const pseudo = concat(ip6(src), ip6(dst), Uint8Array.of(0, 0), u16(len), Uint8Array.of(0, 0, 0, 17));
  const c = checksum(pseudo, u16(sport), u16(dport), u16(len), payload) || 0xffff;
  return ipv6({ src, dst, nextHeader: 17, hopLimit: 64, payload: concat(u16(sport), u16(dport), u16(len), u16(c), payload) });
}

/** UDP over IPv4 whose UDP length field says `ulen` (a lie), checksum left 0 (none). */
function udp4Len(src: string, dst: string, sport: number, dport: number, payload: Uint8Array, ulen: number): Uint8Array {
  return ipv4({ src, dst, proto: 17, ttl: 64, payload: concat(u16(sport), u16(dport), u16(ulen), u16(0), payload) });
}

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
/** An ASF presence ping: RMCP version 6, sequence, class 6, IANA 4542, type 0x80, tag, 0, length 0. */
const rmcpPing = (seq: number, tag: number): Uint8Array => Uint8Array.of(0x06, 0x00, seq, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, tag, 0x00, 0x00);
/** A presence pong carrying the 16 data bytes `data` (hex). */
const rmcpPong = (seq: number, tag: number, data: string): Uint8Array =>
  concat(Uint8Array.of(0x06, 0x00, seq, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x40, tag, 0x00, 0x10), hex(data));
/**
 * Real pong data (the 16 bytes after the ASF header) from Coalfire-Research/DeathMetal's dm_rockso
 * (amt-protocol.md section 5); the 11.0 and 11.8 lines give only the first 8 bytes there, the rest is
 * the 9.5 lines' entities/interactions (00 20) and zero padding.
 */
const PONG_95_UNPROVISIONED = '00000157 00009500 00200000 00000000';
const PONG_95_PROVISIONED = '00000157 42609502 00200000 00000000';
const PONG_110 = '00000157 0000b000 00200000 00000000';
const PONG_118 = '00000157 0000b800 00200000 00000000';

// ------------------------------------------------------------------ link-layer wrappers

/** Wraps an IP packet into a frame; `c` says whether it goes client -> server. */
type Wrap = (ip: Uint8Array, v6: boolean, c: boolean) => Uint8Array;

const ethWrap =
  (vlans?: VlanTag[]): Wrap =>
  (ip, v6, c) =>
    ethernet({ dst: c ? AMT_MAC : CLIENT_MAC, src: c ? CLIENT_MAC : AMT_MAC, type: v6 ? ETH_IPV6 : ETH_IPV4, payload: ip, ...(vlans ? { vlans } : {}) });
/** SLL; `tag` keeps an 802.1Q tag in the payload (protocol field 0x8100). Outgoing from the client's view. */
const sllWrap =
  (tag?: number): Wrap =>
  (ip, v6, c) => {
    const et = v6 ? ETH_IPV6 : ETH_IPV4;
    const payload = tag === undefined ? ip : concat(u16(tag), u16(et), ip);
    return sll({ protocol: tag === undefined ? et : TPID_8021Q, payload, packetType: c ? 4 : 0, addr: c ? CLIENT_MAC : AMT_MAC });
  };
const sll2Wrap =
  (tag?: number): Wrap =>
  (ip, v6, c) => {
    const et = v6 ? ETH_IPV6 : ETH_IPV4;
    const payload = tag === undefined ? ip : concat(u16(tag), u16(et), ip);
    return sll2({ protocol: tag === undefined ? et : TPID_8021Q, payload, packetType: c ? 4 : 0, ifindex: 3 });
  };
const nullWrap =
  (family6: number, bigEndian = false): Wrap =>
  (ip, v6) =>
    nullLink(v6 ? family6 : 2, ip, bigEndian);
const rawWrap: Wrap = (ip) => ip;

// ------------------------------------------------------------------ a capture being built

/** What decodePacket must return for a frame: 'tcp', 'not_ip', 'not_tcp' or an anomaly name. */
export type Expect = string;

export interface Rec {
  tsNs: bigint;
  data: Uint8Array;
  origLen: number;
  linkType: number;
  iface: number;
  expect: Expect;
  /** What decodePacket must return with UDP decoding on (--extended-ports): 'udp' or an anomaly name. */
  expectUdp?: Expect;
}

class Cap {
  t: bigint;
  readonly recs: Rec[] = [];
  constructor(
    readonly linkType: number,
    start: bigint = T0_NS,
    readonly snaplen?: number,
  ) {
    this.t = start;
  }
  /** Adds a frame `step` ns after the previous one. */
  add(data: Uint8Array, expect: Expect = 'tcp', o: { step?: bigint; linkType?: number; iface?: number; udp?: Expect } = {}): this {
    this.t += o.step ?? MS;
    const cut = this.snaplen !== undefined && data.length > this.snaplen ? data.slice(0, this.snaplen) : data;
    this.recs.push({
      tsNs: this.t,
      data: cut,
      origLen: data.length,
      linkType: o.linkType ?? this.linkType,
      iface: o.iface ?? 0,
      expect,
      ...(o.udp !== undefined ? { expectUdp: o.udp } : {}),
    });
    return this;
  }
  addAll(frames: Frame[], o: { step?: bigint } = {}): this {
    for (const f of frames) this.add(f.d, f.expect, o);
    return this;
  }
  pause(ns: bigint = SEC): this {
    this.t += ns;
    return this;
  }
  records(): CaptureRecord[] {
    return this.recs.map((r) => ({ tsNs: r.tsNs, data: r.data, origLen: r.origLen }));
  }
}

/** One frame of a flow: bytes, direction, expected decode result. */
interface Frame {
  d: Uint8Array;
  c: boolean;
  expect: Expect;
}

interface SegOpts {
  /** Override the sequence number (retransmissions, lies); combine with noAdvance. */
  seq?: number;
  ack?: number;
  /** Do not advance the sender's sequence counter (retransmission, lie). */
  noAdvance?: boolean;
  tcp?: Partial<TcpOpts>;
  ip4?: Partial<Ipv4Opts>;
  ip6?: Partial<Ipv6Opts>;
  /** Override the frame wrapper for this segment (VLAN lies). */
  wrap?: Wrap;
  expect?: Expect;
}

/** A scripted TCP connection between a client and a server, emitting frames through `wrap`. */
class Flow {
  cseq: number;
  sseq: number;
  cid: number;
  sid: number;
  readonly v6: boolean;
  constructor(
    readonly client: string,
    readonly cport: number,
    readonly server: string,
    readonly sport: number,
    readonly wrap: Wrap,
    o: { cisn?: number; sisn?: number } = {},
  ) {
    this.v6 = client.includes(':');
    this.cseq = o.cisn ?? 0x1000_0000 + cport * 1000;
    this.sseq = o.sisn ?? 0xa000_0000 + cport * 7919; // >= 2^31: exercises unsigned seq/ack
    this.cid = (cport * 13) & 0xffff;
    this.sid = (cport * 29) & 0xffff;
  }

  /** The IP packet for a segment; advances the sender's sequence number unless `o.noAdvance`. */
  ip(c: boolean, flags: number, payload: Uint8Array, o: SegOpts = {}): Uint8Array {
    const src = c ? this.client : this.server;
    const dst = c ? this.server : this.client;
    const seq = o.seq ?? (c ? this.cseq : this.sseq);
    const ack = o.ack ?? (flags & ACK ? (c ? this.sseq : this.cseq) : 0);
    const seg = tcp({
      sport: c ? this.cport : this.sport,
      dport: c ? this.sport : this.cport,
      seq,
      ack,
      flags,
      window: flags & SYN ? (c ? 64240 : 65535) : c ? 1026 : 2053, // after SYN: scaled by 2^8
      payload,
      src: this.v6 ? ip6(src) : ip4(src),
      dst: this.v6 ? ip6(dst) : ip4(dst),
      ...(flags & SYN ? { options: SYN_OPTS } : {}),
      ...o.tcp,
    });
    if (!o.noAdvance) {
      const adv = payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
      if (c) this.cseq = (this.cseq + adv) >>> 0;
      else this.sseq = (this.sseq + adv) >>> 0;
    }
    if (this.v6) return ipv6({ src, dst, hopLimit: 64, payload: seg, ...o.ip6 });
    const id = c ? this.cid++ : this.sid++;
    return ipv4({ src, dst, ttl: c ? 128 : 64, id: id & 0xffff, df: true, payload: seg, ...o.ip4 });
  }

  seg(c: boolean, flags: number, payload: Uint8Array | string = new Uint8Array(0), o: SegOpts = {}): Frame {
    const p = typeof payload === 'string' ? enc(payload) : payload;
    const ip = this.ip(c, flags, p, o);
    return { d: (o.wrap ?? this.wrap)(ip, this.v6, c), c, expect: o.expect ?? 'tcp' };
  }
  c(flags: number, payload?: Uint8Array | string, o?: SegOpts): Frame {
    return this.seg(true, flags, payload, o);
  }
  s(flags: number, payload?: Uint8Array | string, o?: SegOpts): Frame {
    return this.seg(false, flags, payload, o);
  }
  hostHeader(): string {
    return this.v6 ? `[${this.server}]:${this.sport}` : `${this.server}:${this.sport}`;
  }
  /** The request/response pair this flow's server port speaks. */
  dialog(): [Uint8Array, Uint8Array] {
    switch (this.sport) {
      case 16993:
      case 16995:
        return [tlsClientHello(this.cport), tlsServerHello(this.cport)];
      case 16994:
        return [REDIR_START, REDIR_REPLY];
      default:
        return [enc(getReq(this.hostHeader())), enc(HTTP_401)];
    }
  }
  /** FIN/ACK from the client, FIN/ACK from the server, last ACK. */
  close3(): Frame[] {
    return [this.c(FIN | ACK), this.s(FIN | ACK), this.c(ACK)];
  }
  /** SYN, SYN-ACK, ACK. */
  handshake(): Frame[] {
    return [this.c(SYN), this.s(SYN | ACK), this.c(ACK)];
  }
  /** Request, response (which acks the request), FIN/ACK, FIN/ACK, ACK: Zeek SF, history ShADdFf. */
  full(): Frame[] {
    const [req, resp] = this.dialog();
    return [...this.handshake(), this.c(PSH | ACK, req), this.s(PSH | ACK, resp), ...this.close3()];
  }
}

// ------------------------------------------------------------------ fixtures

export interface Fixture {
  name: string;
  /** README text after the "made by" part. */
  what: string;
  bytes: Uint8Array;
  /** The frames as written (well-formed captures only), for the decode fixture test. */
  frames?: Rec[];
}

/** "3 frames (2 tcp, 1 decode.ipv4.fragment)": the expected decode results, tags counted. */
export function summarize(recs: readonly Rec[]): string {
  const counts = new Map<string, number>();
  for (const r of recs) counts.set(r.expect, (counts.get(r.expect) ?? 0) + 1);
  const order = ['tcp', 'not_ip', 'not_tcp'];
  const keys = [...counts.keys()].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return `${recs.length} frames (${keys.map((k) => `${counts.get(k)} ${k}`).join(', ')})`;
}

function pcapFixture(name: string, cap: Cap, what: string, opts: { nanos?: boolean; bigEndian?: boolean; kuznetzov?: boolean } = {}): Fixture {
  const bytes = writePcap(cap.records(), {
    linkType: cap.linkType,
    ...(cap.snaplen !== undefined ? { snaplen: cap.snaplen } : {}),
    ...(opts.nanos ? { nanos: true } : {}),
    ...(opts.bigEndian ? { bigEndian: true } : {}),
    ...(opts.kuznetzov ? { kuznetzov: true } : {}),
  });
  return { name, what: `${what}; ${summarize(cap.recs)}`, bytes, frames: cap.recs };
}

const GZIP_OPTS = { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY };

/** A plain Ethernet capture of one SF session, for the encodings and broken files. */
function simpleSession(cport: number, start: bigint = T0_NS): Cap {
  const cap = new Cap(LT_ETHERNET, start);
  cap.addAll(new Flow(CLIENT4, cport, AMT4, 16992, ethWrap()).full());
  return cap;
}

/** The 5-frame session used before a corruption: SYN, SYN-ACK, GET, 401+FIN, FIN (both FINs seen: SF). */
function compactSession(f: Flow): Frame[] {
  const [req, resp] = f.dialog();
  return [f.c(SYN), f.s(SYN | ACK), f.c(PSH | ACK, req), f.s(FIN | PSH | ACK, resp), f.c(FIN | ACK)];
}

export function buildFixtures(): Fixture[] {
  const out: Fixture[] = [];
  const SESSION = (who: string, state = 'SF'): string => `1 AMT session ${who} (${state})`;

  // ---------------------------------------------------------------- pcap encodings
  {
    const cap = new Cap(LT_ETHERNET, T0_NS + 123_456_789n);
    cap.addAll(new Flow(CLIENT4, 50001, AMT4, 16992, ethWrap()).full(), { step: 1_000_001n });
    out.push(
      pcapFixture(
        'pcap-nanosecond.pcap',
        cap,
        `classic pcap, nanosecond magic a1b23c4d, little-endian; first frame at 2026-01-15T10:00:00.124456790Z (ns digits kept by the file, so µs output truncates); ${SESSION('10.0.0.50:50001 -> 10.0.0.10:16992 with GET/401')}`,
        { nanos: true },
      ),
    );
  }
  {
    const cap = simpleSession(50002, T0_NS + 250n * MS);
    out.push(pcapFixture('pcap-bigendian.pcap', cap, `classic pcap, microsecond magic, big-endian header and records; ${SESSION('10.0.0.50:50002 -> 10.0.0.10:16992')}`, { bigEndian: true }));
  }
  {
    const cap = simpleSession(50009, T0_NS + 275n * MS);
    out.push(
      pcapFixture(
        'pcap-kuznetzov.pcap',
        cap,
        `Kuznetzov's modified pcap (magic a1b2cd34, 24-byte record headers with ifindex/protocol/pkt_type), as old patched tcpdumps wrote it; ${SESSION('10.0.0.50:50009 -> 10.0.0.10:16992')}`,
        { kuznetzov: true },
      ),
    );
  }
  {
    const cap = new Cap(LT_ETHERNET, T0_NS + 987_654_321n);
    cap.addAll(new Flow(CLIENT4, 50003, AMT4, 16992, ethWrap()).full(), { step: 333_333_333n });
    out.push(
      pcapFixture('pcap-bigendian-ns.pcap', cap, `classic pcap, nanosecond magic, big-endian; frames 333.333333 ms apart; ${SESSION('10.0.0.50:50003 -> 10.0.0.10:16992')}`, {
        nanos: true,
        bigEndian: true,
      }),
    );
  }

  // ---------------------------------------------------------------- pcapng, several interfaces and sections
  {
    // Section 1 (little-endian): if0 Ethernet (tsresol 6) sees client->server, if1 SLL2 (tsresol 9)
    // sees server->client, like a SPAN with one port per direction.
    const recs: Rec[] = [];
    const blocks1: NgBlock[] = [];
    let t = T0_NS + 2n * SEC;
    const a = new Flow(CLIENT4, 50004, AMT4, 16992, (ip, v6, c) => (c ? ethWrap()(ip, v6, c) : sll2Wrap()(ip, v6, c)));
    const PEN_LE = Uint8Array.of(0xd9, 0x7e, 0, 0); // PEN 32473 (RFC 5612 example), in section 1's little-endian order
    blocks1.push({ kind: 'raw', type: 0x00000bad, body: concat(PEN_LE, enc('amtwatch custom block, copyable')) });
    const framesA = a.full();
    framesA.forEach((f, i) => {
      t += 1_234_567n; // ns steps: if0 keeps µs, if1 keeps ns
      const iface = f.c ? 0 : 1;
      blocks1.push({ kind: 'epb', iface, tsNs: t, data: f.d });
      recs.push({ tsNs: t, data: f.d, origLen: f.d.length, linkType: iface === 0 ? LT_ETHERNET : LT_SLL2, iface, expect: f.expect });
      if (i === 3) blocks1.push({ kind: 'raw', type: 0x80000101, body: enc('local-use block type, skip me') });
    });
    blocks1.push({ kind: 'raw', type: 0x40000bad, body: concat(PEN_LE, enc('do not copy')) });
    // Section 2 (big-endian): if0 raw IPv4 (LINKTYPE_IPV4) with tsresol 0x8a (2^-10 s).
    const blocks2: NgBlock[] = [];
    t = T0_NS + 5n * SEC;
    const b = new Flow(CLIENT4, 50005, AMT4, 16992, rawWrap);
    for (const f of b.full()) {
      t += 250n * MS; // a multiple of 2^-10 s, so the 2^-10 timestamps are exact
      blocks2.push({ kind: 'epb', iface: 0, tsNs: t, data: f.d });
      recs.push({ tsNs: t, data: f.d, origLen: f.d.length, linkType: LT_IPV4, iface: 0, expect: f.expect });
    }
    const ping = udp4(CLIENT4, AMT4, 50006, 623, RMCP_PING);
    blocks2.push({ kind: 'spb', data: ping });
    recs.push({ tsNs: t, data: ping, origLen: ping.length, linkType: LT_IPV4, iface: 0, expect: 'not_tcp' });
    const sections: NgSection[] = [
      {
        interfaces: [
          { linkType: LT_ETHERNET, tsresol: 6, name: 'span-client-side' },
          { linkType: LT_SLL2, tsresol: 9, name: 'span-amt-side' },
        ],
        blocks: blocks1,
      },
      { bigEndian: true, interfaces: [{ linkType: LT_IPV4, tsresol: 0x8a, name: 'raw-v4' }], blocks: blocks2 },
    ];
    out.push({
      name: 'pcapng-multi-interface.pcapng',
      what:
        'pcapng, 2 sections (LE then BE); section 1: if0 Ethernet tsresol 6 + if1 SLL2 tsresol 9 carrying ONE AMT session 10.0.0.50:50004 -> 10.0.0.10:16992 split by direction ' +
        '(client->server EPBs on if0, server->client on if1; the first SYN at 10:00:02.001234567 is stored as 10:00:02.001234 on if0, the SYN-ACK keeps 10:00:02.002469134 on if1), ' +
        'a custom block 0x00000BAD (PEN 32473), a local-use block 0x80000101 and a custom block 0x40000BAD to skip; ' +
        'section 2 (big-endian): if0 LINKTYPE_IPV4 with tsresol 0x8a (2^-10 s, 250 ms steps) carrying 10.0.0.50:50005 -> 10.0.0.10:16992, then an SPB (no timestamp) with a UDP RMCP presence ping to 10.0.0.10:623; ' +
        `2 AMT sessions (SF, SF); ${summarize(recs)}`,
      bytes: writePcapng(sections),
      frames: recs,
    });
  }

  // ---------------------------------------------------------------- link types
  for (const [name, lt, wrap, label] of [
    ['linux-sll.pcap', LT_SLL, sllWrap, 'LINKTYPE_LINUX_SLL (113)'],
    ['linux-sll2.pcap', LT_SLL2, sll2Wrap, 'LINKTYPE_LINUX_SLL2 (276)'],
  ] as const) {
    const base = lt === LT_SLL ? 50007 : 50010;
    const cap = new Cap(lt, T0_NS);
    cap.addAll(new Flow(CLIENT4, base, AMT4, 16992, wrap()).full()).pause();
    cap.addAll(new Flow(CLIENT6, base + 1, AMT6, 16992, wrap()).full()).pause();
    cap.addAll(new Flow(CLIENT4, base + 2, AMT4, 16992, wrap(100)).full()).pause();
    const arp = concat(u16(1), u16(0x0800), Uint8Array.of(6, 4), u16(1), new Uint8Array(20));
    cap.add(lt === LT_SLL ? sll({ protocol: ETH_ARP, payload: arp }) : sll2({ protocol: ETH_ARP, payload: arp }), 'not_ip');
    out.push(
      pcapFixture(
        name,
        cap,
        `${label}; 3 AMT sessions (SF): 10.0.0.50:${base} -> 10.0.0.10:16992, [2001:db8::50]:${base + 1} -> [2001:db8::10]:16992, ` +
          `10.0.0.50:${base + 2} -> 10.0.0.10:16992 with protocol 0x8100 and the VLAN 100 tag kept in the payload (vlan 100); then 1 ARP frame`,
      ),
    );
  }
  {
    const cap = new Cap(LT_NULL, T0_NS);
    cap.addAll(new Flow(CLIENT4, 50013, AMT4, 16992, nullWrap(30)).full()).pause();
    cap.addAll(new Flow(CLIENT6, 50014, AMT6, 16992, nullWrap(30)).full()).pause();
    cap.addAll(new Flow(CLIENT6, 50015, AMT6, 16992, nullWrap(28, true)).full()).pause();
    cap.add(nullLink(7, new Uint8Array(40)), 'not_ip'); // AF_ISO
    out.push(
      pcapFixture(
        'bsd-null.pcap',
        cap,
        'LINKTYPE_NULL (0), little-endian file; 3 AMT sessions (SF): 10.0.0.50:50013 (family 2, LE), [2001:db8::50]:50014 (family 30 Darwin, LE), ' +
          '[2001:db8::50]:50015 (family 28 FreeBSD written big-endian, as from a big-endian host) -> port 16992; then 1 frame with family 7 (not IP)',
      ),
    );
  }
  {
    const cap = new Cap(LT_LOOP, T0_NS);
    cap.addAll(new Flow(CLIENT4, 50016, AMT4, 16992, nullWrap(24, true)).full()).pause();
    cap.addAll(new Flow(CLIENT6, 50017, AMT6, 16992, nullWrap(24, true)).full());
    out.push(
      pcapFixture(
        'loop.pcap',
        cap,
        'LINKTYPE_LOOP (108), family in network byte order; 2 AMT sessions (SF): 10.0.0.50:50016 (family 2) and [2001:db8::50]:50017 (family 24 OpenBSD) -> port 16992',
      ),
    );
  }
  {
    const cap = new Cap(LT_RAW, T0_NS);
    cap.addAll(new Flow(CLIENT4, 50018, AMT4, 16992, rawWrap).full()).pause();
    cap.addAll(new Flow(CLIENT6, 50019, AMT6, 16992, rawWrap).full());
    out.push(pcapFixture('raw-ip.pcap', cap, 'LINKTYPE_RAW (101), version from the first nibble; 2 AMT sessions (SF): 10.0.0.50:50018 and [2001:db8::50]:50019 -> port 16992'));
  }
  {
    const cap = new Cap(LT_ETHERNET, T0_NS);
    cap.addAll(new Flow(CLIENT4, 50020, AMT4, 16992, ethWrap([{ tpid: TPID_8021AD, vid: 300 }, { vid: 100 }])).full()).pause();
    cap.addAll(new Flow(CLIENT4, 50021, AMT4, 16992, ethWrap([{ vid: 100, pcp: 5 }])).full()).pause();
    cap.addAll(new Flow(CLIENT6, 50022, AMT6, 16992, ethWrap([{ tpid: 0x9100, vid: 200 }, { vid: 100 }])).full()).pause();
    cap.add(ethernet({ type: ETH_ARP, vlans: [{ vid: 100 }], payload: concat(u16(1), u16(0x0800), Uint8Array.of(6, 4), u16(1), new Uint8Array(20)) }), 'not_ip');
    out.push(
      pcapFixture(
        'qinq.pcap',
        cap,
        'Ethernet VLAN tags; 3 AMT sessions (SF): 10.0.0.50:50020 QinQ 0x88a8 vid 300 + 0x8100 vid 100 (vlan 300, inner_vlan 100), ' +
          '10.0.0.50:50021 single 802.1Q vid 100 (vlan 100), [2001:db8::50]:50022 0x9100 vid 200 + 0x8100 vid 100 (vlan 200, inner_vlan 100); then 1 tagged ARP',
      ),
    );
  }

  // ---------------------------------------------------------------- IPv6 extension headers
  {
    const HBH: Ipv6Ext = { type: 0, body: Uint8Array.of(1, 4, 0, 0, 0, 0) };
    const SRH: Ipv6Ext = { type: 43, body: concat(Uint8Array.of(4, 0, 0, 0, 0, 0), ip6(AMT6)) }; // segment routing, segments left 0
    const DST: Ipv6Ext = { type: 60, body: Uint8Array.of(1, 12, ...new Uint8Array(12)) };
    const AH: Ipv6Ext = { type: 51, body: concat(Uint8Array.of(0, 0), u16(0x1234), u16(0x5678), u16(0), u16(1), pattern(12, 9)), lenOverride: 4 }; // SPI 0x12345678, seq 1, 12-byte ICV
    const cap = new Cap(LT_ETHERNET, T0_NS);
    const a = new Flow(CLIENT6, 50023, AMT6, 16992, ethWrap());
    const fa: Frame[] = [];
    const [req, resp] = a.dialog();
    const cx = { ip6: { ext: [HBH, SRH, DST] } };
    fa.push(a.c(SYN, undefined, cx), a.s(SYN | ACK), a.c(ACK, undefined, cx), a.c(PSH | ACK, req, cx), a.s(PSH | ACK, resp), a.c(FIN | ACK, undefined, cx), a.s(FIN | ACK), a.c(ACK, undefined, cx));
    cap.addAll(fa).pause();
    const b = new Flow(CLIENT6, 50024, AMT6, 16992, ethWrap());
    const ah = { ip6: { ext: [AH] } };
    const [req2, resp2] = b.dialog();
    cap
      .addAll([b.c(SYN, undefined, ah), b.s(SYN | ACK, undefined, ah), b.c(ACK, undefined, ah), b.c(PSH | ACK, req2, ah), b.s(PSH | ACK, resp2, ah), b.c(FIN | ACK, undefined, ah), b.s(FIN | ACK, undefined, ah), b.c(ACK, undefined, ah)])
      .pause();
    // a TCP segment in two IPv6 fragments (not reassembled: 2 anomalies, no session)
    const fr = new Flow(CLIENT6, 50025, AMT6, 16992, ethWrap());
    const seg = tcp({ sport: 50025, dport: 16992, seq: fr.cseq, ack: fr.sseq, flags: PSH | ACK, payload: enc(getReq(fr.hostHeader())), src: ip6(CLIENT6), dst: ip6(AMT6) });
    const fragHdr = (offUnits: number, more: boolean): Ipv6Ext => {
      const v = (offUnits << 3) | (more ? 1 : 0);
      return { type: 44, body: concat(u16(v), u16(0xbeef), u16(0x0001)) };
    };
    cap.add(ethWrap()(ipv6({ src: CLIENT6, dst: AMT6, ext: [fragHdr(0, true)], payload: seg.subarray(0, 48) }), true, true), 'decode.ipv6.fragment');
    cap.add(ethWrap()(ipv6({ src: CLIENT6, dst: AMT6, ext: [fragHdr(6, false)], payload: seg.subarray(48) }), true, true), 'decode.ipv6.fragment');
    // ESP: not TCP
    cap.add(ethWrap()(ipv6({ src: CLIENT6, dst: AMT6, nextHeader: 50, payload: concat(u16(0), u16(0x4242), u16(0), u16(1), pattern(32, 3)) }), true, true), 'not_tcp');
    out.push(
      pcapFixture(
        'ipv6-ext-headers.pcap',
        cap,
        '2 AMT sessions (SF): [2001:db8::50]:50023 -> [2001:db8::10]:16992 whose client packets carry hop-by-hop (8 B) + routing (SRH, 24 B) + destination options (16 B) before TCP, ' +
          'and [2001:db8::50]:50024 with an AH header (24 B) on every packet; then a GET from port 50025 in 2 IPv6 fragments (2 x decode.ipv6.fragment, not reassembled, no session) ' +
          'and 1 ESP packet (not TCP)',
      ),
    );
  }

  // ---------------------------------------------------------------- IPv4 options and fragments
  {
    const RR = Uint8Array.of(1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0); // NOP + record route, 2 empty slots
    const RA = Uint8Array.of(148, 4, 0, 0); // router alert
    const RA_EOL = Uint8Array.of(148, 4, 0, 0, 0, 0, 0, 0); // router alert + EOL + padding
    const cap = new Cap(LT_ETHERNET, T0_NS);
    const a = new Flow(CLIENT4, 50026, AMT4, 16992, ethWrap());
    const [req, resp] = a.dialog();
    const c = { ip4: { options: RR } };
    const s = { ip4: { options: RA } };
    cap
      .addAll([
        a.c(SYN, undefined, c),
        a.s(SYN | ACK, undefined, s),
        a.c(ACK, undefined, { ip4: { options: RA_EOL } }),
        a.c(PSH | ACK, req, c),
        a.s(PSH | ACK, resp, s),
        a.c(FIN | ACK, undefined, c),
        a.s(FIN | ACK, undefined, s),
        a.c(ACK, undefined, c),
      ])
      .pause();
    // malformed options: a SYN with a record-route length of 1, and one whose length runs past the header
    const m1 = new Flow(CLIENT4, 50027, AMT4, 16992, ethWrap());
    cap.add(m1.c(SYN, undefined, { ip4: { options: Uint8Array.of(7, 1, 0, 0) } }).d, 'decode.ipv4.opt_malformed');
    const m2 = new Flow(CLIENT4, 50028, AMT4, 16992, ethWrap());
    cap.add(m2.c(SYN, undefined, { ip4: { options: Uint8Array.of(1, 148, 8, 0) } }).d, 'decode.ipv4.opt_malformed').pause();
    // a GET in two IPv4 fragments: 2 anomalies, no session
    const fr = new Flow(CLIENT4, 50029, AMT4, 16992, ethWrap());
    const seg = tcp({ sport: 50029, dport: 16992, seq: fr.cseq, ack: fr.sseq, flags: PSH | ACK, payload: enc(getReq(fr.hostHeader())), src: ip4(CLIENT4), dst: ip4(AMT4) });
    cap.add(ethWrap()(ipv4({ src: CLIENT4, dst: AMT4, id: 0x4d21, mf: true, payload: seg.subarray(0, 32) }), false, true), 'decode.ipv4.fragment');
    cap.add(ethWrap()(ipv4({ src: CLIENT4, dst: AMT4, id: 0x4d21, fragOffset: 4, payload: seg.subarray(32) }), false, true), 'decode.ipv4.fragment');
    // a fragmented UDP datagram: not TCP, not an anomaly
    const udp = udp4(CLIENT4, AMT4, 50030, 623, pattern(40, 5)); // 20 IP + 8 UDP + 40
    const udpBody = udp.subarray(20);
    cap.add(ethWrap()(ipv4({ src: CLIENT4, dst: AMT4, proto: 17, id: 0x4d22, mf: true, payload: udpBody.subarray(0, 24) }), false, true), 'not_tcp');
    cap.add(ethWrap()(ipv4({ src: CLIENT4, dst: AMT4, proto: 17, id: 0x4d22, fragOffset: 3, payload: udpBody.subarray(24) }), false, true), 'not_tcp');
    out.push(
      pcapFixture(
        'ipv4-options-fragments.pcap',
        cap,
        '1 AMT session (SF) 10.0.0.50:50026 -> 10.0.0.10:16992 with IPv4 options on every packet (client NOP + record route, server router alert, one ACK with router alert + EOL); ' +
          '2 SYNs with malformed options (record route length 1 from port 50027; router alert length 8 past a 4-byte option area from 50028) -> 2 x decode.ipv4.opt_malformed, no session; ' +
          'a GET from port 50029 in 2 IPv4 fragments -> 2 x decode.ipv4.fragment, no session; a UDP datagram in 2 fragments (not TCP, no anomaly)',
      ),
    );
  }

  // ---------------------------------------------------------------- lying lengths
  {
    const cap = new Cap(LT_ETHERNET, T0_NS);
    const g = new Flow(CLIENT4, 50031, AMT4, 16992, ethWrap());
    const l6 = new Flow(CLIENT6, 50032, AMT6, 16992, ethWrap());
    const [req, resp] = g.dialog();
    const lie = (f: Flow, c: boolean, flags: number, payload: Uint8Array, o: SegOpts, expect: Expect): Frame =>
      f.seg(c, flags, payload, { ...o, noAdvance: true, expect });
    const good = g.handshake();
    const frames: Frame[] = [good[0]!, good[1]!];
    frames.push(lie(g, true, ACK, new Uint8Array(0), { ip4: { totalLenOverride: 1500 } }, 'decode.ipv4.total_len_exceeds_frame'));
    frames.push(good[2]!);
    frames.push(lie(g, true, PSH | ACK, req, { ip4: { totalLenOverride: 16 } }, 'decode.ipv4.total_len_too_small'));
    frames.push(lie(g, true, PSH | ACK, req, { ip4: { totalLenOverride: 0 } }, 'decode.ipv4.total_len_too_small'));
    frames.push(lie(g, true, PSH | ACK, req, { ip4: { totalLenOverride: 30 } }, 'decode.tcp.truncated'));
    frames.push(lie(g, true, ACK, new Uint8Array(0), { ip4: { ihlOverride: 4 } }, 'decode.ipv4.hlen_too_small'));
    frames.push(lie(g, true, ACK, new Uint8Array(0), { ip4: { ihlOverride: 15 } }, 'decode.ipv4.hlen_too_large'));
    frames.push(lie(g, true, ACK, new Uint8Array(0), { ip4: { versionOverride: 5 } }, 'decode.ipv4.bad_version'));
    frames.push(g.c(PSH | ACK, req));
    frames.push(lie(g, false, PSH | ACK, resp, { tcp: { dataOffsetOverride: 3 } }, 'decode.tcp.hlen_too_small'));
    frames.push(lie(g, false, ACK, new Uint8Array(0), { tcp: { dataOffsetOverride: 15 } }, 'decode.tcp.hlen_too_large'));
    frames.push(
      lie(g, false, PSH | ACK, resp, { wrap: ethWrap([{ tpid: TPID_8021AD, vid: 10 }, { vid: 20 }, { vid: 30 }, { vid: 40 }]) }, 'decode.vlan.too_many_layers'),
    );
    frames.push(g.s(PSH | ACK, resp));
    frames.push(lie(l6, true, SYN, new Uint8Array(0), { ip6: { payloadLenOverride: 200 } }, 'decode.ipv6.payload_len_exceeds_frame'));
    frames.push(lie(l6, true, SYN, new Uint8Array(0), { ip6: { payloadLenOverride: 10 } }, 'decode.tcp.truncated'));
    frames.push(lie(l6, true, SYN, new Uint8Array(0), { ip6: { ext: [{ type: 0, body: Uint8Array.of(1, 4, 0, 0, 0, 0), lenOverride: 200 }] } }, 'decode.ipv6.ext_truncated'));
    frames.push(...g.close3());
    cap.addAll(frames);
    out.push(
      pcapFixture(
        'lying-lengths.pcap',
        cap,
        '1 good AMT session (SF) 10.0.0.50:50031 -> 10.0.0.10:16992 interleaved with one frame per lie, the IPv4/TCP lies reusing its 4-tuple and sequence numbers ' +
          '(so a decoder that accepted one would corrupt the session): IPv4 total length 1500 (exceeds frame), 16 (< IHL), 0, 30 (TCP shorter than its header), IHL 4, IHL 15, version 5, ' +
          'TCP data offset 3 and 15, VLAN depth 4; IPv6 lies from [2001:db8::50]:50032: payload length 200 (exceeds frame), 10 (TCP truncated), hop-by-hop length 200 (ext truncated); ' +
          'expected anomalies: ipv4.total_len_exceeds_frame 1, ipv4.total_len_too_small 2, tcp.truncated 2, ipv4.hlen_too_small 1, ipv4.hlen_too_large 1, ipv4.bad_version 1, ' +
          'tcp.hlen_too_small 1, tcp.hlen_too_large 1, vlan.too_many_layers 1, ipv6.payload_len_exceeds_frame 1, ipv6.ext_truncated 1 (13 in all)',
      ),
    );
  }

  // ---------------------------------------------------------------- snapped
  {
    const cap = new Cap(LT_ETHERNET, T0_NS, 96);
    const a = new Flow(CLIENT4, 50033, AMT4, 16992, ethWrap());
    cap.addAll(a.full()).pause();
    const b = new Flow(CLIENT6, 50034, AMT6, 16992, ethWrap());
    cap.addAll(b.full()).pause();
    // an IPv6 data packet whose 40-byte destination-options header leaves 2 bytes of TCP under the snaplen
    const c = new Flow(CLIENT6, 50035, AMT6, 16992, ethWrap());
    cap.add(c.c(PSH | ACK, enc(getReq(c.hostHeader())), { ip6: { ext: [{ type: 60, body: Uint8Array.of(1, 36, ...new Uint8Array(36)) }] } }).d, 'decode.tcp.truncated');
    const [req4, resp4] = a.dialog();
    const [req6, resp6] = b.dialog();
    out.push(
      pcapFixture(
        'snapped-96.pcap',
        cap,
        `snaplen 96, every longer frame stored with caplen 96 < wire length; 2 AMT sessions (SF) whose data frames are cut: 10.0.0.50:50033 -> 10.0.0.10:16992 ` +
          `(GET ${req4.length} B on the wire / 42 B captured, 401 ${resp4.length} B / 42 B) and [2001:db8::50]:50034 -> [2001:db8::10]:16992 (GET ${req6.length} B / 22 B, 401 ${resp6.length} B / 22 B): ` +
          `headers decode and byte counts use wire lengths (orig_bytes ${req4.length}/${req6.length}, resp_bytes ${resp4.length}/${resp6.length}); ` +
          'then one IPv6 packet from port 50035 with a 40-byte destination-options header cut 2 bytes into TCP -> decode.tcp.truncated',
      ),
    );
  }

  // ---------------------------------------------------------------- decoys
  {
    const WS = '10.0.0.77';
    const WEB = '10.0.0.80';
    const cap = new Cap(LT_ETHERNET, T0_NS);
    const web = new Flow(WS, 16993, WEB, 80, ethWrap());
    const httpReq = `GET / HTTP/1.1\r\nHost: ${WEB}\r\nUser-Agent: curl/8.5.0\r\n\r\n`;
    const httpResp = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\nok';
    cap.addAll([...web.handshake(), web.c(PSH | ACK, httpReq), web.s(PSH | ACK, httpResp), web.c(FIN | ACK), web.s(FIN | ACK), web.c(ACK)]).pause();
    const tls = new Flow(WS, 16992, WEB, 443, ethWrap());
    cap.addAll([...tls.handshake(), tls.c(PSH | ACK, tlsClientHello(7)), tls.s(PSH | ACK, tlsServerHello(7)), tls.c(FIN | ACK), tls.s(FIN | ACK), tls.c(ACK)]).pause();
    const mid = new Flow(WS, 16994, WEB, 80, ethWrap());
    cap.addAll([mid.c(PSH | ACK, httpReq), mid.s(PSH | ACK, httpResp), mid.c(ACK), mid.c(FIN | ACK), mid.s(FIN | ACK), mid.c(ACK)]).pause();
    cap.addAll(new Flow(CLIENT4, 50036, AMT4, 16992, ethWrap()).full());
    out.push(
      pcapFixture(
        'decoys.pcap',
        cap,
        'workstation 10.0.0.77 using AMT port numbers as ephemeral client ports, none an AMT session: 10.0.0.77:16993 -> 10.0.0.80:80 (HTTP, with SYN), ' +
          '10.0.0.77:16992 -> 10.0.0.80:443 (TLS hello, with SYN), and a mid-stream 10.0.0.77:16994 -> 10.0.0.80:80 (no SYN, data first); ' +
          'plus exactly 1 real AMT session (SF) 10.0.0.50:50036 -> 10.0.0.10:16992',
      ),
    );
  }

  // ---------------------------------------------------------------- mid-stream
  {
    const cap = new Cap(LT_ETHERNET, T0_NS);
    const a = new Flow(CLIENT4, 50037, AMT4, 16992, ethWrap());
    const [req, resp] = a.dialog();
    cap.addAll([a.c(PSH | ACK, req), a.s(PSH | ACK, resp), a.c(FIN | ACK), a.s(FIN | ACK), a.c(ACK)]).pause();
    const b = new Flow(CLIENT4, 50038, AMT4, 16992, ethWrap());
    b.c(SYN); // sent, but not captured
    cap.addAll([b.s(SYN | ACK), b.c(ACK), b.c(PSH | ACK, req), b.s(PSH | ACK, resp), b.c(FIN | ACK), b.s(FIN | ACK), b.c(ACK)]);
    out.push(
      pcapFixture(
        'midstream.pcap',
        cap,
        '2 AMT sessions whose start was not captured: 10.0.0.50:50037 -> 10.0.0.10:16992 begins with the GET (no SYN/SYN-ACK; Zeek: SF, no S/H in history, orig = 10.0.0.50 by the port rule); ' +
          '10.0.0.50:50038 -> 10.0.0.10:16992 begins with the SYN-ACK from the AMT host (Zeek flips it: orig 10.0.0.50, history starts ^h, SF)',
      ),
    );
  }

  // ---------------------------------------------------------------- every Zeek conn_state
  {
    const cap = new Cap(LT_ETHERNET, T0_NS);
    // `(f.c(SYN), [...])`: the SYN is sent (it moves the sequence numbers) but not captured.
    const states: [string, (f: Flow) => Frame[], string][] = [
      ['S0', (f) => [f.c(SYN)], 'SYN only'],
      ['S1', (f) => [...f.handshake(), ...dialog(f)], 'established, not closed'],
      ['SF', (f) => f.full(), 'normal open and close'],
      ['REJ', (f) => [f.c(SYN), f.s(RST | ACK)], 'SYN answered by RST'],
      ['S2', (f) => [...f.handshake(), ...dialog(f), f.c(FIN | ACK)], 'established, FIN from the originator only'],
      ['S3', (f) => [...f.handshake(), ...dialog(f), f.s(FIN | ACK)], 'established, FIN from the responder only'],
      ['RSTO', (f) => [...f.handshake(), ...dialog(f), f.c(RST | ACK)], 'established, originator aborts'],
      ['RSTR', (f) => [...f.handshake(), ...dialog(f), f.s(RST | ACK)], 'established, responder aborts'],
      ['RSTOS0', (f) => [f.c(SYN), f.c(RST)], 'SYN then RST from the originator, no SYN-ACK'],
      ['RSTRH', (f) => (f.c(SYN), [f.s(SYN | ACK), f.s(RST | ACK)]), 'SYN-ACK then RST from the responder, no SYN seen'],
      ['SH', (f) => [f.c(SYN), f.c(FIN)], 'SYN then FIN from the originator, no SYN-ACK'],
      ['SHR', (f) => (f.c(SYN), [f.s(SYN | ACK), f.s(FIN | ACK)]), 'SYN-ACK then FIN from the responder, no SYN seen'],
      ['OTH', (f) => (f.handshake(), dialog(f)), 'mid-stream data both ways, no SYN, no FIN'],
    ];
    function dialog(f: Flow): Frame[] {
      const [req, resp] = f.dialog();
      return [f.c(PSH | ACK, req), f.s(PSH | ACK, resp), f.c(ACK)];
    }
    const lines: string[] = [];
    states.forEach(([state, script, note], i) => {
      const n = i + 1;
      const f = new Flow(`10.0.1.${n}`, 40000 + n, AMT4, 16992 + (i % 4), ethWrap());
      cap.addAll(script(f)).pause();
      lines.push(`${state} 10.0.1.${n}:${40000 + n} -> :${16992 + (i % 4)} (${note})`);
    });
    // a sequence gap: the second half of the GET is never captured but the AMT host acknowledges it
    {
      const f = new Flow('10.0.1.14', 40014, AMT4, 16992, ethWrap());
      const req = enc(getReq(f.hostHeader()));
      const part1 = req.subarray(0, 25);
      const part2 = req.subarray(25);
      const fr: Frame[] = [...f.handshake(), f.c(ACK, part1)];
      f.c(PSH | ACK, part2); // sent but not captured: advances the client's sequence only
      fr.push(f.s(PSH | ACK, HTTP_401), f.c(FIN | ACK), f.s(FIN | ACK), f.c(ACK));
      cap.addAll(fr).pause();
      lines.push(`SF with a gap 10.0.1.14:40014 -> :16992 (GET sent as 25 + ${part2.length} bytes, the second segment missing but acknowledged: missed_bytes ${part2.length}, history has G, a gap in the originator's bytes)`);
    }
    // a retransmission: the 401 is sent twice with the same sequence number
    {
      const f = new Flow('10.0.1.15', 40015, AMT4, 16992, ethWrap());
      const [req, resp] = f.dialog();
      const fr: Frame[] = [...f.handshake(), f.c(PSH | ACK, req)];
      const seq = f.sseq;
      fr.push(f.s(PSH | ACK, resp), f.s(PSH | ACK, resp, { seq, noAdvance: true }), f.c(ACK), ...f.close3());
      cap.addAll(fr);
      lines.push(`SF with a retransmission 10.0.1.15:40015 -> :16992 (the ${resp.length}-byte 401 sent twice with one sequence number: resp_bytes ${resp.length} (counted once), history has t, a responder retransmission)`);
    }
    out.push(
      pcapFixture(
        'conn-states.pcap',
        cap,
        `15 AMT sessions to 10.0.0.10, one per Zeek conn_state plus two SF variants, server ports cycling 16992-16995 (payload by port: HTTP GET/401 on 16992, TLS ClientHello/ServerHello on 16993/16995, redirection 0x10 "SOL "/0x11 on 16994): ` +
          lines.join('; '),
      ),
    );
  }

  // ---------------------------------------------------------------- RMCP / ASF on UDP 623 (--extended-ports)
  {
    const cap = new Cap(LT_ETHERNET, T0_NS + 40n * SEC);
    const SCANNER = '198.51.100.50';
    const PROBER = '198.51.100.99';
    const eth = (ip: Uint8Array, v6 = false, vlans?: VlanTag[]): Uint8Array =>
      ethernet({ dst: AMT_MAC, src: CLIENT_MAC, type: v6 ? ETH_IPV6 : ETH_IPV4, payload: ip, ...(vlans ? { vlans } : {}) });
    const udp = (src: string, dst: string, sp: number, dp: number, p: Uint8Array, vlans?: VlanTag[]): Uint8Array =>
      src.includes(':') ? eth(udp6(src, dst, sp, dp, p), true, vlans) : eth(udp4(src, dst, sp, dp, p), false, vlans);
    const ok = { udp: 'udp' };
    // nmap-style pings (sequence 0xff: no ACK) answered by the real DeathMetal pong payloads
    const pairs: [string, string][] = [
      ['192.0.2.21', PONG_95_UNPROVISIONED],
      ['192.0.2.22', PONG_95_PROVISIONED],
      ['192.0.2.23', PONG_110],
      ['192.0.2.24', PONG_118],
    ];
    pairs.forEach(([host, data], i) => {
      cap.add(udp(SCANNER, host, 40000, 623, rmcpPing(0xff, i)), 'not_tcp', ok);
      cap.add(udp(host, SCANNER, 623, 40000, rmcpPong(0xff, i, data)), 'not_tcp', ok);
    });
    // the inventoried AMT host over IPv6 (11.8, post-provisioning, both 16992 and 16993 open)
    cap.add(udp('2001:db8::50', AMT6, 40001, 623, rmcpPing(0xff, 7)), 'not_tcp', ok);
    cap.add(udp(AMT6, '2001:db8::50', 623, 40001, rmcpPong(0xff, 7, '00000157 4260b806 00200000 00000000')), 'not_tcp', ok);
    // MeshCentral-style ping (sequence 0) on VLAN 100: RMCP ACK, then the pong; AMT 16.1 (version byte 0,
    // major/minor in the extended bytes), post-provisioning on 16993
    const v100: VlanTag[] = [{ vid: 100 }];
    cap.add(udp(SCANNER, '192.0.2.25', 40002, 623, rmcpPing(0x00, 3), v100), 'not_tcp', ok);
    cap.add(udp('192.0.2.25', SCANNER, 623, 40002, Uint8Array.of(0x06, 0x00, 0x00, 0x86), v100), 'not_tcp', ok);
    cap.add(udp('192.0.2.25', SCANNER, 623, 40002, rmcpPong(0x00, 3, '00000157 42610002 00201001 00000000'), v100), 'not_tcp', ok);
    // IPMI (RMCP class 0x07): nmap's Get Channel Authentication Capabilities, and an IPMI message whose
    // bytes at the ASF offsets spell IANA 4542 + type 0x40 + a pong's data: still IPMI, never a pong
    cap.add(udp(SCANNER, '192.0.2.30', 40003, 623, hex('0600ff07 00000000 00000000 00092018 c881 00388e04b5')), 'not_tcp', ok);
    cap.add(udp('192.0.2.30', SCANNER, 623, 40003, concat(hex('0600ff07 000011be 40000010'), hex(PONG_95_UNPROVISIONED))), 'not_tcp', ok);
    // a broadcast ping, answered from the host's own address (no pairing: the pong gets its own uid)
    cap.add(udp(SCANNER, '192.0.2.255', 40004, 623, rmcpPing(0xff, 9)), 'not_tcp', ok);
    cap.add(udp('192.0.2.21', SCANNER, 623, 40004, rmcpPong(0xff, 9, PONG_95_UNPROVISIONED)), 'not_tcp', ok);
    // malformed: a pong whose data length (16) runs past the datagram (8 data bytes there), a pong with
    // data length 4, an ASF header cut to 5 of its 8 bytes, RMCP version 0x05, 3 bytes, a UDP length longer
    // than the IP payload, a UDP length under 8
    cap.add(udp('192.0.2.26', SCANNER, 623, 40005, rmcpPong(0xff, 1, PONG_95_PROVISIONED).subarray(0, 20)), 'not_tcp', ok);
    cap.add(udp('192.0.2.26', SCANNER, 623, 40005, concat(hex('0600ff06 000011be 40010004'), hex('00000157'))), 'not_tcp', ok);
    cap.add(udp(SCANNER, '192.0.2.26', 40005, 623, hex('0600ff06 000011be 80')), 'not_tcp', ok);
    cap.add(udp(SCANNER, '192.0.2.26', 40005, 623, hex('0500ff06 000011be 80010000')), 'not_tcp', ok);
    cap.add(udp(SCANNER, '192.0.2.26', 40005, 623, hex('0600ff')), 'not_tcp', ok);
    cap.add(eth(udp4Len(SCANNER, '192.0.2.26', 40006, 623, rmcpPing(0xff, 2), 40)), 'not_tcp', { udp: 'decode.udp.len_exceeds_ip' });
    cap.add(eth(udp4Len(SCANNER, '192.0.2.26', 40006, 623, rmcpPing(0xff, 2), 6)), 'not_tcp', { udp: 'decode.udp.len_too_small' });
    // a sweep: pings from one source to 8 hosts (the synthetic policy's scan_hosts threshold is 8)
    cap.pause(SEC);
    for (let h = 40; h < 48; h++) cap.add(udp(PROBER, `192.0.2.${h}`, 41000, 623, rmcpPing(0xff, 0)), 'not_tcp', ok);
    out.push(
      pcapFixture(
        'rmcp.pcap',
        cap,
        'UDP 623 RMCP/ASF, read with --extended-ports (test/helpers/fixtures.ts EXTENDED_PORT_FIXTURES): presence pings from 198.51.100.50 ' +
          'answered by the real DeathMetal pong payloads of amt-protocol.md 5 (192.0.2.21 AMT 9.5 unprovisioned, .22 9.5 provisioned on 16992, ' +
          '.23 11.0 and .24 11.8, both pre-provisioning): none in the synthetic inventory, so amt.rogue_device for each and ' +
          'amt.unprovisioned_device for .21/.23/.24; the inventoried [2001:db8::10] answering over IPv6 (11.8, post, dual port: no notice); ' +
          'a MeshCentral-style ping (sequence 0) on VLAN 100 answered by an RMCP ACK and an AMT 16.1 pong (version byte 0, extended bytes); ' +
          "IPMI class 0x07: nmap's Get Channel Auth Capabilities and an IPMI message whose bytes mimic a pong (both message_type ipmi); " +
          'a ping to 192.0.2.255 answered from .21 (unpaired uid); malformed: pong data length past the datagram (rmcp.asf_bad_length), ' +
          'pong with 4 data bytes (rmcp.pong_short), ASF header cut (rmcp.asf_truncated), RMCP version 5 (rmcp.bad_version), 3 bytes ' +
          '(rmcp.truncated), UDP length 40 > IP payload (decode.udp.len_exceeds_ip), UDP length 6 (decode.udp.len_too_small); then ' +
          'pings from 198.51.100.99 to 192.0.2.40-47 (amt.scan, 8 hosts); without --extended-ports every frame is not_tcp and nothing is reported',
      ),
    );
  }

  // ---------------------------------------------------------------- broken classic pcap
  {
    const cap = simpleSession(50039);
    const full = writePcap(cap.records(), { linkType: LT_ETHERNET });
    const lastLen = cap.recs[cap.recs.length - 1]!.data.length;
    const bytes = full.subarray(0, full.length - Math.floor(lastLen / 2));
    out.push({
      name: 'truncated-record.pcap',
      what: `the 8-frame session 10.0.0.50:50039 -> 10.0.0.10:16992 with the file cut ${Math.floor(lastLen / 2)} bytes before the end of the last record's body (${lastLen}-byte record): 7 frames readable, then a truncated-tail warning; 1 AMT session (SF, last ACK lost)`,
      bytes,
    });
  }
  {
    const cap = simpleSession(50040);
    cap.add(cap.recs[cap.recs.length - 1]!.data); // a 9th record (duplicate last ACK) ...
    const full = writePcap(cap.records(), { linkType: LT_ETHERNET });
    const last = cap.recs[cap.recs.length - 1]!;
    const bytes = full.subarray(0, full.length - last.data.length - 16 + 10); // ... cut 10 bytes into its header
    out.push({
      name: 'truncated-header.pcap',
      what: '8 complete frames (session 10.0.0.50:50040 -> 10.0.0.10:16992) then 10 bytes of a 16-byte record header: 8 frames, then a truncated-tail warning; 1 AMT session (SF)',
      bytes,
    });
  }
  {
    const first = new Cap(LT_ETHERNET, T0_NS);
    first.addAll(compactSession(new Flow(CLIENT4, 50041, AMT4, 16992, ethWrap())));
    const after = new Cap(LT_ETHERNET, T0_NS + 2n * SEC);
    after.addAll(new Flow(CLIENT4, 50042, AMT4, 16992, ethWrap()).full());
    const opts = { linkType: LT_ETHERNET };
    const bad = pcapRecordHeader({ tsNs: T0_NS + SEC, data: new Uint8Array(0) }, opts);
    bad.writeUInt32LE(0xfffffff0, 8); // caplen
    bad.writeUInt32LE(60, 12); // wire length
    const body = after.recs.map((r) => concat(pcapRecordHeader({ tsNs: r.tsNs, data: r.data }, opts), r.data));
    const bytes = concat(writePcap(first.records(), opts), bad, ...body);
    out.push({
      name: 'corrupt-caplen.pcap',
      what:
        '5 good frames (compact session 10.0.0.50:50041 -> 10.0.0.10:16992: SYN, SYN-ACK, GET, 401+FIN, FIN: 1 AMT session, SF), then a record header with caplen 0xfffffff0, ' +
        'then 8 more good-looking records (session 10.0.0.50:50042) that must NOT be reported: 5 frames, then an input error (caplen above the limit), reading stops',
      bytes,
    });
  }

  // ---------------------------------------------------------------- broken pcapng
  {
    const cap = simpleSession(50043);
    const ng = writePcapng([{ interfaces: [{ linkType: LT_ETHERNET }], blocks: cap.recs.map((r) => ({ kind: 'epb' as const, iface: 0, tsNs: r.tsNs, data: r.data })) }]);
    const lastBlock = 32 + ((cap.recs[cap.recs.length - 1]!.data.length + 3) & ~3);
    out.push({
      name: 'truncated.pcapng',
      what: `pcapng with the 8-frame session 10.0.0.50:50043 -> 10.0.0.10:16992, cut in the middle of the last EPB (${lastBlock}-byte block, ${lastBlock >> 1} bytes kept): 7 frames, then a truncated-tail warning; 1 AMT session (SF)`,
      bytes: ng.subarray(0, ng.length - (lastBlock >> 1)),
    });
  }
  {
    const first = new Cap(LT_ETHERNET, T0_NS);
    first.addAll(compactSession(new Flow(CLIENT4, 50044, AMT4, 16992, ethWrap())));
    const after = new Cap(LT_ETHERNET, T0_NS + 2n * SEC);
    after.addAll(new Flow(CLIENT4, 50045, AMT4, 16992, ethWrap()).full());
    const epbs = (c: Cap): NgBlock[] => c.recs.map((r) => ({ kind: 'epb' as const, iface: 0, tsNs: r.tsNs, data: r.data }));
    const head = writePcapng([{ interfaces: [{ linkType: LT_ETHERNET }], blocks: epbs(first) }]);
    const tail = writePcapng([{ interfaces: [{ linkType: LT_ETHERNET }], blocks: epbs(after) }]);
    // the tail's own SHB and IDB are 28 + 20 bytes: drop them, keep its EPBs
    const tailEpbs = Buffer.from(tail.subarray(28 + 20));
    tailEpbs.writeUInt32LE(0xfffffff0, 4); // the first of them now claims a 4 GiB block length
    out.push({
      name: 'corrupt-block-length.pcapng',
      what:
        'pcapng: 5 good EPBs (compact session 10.0.0.50:50044 -> 10.0.0.10:16992, SF), then an EPB whose block total length is 0xfffffff0, then 7 more intact EPBs (session 10.0.0.50:50045) ' +
        'that must NOT be reported: 5 frames, then an input error (block length above the limit / trailer mismatch), reading stops',
      bytes: concat(head, tailEpbs),
    });
  }

  // ---------------------------------------------------------------- gzip and disguises
  {
    const cap = simpleSession(50046);
    const pcap = writePcap(cap.records(), { linkType: LT_ETHERNET });
    const gz = gzipSync(pcap, GZIP_OPTS);
    const keep = Math.floor(gz.length * 0.6);
    const cut = gz.subarray(0, keep);
    const frames = completeRecordsInTruncatedGzip(cut);
    out.push({
      name: 'truncated.pcap.gz',
      what: `gzip of an 8-frame pcap (session 10.0.0.50:50046 -> 10.0.0.10:16992, ${pcap.length} bytes) cut after ${keep} of ${gz.length} compressed bytes: ${frames.records} complete frames decompress (${frames.bytes} bytes), then an unexpected end of the gzip stream`,
      bytes: cut,
    });
  }
  {
    const cap = simpleSession(50047);
    const ng = writePcapng([{ interfaces: [{ linkType: LT_ETHERNET, tsresol: 6 }], blocks: cap.recs.map((r) => ({ kind: 'epb' as const, iface: 0, tsNs: r.tsNs, data: r.data })) }]);
    out.push({
      name: 'gzip-pcapng.pcapng.gz',
      what: `gzip-compressed pcapng (${ng.length} bytes inflated): 8 frames, 1 AMT session (SF) 10.0.0.50:50047 -> 10.0.0.10:16992`,
      bytes: gzipSync(ng, GZIP_OPTS),
    });
  }
  {
    const cap = simpleSession(50048);
    const pcap = writePcap(cap.records(), { linkType: LT_ETHERNET });
    out.push({
      name: 'looks-plain.pcap',
      what: `named .pcap but gzip-compressed (magic 1f 8b; detection must go by magic, not name): 8 frames, 1 AMT session (SF) 10.0.0.50:50048 -> 10.0.0.10:16992`,
      bytes: gzipSync(pcap, GZIP_OPTS),
    });
  }
  out.push({
    name: 'not-a-capture.txt',
    what: 'plain text, no capture magic: an input error naming the file (unknown format), no frames',
    bytes: enc('This is not a packet capture.\nGET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n\u0000\u0001\u0002 binary tail \u00ff\n'),
  });
  out.push({ name: 'empty.pcap', what: '0 bytes: an input error (empty file / no header), no frames', bytes: new Uint8Array(0) });

  return out;
}

/** Inflates a cut gzip stream as far as it goes and counts the complete pcap records in it. */
function completeRecordsInTruncatedGzip(gz: Uint8Array): { records: number; bytes: number } {
  const data = gunzipSync(gz, { finishFlush: zc.Z_SYNC_FLUSH });
  let off = 24;
  let n = 0;
  while (off + 16 <= data.length) {
    const caplen = data.readUInt32LE(off + 8);
    if (off + 16 + caplen > data.length) break;
    off += 16 + caplen;
    n++;
  }
  return { records: n, bytes: data.length };
}

// ------------------------------------------------------------------ main

const HERE = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(HERE, '..', 'synthetic');
export const README = join(HERE, 'synthetic.README.md');

function readme(fixtures: readonly Fixture[]): string {
  const lines = [
    '# Synthetic captures',
    '',
    'Made by `npx tsx pcaps/gen/synthetic.ts` (deterministic: rerunning rewrites every file byte-for-byte). Paths are relative to `pcaps/`.',
    'Timestamps start at 2026-01-15T10:00:00Z. Unless a line says otherwise, an AMT session is client 10.0.0.50 or 2001:db8::50 to the AMT host 10.0.0.10 or 2001:db8::10 on 16992',
    'with `GET /index.htm` answered by `HTTP/1.1 401 Unauthorized` (Digest realm `Digest:A4070000000000000000000000000000`, `Server: Intel(R) Active Management Technology 11.8.50.3425`);',
    'an SF session is 8 frames: SYN, SYN-ACK, ACK, GET, 401, FIN, FIN, ACK. Frame counts list what decodePacket must return for each frame',
    '(`tcp`, `not_ip`, `not_tcp` or the anomaly name); test/unit/decode/synthetic-fixtures.test.ts checks every one.',
    '',
    ...fixtures.map((f) => `- \`synthetic/${f.name}\` — made by \`npx tsx pcaps/gen/synthetic.ts\` — ${f.what}`),
    '',
  ];
  return lines.join('\n');
}

function main(): void {
  const fixtures = buildFixtures();
  mkdirSync(OUT_DIR, { recursive: true });
  for (const f of fixtures) writeFileSync(join(OUT_DIR, f.name), f.bytes);
  writeFileSync(README, readme(fixtures));
  process.stdout.write(`wrote ${fixtures.length} files to ${OUT_DIR} and ${README}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
