/** UDP header (decoded only when decodePacket is asked to: amtwatch --extended-ports, for RMCP on 623). */
import { A_UDP_LEN_EXCEEDS_IP, A_UDP_LEN_TOO_SMALL, A_UDP_TRUNCATED } from '../core/anomaly.js';
import { UDP_HEADER_LEN } from './constants.js';
import { FRAG_FIRST, type DecodedPacket } from './packet.js';

/**
 * Decodes the UDP header at `off`. `end` is the end of the captured bytes of this datagram (already
 * bounded by the IP length); its length on the wire comes from the IP layer (out.ipOff + out.ipLen -
 * off), so decodeIpv4/decodeIpv6 must have run. Checks, in order:
 *   IP payload or captured bytes < 8            -> -A_UDP_TRUNCATED (a snapped frame, or an IP length
 *                                                  too short for any UDP header)
 *   UDP length < 8                              -> -A_UDP_LEN_TOO_SMALL
 *   UDP length > IP payload (not a fragment)    -> -A_UDP_LEN_EXCEEDS_IP (the length lies)
 * A UDP length below the IP payload is not an anomaly: the bytes after it are not UDP's (like
 * Ethernet padding after the IP length). The first fragment of a fragmented datagram (out.ipFrag ===
 * FRAG_FIRST) carries only part of it: its length may exceed this packet, and payloadLen is what
 * this packet carries. Fills udpOff, srcPort, dstPort, payloadOff, payloadLen (wire) and payloadCapLen
 * (captured, 0..payloadLen). Returns the payload offset. Pure; never throws.
 */
export function decodeUdp(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  const seg = out.ipOff + out.ipLen - off;
  const avail = end - off;
  if (seg < UDP_HEADER_LEN || avail < UDP_HEADER_LEN) return -A_UDP_TRUNCATED;
  const ulen = ((buf[off + 4] as number) << 8) | (buf[off + 5] as number);
  if (ulen < UDP_HEADER_LEN) return -A_UDP_LEN_TOO_SMALL;
  let wire = ulen;
  if (ulen > seg) {
    if (out.ipFrag !== FRAG_FIRST) return -A_UDP_LEN_EXCEEDS_IP;
    wire = seg;
  }
  out.udpOff = off;
  out.srcPort = ((buf[off] as number) << 8) | (buf[off + 1] as number);
  out.dstPort = ((buf[off + 2] as number) << 8) | (buf[off + 3] as number);
  const plen = wire - UDP_HEADER_LEN;
  const cap = avail - UDP_HEADER_LEN;
  out.payloadOff = off + UDP_HEADER_LEN;
  out.payloadLen = plen;
  out.payloadCapLen = cap < plen ? cap : plen;
  return off + UDP_HEADER_LEN;
}
