/** Ethernet II (LINKTYPE_ETHERNET), with any VLAN tags walked by vlan.ts. */
import { A_ETH_TRUNCATED } from '../core/anomaly.js';
import { ETH_HEADER_LEN, TPID_8021AD, TPID_8021Q, TPID_QINQ_OLD } from './constants.js';
import type { DecodedPacket } from './packet.js';
import { decodeVlan } from './vlan.js';

/**
 * Decodes the 14-byte Ethernet header and any tags after it. Leaves the EtherType (or 802.3 length,
 * < 0x0600) in `out.etherType` and returns the offset of the network-layer header, or a negative
 * anomaly code (A_ETH_TRUNCATED, A_VLAN_*).
 */
export function decodeEthernet(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < ETH_HEADER_LEN) return -A_ETH_TRUNCATED;
  const t = ((buf[off + 12] as number) << 8) | (buf[off + 13] as number);
  out.etherType = t;
  if (t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD) return decodeVlan(buf, off + ETH_HEADER_LEN, end, out);
  return off + ETH_HEADER_LEN;
}
