/**
 * 802.1Q / 802.1ad / 0x9100 tag walk, shared by Ethernet and Linux cooked captures whose protocol
 * field is a TPID.
 */
import { A_VLAN_TOO_MANY_LAYERS, A_VLAN_TRUNCATED } from '../core/anomaly.js';
import { MAX_VLAN_DEPTH } from '../core/limits.js';
import { TPID_8021AD, TPID_8021Q, TPID_QINQ_OLD, VLAN_TAG_LEN } from './constants.js';
import type { DecodedPacket } from './packet.js';

export function isVlanTpid(t: number): boolean {
  return t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD;
}

/**
 * Walks the tags at `off`, the first byte after a TPID that the caller stored in `out.etherType`.
 * Each tag is TCI (2 bytes) + the next EtherType/TPID (2 bytes). Records the outer id in `out.vlan`,
 * the second in `out.innerVlan`, the count in `out.vlanCount`, and leaves the EtherType after the
 * last tag in `out.etherType`. Returns the offset after the last tag, or
 * -A_VLAN_TRUNCATED / -A_VLAN_TOO_MANY_LAYERS (more than MAX_VLAN_DEPTH tags).
 */
export function decodeVlan(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  let o = off;
  let t = out.etherType;
  while (t === TPID_8021Q || t === TPID_8021AD || t === TPID_QINQ_OLD) {
    if (end - o < VLAN_TAG_LEN) return -A_VLAN_TRUNCATED;
    const n = out.vlanCount;
    if (n >= MAX_VLAN_DEPTH) return -A_VLAN_TOO_MANY_LAYERS;
    const vid = (((buf[o] as number) & 0x0f) << 8) | (buf[o + 1] as number);
    if (n === 0) out.vlan = vid;
    else if (n === 1) out.innerVlan = vid;
    out.vlanCount = n + 1;
    t = ((buf[o + 2] as number) << 8) | (buf[o + 3] as number);
    o += VLAN_TAG_LEN;
  }
  out.etherType = t;
  return o;
}
