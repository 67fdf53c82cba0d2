/**
 * Anomaly codes: dotted, lowercase, `<layer>.<proto>.<what>`, never renamed once shipped
 * (Suricata decode-events.c style). Each has a small integer id so the hot path can return
 * `-id` from a decoder and bump a typed-array counter without allocating.
 *
 * Append new codes at the end of ANOMALY_NAMES; never reorder (ids are positional).
 */
export const ANOMALY_NAMES = [
  '', // 0 is not an anomaly
  'decode.link.unsupported', // 1
  'decode.eth.truncated', // 2
  'decode.vlan.truncated', // 3
  'decode.vlan.too_many_layers', // 4
  'decode.sll.truncated', // 5
  'decode.sll2.truncated', // 6
  'decode.null.truncated', // 7
  'decode.null.bad_family', // 8
  'decode.ip.bad_version', // 9
  'decode.ipv4.truncated', // 10
  'decode.ipv4.bad_version', // 11
  'decode.ipv4.hlen_too_small', // 12
  'decode.ipv4.hlen_too_large', // 13
  'decode.ipv4.total_len_too_small', // 14
  'decode.ipv4.total_len_exceeds_frame', // 15
  'decode.ipv4.fragment', // 16
  'decode.ipv4.opt_malformed', // 17
  'decode.ipv6.truncated', // 18
  'decode.ipv6.bad_version', // 19
  'decode.ipv6.payload_len_exceeds_frame', // 20
  'decode.ipv6.ext_truncated', // 21
  'decode.ipv6.ext_too_many', // 22
  'decode.ipv6.fragment', // 23
  'decode.tcp.truncated', // 24
  'decode.tcp.hlen_too_small', // 25
  'decode.tcp.hlen_too_large', // 26
  'decode.tcp.opt_malformed', // 27
  'session.limit.table_full', // 28
  'session.limit.history', // 29
  'session.limit.seq_ranges', // 30
  'session.tcp.syn_inside_connection', // 31
  'session.tcp.seq_jump', // 32
  'internal.decoder_bug', // 33
  'decode.udp.truncated', // 34
  'decode.udp.len_too_small', // 35
  'decode.udp.len_exceeds_ip', // 36
] as const;

export type AnomalyName = (typeof ANOMALY_NAMES)[number];

export const A_LINK_UNSUPPORTED = 1;
export const A_ETH_TRUNCATED = 2;
export const A_VLAN_TRUNCATED = 3;
export const A_VLAN_TOO_MANY_LAYERS = 4;
export const A_SLL_TRUNCATED = 5;
export const A_SLL2_TRUNCATED = 6;
export const A_NULL_TRUNCATED = 7;
export const A_NULL_BAD_FAMILY = 8;
export const A_IP_BAD_VERSION = 9;
export const A_IPV4_TRUNCATED = 10;
export const A_IPV4_BAD_VERSION = 11;
export const A_IPV4_HLEN_TOO_SMALL = 12;
export const A_IPV4_HLEN_TOO_LARGE = 13;
export const A_IPV4_TOTAL_LEN_TOO_SMALL = 14;
export const A_IPV4_TOTAL_LEN_EXCEEDS_FRAME = 15;
export const A_IPV4_FRAGMENT = 16;
export const A_IPV4_OPT_MALFORMED = 17;
export const A_IPV6_TRUNCATED = 18;
export const A_IPV6_BAD_VERSION = 19;
export const A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME = 20;
export const A_IPV6_EXT_TRUNCATED = 21;
export const A_IPV6_EXT_TOO_MANY = 22;
export const A_IPV6_FRAGMENT = 23;
export const A_TCP_TRUNCATED = 24;
export const A_TCP_HLEN_TOO_SMALL = 25;
export const A_TCP_HLEN_TOO_LARGE = 26;
export const A_TCP_OPT_MALFORMED = 27;
export const A_SESSION_TABLE_FULL = 28;
export const A_SESSION_HISTORY_LIMIT = 29;
export const A_SESSION_SEQ_RANGES_LIMIT = 30;
export const A_SESSION_SYN_INSIDE_CONNECTION = 31;
export const A_SESSION_SEQ_JUMP = 32;
export const A_INTERNAL_DECODER_BUG = 33;
export const A_UDP_TRUNCATED = 34;
export const A_UDP_LEN_TOO_SMALL = 35;
export const A_UDP_LEN_EXCEEDS_IP = 36;

/**
 * Codes registered by analyzers at module load (`export const A_X = registerAnomaly('http.x')`).
 * Names are the stable contract; ids are positions, assigned in import order.
 */
const EXTRA_NAMES: string[] = [];

export function registerAnomaly(name: string): number {
  const base = (ANOMALY_NAMES as readonly string[]).indexOf(name);
  if (base > 0) return base;
  const i = EXTRA_NAMES.indexOf(name);
  if (i >= 0) return ANOMALY_NAMES.length + i;
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(name)) throw new Error(`bad anomaly name ${name}`);
  EXTRA_NAMES.push(name);
  return ANOMALY_NAMES.length + EXTRA_NAMES.length - 1;
}

/** Counters indexed by anomaly id. One instance per run; shared by every stage through app/. */
export class AnomalyCounters {
  counts = new Float64Array(ANOMALY_NAMES.length + EXTRA_NAMES.length + 64);

  bump(id: number, n = 1): void {
    if (id <= 0 || id >= ANOMALY_NAMES.length + EXTRA_NAMES.length) return;
    if (id >= this.counts.length) {
      // a code registered after this counter was made (a lazily loaded analyzer): grow, never drop
      const bigger = new Float64Array(ANOMALY_NAMES.length + EXTRA_NAMES.length + 64);
      bigger.set(this.counts);
      this.counts = bigger;
    }
    this.counts[id] = (this.counts[id] ?? 0) + n;
  }

  get(id: number): number {
    return this.counts[id] ?? 0;
  }

  total(): number {
    let t = 0;
    for (let i = 1; i < this.counts.length; i++) t += this.counts[i] ?? 0;
    return t;
  }

  /** Non-zero counters by name, in id order. */
  toObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 1; i < this.counts.length; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) out[anomalyName(i)] = c;
    }
    return out;
  }
}

export function anomalyName(id: number): string {
  return ANOMALY_NAMES[id] ?? EXTRA_NAMES[id - ANOMALY_NAMES.length] ?? `unknown.${id}`;
}
