/** IPv4, checked in Suricata's order (decode-ipv4.c DecodeIPV4Packet). */
import {
  A_IPV4_BAD_VERSION,
  A_IPV4_FRAGMENT,
  A_IPV4_HLEN_TOO_LARGE,
  A_IPV4_HLEN_TOO_SMALL,
  A_IPV4_OPT_MALFORMED,
  A_IPV4_TOTAL_LEN_EXCEEDS_FRAME,
  A_IPV4_TOTAL_LEN_TOO_SMALL,
  A_IPV4_TRUNCATED,
} from '../core/anomaly.js';
import { IPPROTO_TCP, IPV4_HEADER_LEN } from './constants.js';
import { FRAG_FIRST, FRAG_LATER, type DecodedPacket } from './packet.js';

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;

/**
 * Decodes the IPv4 header at `off`; `end` is the end of the captured frame. Checks, in order:
 *   fewer than 20 bytes                 -> -A_IPV4_TRUNCATED
 *   version != 4                        -> -A_IPV4_BAD_VERSION
 *   IHL < 5                             -> -A_IPV4_HLEN_TOO_SMALL
 *   IHL*4 > captured bytes              -> -A_IPV4_HLEN_TOO_LARGE (-A_IPV4_TRUNCATED when the frame
 *                                          was snapped inside a header whose lengths are consistent)
 *   total length < IHL*4 (incl. 0)      -> -A_IPV4_TOTAL_LEN_TOO_SMALL
 *   total length > frame                -> -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME, unless the bytes past the
 *                                          capture are accounted for by out.snapLoss (snapped frame)
 *   a malformed option                  -> -A_IPV4_OPT_MALFORMED
 *   protocol != TCP                     -> fields filled, returns the next offset (caller: NOT_TCP)
 *   TCP fragment (MF or offset != 0)    -> -A_IPV4_FRAGMENT (fields filled, not reassembled)
 *   other fragment                      -> fields filled, ipFrag = FRAG_FIRST (offset 0) or FRAG_LATER
 * On success fills ipVersion, ipOff, ipLen (= total length, so Ethernet padding is dropped), src4,
 * dst4, ttl, ipProto and returns the offset of the transport header.
 */
export function decodeIpv4(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  const avail = end - off;
  if (avail < IPV4_HEADER_LEN) return -A_IPV4_TRUNCATED;
  const vihl = buf[off] as number;
  if (vihl >> 4 !== 4) return -A_IPV4_BAD_VERSION;
  const hlen = (vihl & 0x0f) << 2;
  if (hlen < IPV4_HEADER_LEN) return -A_IPV4_HLEN_TOO_SMALL;
  const total = ((buf[off + 2] as number) << 8) | (buf[off + 3] as number);
  if (hlen > avail) {
    // The header is not all here. A snapped frame whose lengths agree is a capture limit; anything
    // else means the IHL lies.
    return out.snapLoss > 0 && total >= hlen && total <= avail + out.snapLoss ? -A_IPV4_TRUNCATED : -A_IPV4_HLEN_TOO_LARGE;
  }
  if (total < hlen) return -A_IPV4_TOTAL_LEN_TOO_SMALL;
  if (total > avail + out.snapLoss) return -A_IPV4_TOTAL_LEN_EXCEEDS_FRAME;

  if (hlen > IPV4_HEADER_LEN) {
    const oe = off + hlen;
    let o = off + IPV4_HEADER_LEN;
    while (o < oe) {
      const t = buf[o] as number;
      if (t === IPOPT_EOL) break;
      if (t === IPOPT_NOP) {
        o++;
        continue;
      }
      if (oe - o < 2) return -A_IPV4_OPT_MALFORMED;
      const l = buf[o + 1] as number;
      if (l < 2 || l > oe - o) return -A_IPV4_OPT_MALFORMED;
      o += l;
    }
  }

  const proto = buf[off + 9] as number;
  out.ipVersion = 4;
  out.ipOff = off;
  out.ipLen = total;
  out.ttl = buf[off + 8] as number;
  out.ipProto = proto;
  out.src4 =
    (((buf[off + 12] as number) << 24) | ((buf[off + 13] as number) << 16) | ((buf[off + 14] as number) << 8) | (buf[off + 15] as number)) >>> 0;
  out.dst4 =
    (((buf[off + 16] as number) << 24) | ((buf[off + 17] as number) << 16) | ((buf[off + 18] as number) << 8) | (buf[off + 19] as number)) >>> 0;
  // MF flag or a fragment offset: only TCP fragments matter to us (they could carry AMT traffic past
  // a reassembly-less monitor); other protocols' fragments are just "not TCP" (ipFrag says which
  // part, for the UDP decoder).
  const frag = (((buf[off + 6] as number) << 8) | (buf[off + 7] as number)) & 0x3fff;
  if (frag !== 0) {
    if (proto === IPPROTO_TCP) return -A_IPV4_FRAGMENT;
    out.ipFrag = (frag & 0x1fff) === 0 ? FRAG_FIRST : FRAG_LATER;
  }
  return off + hlen;
}
