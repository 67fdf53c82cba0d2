/** TCP header (options are not parsed yet; A_TCP_OPT_MALFORMED is reserved for that walk). */
import { A_TCP_HLEN_TOO_LARGE, A_TCP_HLEN_TOO_SMALL, A_TCP_TRUNCATED } from '../core/anomaly.js';
import { TCP_HEADER_LEN } from './constants.js';
import type { DecodedPacket } from './packet.js';

/**
 * Decodes the TCP header at `off`. `end` is the end of the captured bytes of this segment (already
 * bounded by the IP length); the segment's length on the wire comes from the IP layer
 * (out.ipOff + out.ipLen - off), so decodeIpv4/decodeIpv6 must have run. Checks, in order:
 *   segment (IP length) or captured bytes < 20  -> -A_TCP_TRUNCATED
 *   data offset < 5                             -> -A_TCP_HLEN_TOO_SMALL
 *   data offset * 4 > segment length            -> -A_TCP_HLEN_TOO_LARGE
 *   data offset * 4 > captured bytes (snapped)  -> -A_TCP_TRUNCATED
 * Fills tcpOff, tcpHdrLen, ports, seq/ack (unsigned), flags (byte 13), window, payloadOff,
 * payloadLen (wire) and payloadCapLen (captured, 0..payloadLen). Returns the payload offset.
 */
export function decodeTcp(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  const seg = out.ipOff + out.ipLen - off;
  const avail = end - off;
  if (seg < TCP_HEADER_LEN || avail < TCP_HEADER_LEN) return -A_TCP_TRUNCATED;
  const hl = ((buf[off + 12] as number) >> 4) << 2;
  if (hl < TCP_HEADER_LEN) return -A_TCP_HLEN_TOO_SMALL;
  if (hl > seg) return -A_TCP_HLEN_TOO_LARGE;
  if (hl > avail) return -A_TCP_TRUNCATED;
  out.tcpOff = off;
  out.tcpHdrLen = hl;
  out.srcPort = ((buf[off] as number) << 8) | (buf[off + 1] as number);
  out.dstPort = ((buf[off + 2] as number) << 8) | (buf[off + 3] as number);
  out.seq =
    (((buf[off + 4] as number) << 24) | ((buf[off + 5] as number) << 16) | ((buf[off + 6] as number) << 8) | (buf[off + 7] as number)) >>> 0;
  out.ack =
    (((buf[off + 8] as number) << 24) | ((buf[off + 9] as number) << 16) | ((buf[off + 10] as number) << 8) | (buf[off + 11] as number)) >>> 0;
  out.flags = buf[off + 13] as number;
  out.window = ((buf[off + 14] as number) << 8) | (buf[off + 15] as number);
  const plen = seg - hl;
  const cap = avail - hl;
  out.payloadOff = off + hl;
  out.payloadLen = plen;
  out.payloadCapLen = cap < plen ? cap : plen;
  return off + hl;
}
