/** Raw IP (LINKTYPE_RAW, DLT 12/14): no link header; the version nibble says IPv4 or IPv6. */
import { A_IP_BAD_VERSION, A_IPV4_TRUNCATED } from '../core/anomaly.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './constants.js';
import type { DecodedPacket } from './packet.js';

/**
 * Sets out.etherType from the version nibble and returns `off` (the IP header starts there).
 * An empty frame is -A_IPV4_TRUNCATED (Suricata's DecodeRaw reports IPV4_PKT_TOO_SMALL likewise);
 * a nibble other than 4 or 6 is -A_IP_BAD_VERSION.
 */
export function decodeRaw(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < 1) return -A_IPV4_TRUNCATED;
  const v = (buf[off] as number) >> 4;
  if (v === 4) out.etherType = ETHERTYPE_IPV4;
  else if (v === 6) out.etherType = ETHERTYPE_IPV6;
  else return -A_IP_BAD_VERSION;
  return off;
}
