/** Linux cooked captures: SLL (LINKTYPE_LINUX_SLL, 16 bytes) and SLL2 (LINKTYPE_LINUX_SLL2, 20 bytes). */
import { A_SLL2_TRUNCATED, A_SLL_TRUNCATED } from '../core/anomaly.js';
import { SLL2_HEADER_LEN, SLL_HEADER_LEN, TPID_8021AD, TPID_8021Q, TPID_QINQ_OLD } from './constants.js';
import type { DecodedPacket } from './packet.js';
import { decodeVlan } from './vlan.js';

/**
 * SLL v1: packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
 * The protocol is an EtherType (or a small Linux value for non-Ethernet-II frames); a TPID means the
 * tags were kept in the payload and are walked. Returns the network-layer offset or a negative code.
 */
export function decodeSll(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < SLL_HEADER_LEN) return -A_SLL_TRUNCATED;
  const t = ((buf[off + 14] as number) << 8) | (buf[off + 15] as number);
  out.etherType = t;
  if (t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD) return decodeVlan(buf, off + SLL_HEADER_LEN, end, out);
  return off + SLL_HEADER_LEN;
}

/**
 * SLL v2: protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
 * address length (1), address (8). Same protocol rules as SLL v1.
 */
export function decodeSll2(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < SLL2_HEADER_LEN) return -A_SLL2_TRUNCATED;
  const t = ((buf[off] as number) << 8) | (buf[off + 1] as number);
  out.etherType = t;
  if (t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD) return decodeVlan(buf, off + SLL2_HEADER_LEN, end, out);
  return off + SLL2_HEADER_LEN;
}
