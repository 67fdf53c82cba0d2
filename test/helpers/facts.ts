/**
 * Builds DecodedPacket facts directly (no decoding), so session tests exercise the session layer
 * alone. IPv6 addresses live in a buffer the returned packet points into.
 */
import { DecodedPacket } from '../../src/decode/packet.js';
import { ip4, ip6 } from '../../pcaps/gen/lib/packets.js';

export interface PktSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq?: number;
  ack?: number;
  len?: number;
  window?: number;
  vlan?: number;
  innerVlan?: number;
}

export function pkt(s: PktSpec): { p: DecodedPacket; buf: Uint8Array } {
  const p = new DecodedPacket();
  const v6 = s.src.includes(':');
  const buf = new Uint8Array(64);
  p.ipVersion = v6 ? 6 : 4;
  if (v6) {
    buf.set(ip6(s.src), 8);
    buf.set(ip6(s.dst), 24);
    p.src6Off = 8;
    p.dst6Off = 24;
  } else {
    const a = ip4(s.src);
    const b = ip4(s.dst);
    p.src4 = ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
    p.dst4 = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }
  const len = s.len ?? 0;
  p.srcPort = s.sport;
  p.dstPort = s.dport;
  p.flags = s.flags;
  p.seq = (s.seq ?? 0) >>> 0;
  p.ack = (s.ack ?? 0) >>> 0;
  p.window = s.window ?? 65535;
  p.payloadLen = len;
  p.payloadCapLen = len;
  p.tcpHdrLen = 20;
  p.ipLen = (v6 ? 40 : 20) + 20 + len;
  p.vlan = s.vlan ?? -1;
  p.innerVlan = s.innerVlan ?? -1;
  return { p, buf };
}

/** A scripted conversation that hands out sequence numbers, like TcpConversation but as facts. */
export class Conv {
  cseq: number;
  sseq: number;
  constructor(
    readonly c: string,
    readonly s: string,
    readonly cport: number,
    readonly sport: number,
    cisn = 1000,
    sisn = 5000,
    readonly vlan?: number,
  ) {
    this.cseq = cisn;
    this.sseq = sisn;
  }
  private mk(fromClient: boolean, flags: number, len: number, advance = true) {
    const r = pkt({
      src: fromClient ? this.c : this.s,
      dst: fromClient ? this.s : this.c,
      sport: fromClient ? this.cport : this.sport,
      dport: fromClient ? this.sport : this.cport,
      flags,
      seq: fromClient ? this.cseq : this.sseq,
      ack: flags & 0x10 ? (fromClient ? this.sseq : this.cseq) : 0,
      len,
      ...(this.vlan !== undefined ? { vlan: this.vlan } : {}),
    });
    if (advance) {
      const adv = len + (flags & 0x02 ? 1 : 0) + (flags & 0x01 ? 1 : 0);
      if (fromClient) this.cseq = (this.cseq + adv) >>> 0;
      else this.sseq = (this.sseq + adv) >>> 0;
    }
    return r;
  }
  /** From the client. */
  C(flags: number, len = 0) {
    return this.mk(true, flags, len);
  }
  /** From the server. */
  S(flags: number, len = 0) {
    return this.mk(false, flags, len);
  }
  /** Skips `n` bytes of the client's stream (as if a segment was lost). */
  skipC(n: number) {
    this.cseq = (this.cseq + n) >>> 0;
  }
  skipS(n: number) {
    this.sseq = (this.sseq + n) >>> 0;
  }
}

export const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };
