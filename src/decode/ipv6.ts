/** IPv6 with the extension-header walk bounded by the payload length. */
import {
  A_IPV6_BAD_VERSION,
  A_IPV6_EXT_TOO_MANY,
  A_IPV6_EXT_TRUNCATED,
  A_IPV6_FRAGMENT,
  A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME,
  A_IPV6_TRUNCATED,
} from '../core/anomaly.js';
import { MAX_IPV6_EXT_HEADERS } from '../core/limits.js';
import {
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_MOBILITY,
  IPPROTO_ROUTING,
  IPPROTO_TCP,
  IPV6_HEADER_LEN,
} from './constants.js';
import { FRAG_FIRST, FRAG_LATER, type DecodedPacket } from './packet.js';

const FRAG_HEADER_LEN = 8;

/**
 * Decodes the IPv6 header at `off` and walks hop-by-hop (0), routing (43), destination options (60),
 * mobility (135), AH (51) and fragment (44) headers. Checks, in order:
 *   fewer than 40 bytes                          -> -A_IPV6_TRUNCATED
 *   version != 6                                 -> -A_IPV6_BAD_VERSION
 *   40 + payload length > frame (+ snapLoss)     -> -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME
 *   more than MAX_IPV6_EXT_HEADERS extensions    -> -A_IPV6_EXT_TOO_MANY
 *   an extension running past the payload length -> -A_IPV6_EXT_TRUNCATED (a jumbogram, payload
 *                                                   length 0 + hop-by-hop, lands here too)
 *   an extension running past the captured bytes
 *     of a snapped frame (lengths consistent)    -> -A_IPV6_TRUNCATED
 *   a fragment header (offset or M set) before
 *     TCP or another extension                   -> -A_IPV6_FRAGMENT (fields filled)
 * A fragment of another protocol ends the walk with ipFrag = FRAG_FIRST (offset 0) or FRAG_LATER.
 * Atomic fragments (offset 0, M clear; RFC 6946) are whole packets and are walked through. ESP (50),
 * no-next-header (59) and every other protocol end the walk: the caller sees ipProto != 6.
 * Fills ipVersion, ipOff, ipLen (= 40 + payload length), src6Off, dst6Off, ttl (hop limit), ipProto
 * and returns the offset of the upper-layer header.
 */
export function decodeIpv6(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  const avail = end - off;
  if (avail < IPV6_HEADER_LEN) return -A_IPV6_TRUNCATED;
  if ((buf[off] as number) >> 4 !== 6) return -A_IPV6_BAD_VERSION;
  const plen = ((buf[off + 4] as number) << 8) | (buf[off + 5] as number);
  if (IPV6_HEADER_LEN + plen > avail + out.snapLoss) return -A_IPV6_PAYLOAD_LEN_EXCEEDS_FRAME;
  out.ipVersion = 6;
  out.ipOff = off;
  out.ipLen = IPV6_HEADER_LEN + plen;
  out.src6Off = off + 8;
  out.dst6Off = off + 24;
  out.ttl = buf[off + 7] as number;

  const pe = off + IPV6_HEADER_LEN + plen; // end of the packet on the wire
  const ce = pe < end ? pe : end; // end of what was captured of it
  let nh = buf[off + 6] as number;
  let o = off + IPV6_HEADER_LEN;
  let n = 0;
  for (;;) {
    let hl: number;
    if (nh === IPPROTO_HOPOPTS || nh === IPPROTO_ROUTING || nh === IPPROTO_DSTOPTS || nh === IPPROTO_MOBILITY) {
      if (n >= MAX_IPV6_EXT_HEADERS) return -A_IPV6_EXT_TOO_MANY;
      if (pe - o < 2) return -A_IPV6_EXT_TRUNCATED;
      if (ce - o < 2) return -A_IPV6_TRUNCATED;
      hl = ((buf[o + 1] as number) + 1) << 3;
    } else if (nh === IPPROTO_AH) {
      if (n >= MAX_IPV6_EXT_HEADERS) return -A_IPV6_EXT_TOO_MANY;
      if (pe - o < 2) return -A_IPV6_EXT_TRUNCATED;
      if (ce - o < 2) return -A_IPV6_TRUNCATED;
      hl = ((buf[o + 1] as number) + 2) << 2;
    } else if (nh === IPPROTO_FRAGMENT) {
      if (n >= MAX_IPV6_EXT_HEADERS) return -A_IPV6_EXT_TOO_MANY;
      if (pe - o < FRAG_HEADER_LEN) return -A_IPV6_EXT_TRUNCATED;
      if (ce - o < FRAG_HEADER_LEN) return -A_IPV6_TRUNCATED;
      const next = buf[o] as number;
      // fragment offset (13 bits) and M flag; zero means an atomic fragment: a whole packet.
      if (((((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) & 0xfff9) !== 0) {
        if (
          next === IPPROTO_TCP ||
          next === IPPROTO_HOPOPTS ||
          next === IPPROTO_ROUTING ||
          next === IPPROTO_DSTOPTS ||
          next === IPPROTO_MOBILITY ||
          next === IPPROTO_AH ||
          next === IPPROTO_FRAGMENT
        ) {
          out.ipProto = next;
          return -A_IPV6_FRAGMENT;
        }
        out.ipProto = next; // a UDP/ICMPv6/ESP/... fragment: not TCP (ipFrag says which part)
        out.ipFrag = (((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) >> 3 === 0 ? FRAG_FIRST : FRAG_LATER;
        return o + FRAG_HEADER_LEN;
      }
      hl = FRAG_HEADER_LEN;
    } else {
      break;
    }
    if (hl > pe - o) return -A_IPV6_EXT_TRUNCATED;
    if (hl > ce - o) return -A_IPV6_TRUNCATED;
    nh = buf[o] as number;
    o += hl;
    n++;
  }
  out.ipProto = nh;
  return o;
}
