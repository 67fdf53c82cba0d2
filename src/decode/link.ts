/**
 * decodePacket: one frame, link layer to TCP (and, when asked, UDP), into a reused DecodedPacket.
 * Pure, allocation-free, never throws. Result codes are documented in packet.ts.
 */
import { A_LINK_UNSUPPORTED } from '../core/anomaly.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_DLT12,
  LINKTYPE_RAW_DLT14,
} from './constants.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLoop, decodeNull } from './null.js';
import { DECODE_NOT_IP, DECODE_NOT_TCP, DECODE_TCP, DECODE_UDP, FRAG_LATER, FRAG_NONE, type DecodedPacket } from './packet.js';
import { decodeRaw } from './raw.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

/** True when decodePacket knows `linkType`. */
export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_LINUX_SLL2:
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return true;
    default:
      return false;
  }
}

/**
 * Decodes the frame `buf[off..end)` whose original length on the wire was `wireLen` (pcap orig_len;
 * pass `end - off` when unknown). Returns DECODE_TCP, DECODE_NOT_IP, DECODE_NOT_TCP or
 * -(anomaly id). A frame shorter than `wireLen` was snapped by the capture: length fields that reach
 * into the missing tail are not anomalies, and payloadCapLen < payloadLen.
 * With `udp` (amtwatch --extended-ports), UDP is decoded too: DECODE_UDP or a UDP anomaly instead of
 * DECODE_NOT_TCP (a non-first fragment stays DECODE_NOT_TCP: it has no UDP header). Without it the
 * results are exactly those of a TCP-only decoder.
 */
export function decodePacket(
  buf: Uint8Array,
  off: number,
  end: number,
  wireLen: number,
  linkType: number,
  out: DecodedPacket,
  udp = false,
): number {
  if (end > buf.length) end = buf.length;
  const cap = end - off;
  out.snapLoss = wireLen > cap ? wireLen - cap : 0;
  out.vlanCount = 0;
  out.vlan = -1;
  out.innerVlan = -1;
  out.etherType = 0;
  out.ipVersion = 0;
  out.ipProto = -1;
  out.ipFrag = FRAG_NONE;

  let o: number;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      o = decodeEthernet(buf, off, end, out);
      break;
    case LINKTYPE_LINUX_SLL:
      o = decodeSll(buf, off, end, out);
      break;
    case LINKTYPE_LINUX_SLL2:
      o = decodeSll2(buf, off, end, out);
      break;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
      o = decodeRaw(buf, off, end, out);
      break;
    case LINKTYPE_NULL:
      o = decodeNull(buf, off, end, out);
      break;
    case LINKTYPE_LOOP:
      o = decodeLoop(buf, off, end, out);
      break;
    case LINKTYPE_IPV4:
      out.etherType = ETHERTYPE_IPV4;
      o = off;
      break;
    case LINKTYPE_IPV6:
      out.etherType = ETHERTYPE_IPV6;
      o = off;
      break;
    default:
      return -A_LINK_UNSUPPORTED;
  }
  if (o < 0) return o;

  const et = out.etherType;
  if (et === ETHERTYPE_IPV4) o = decodeIpv4(buf, o, end, out);
  else if (et === ETHERTYPE_IPV6) o = decodeIpv6(buf, o, end, out);
  else return DECODE_NOT_IP;
  if (o < 0) return o;
  const ipEnd = out.ipOff + out.ipLen; // Ethernet padding past the IP length is not TCP's (or UDP's)
  if (out.ipProto !== IPPROTO_TCP) {
    if (!udp || out.ipProto !== IPPROTO_UDP || out.ipFrag === FRAG_LATER) return DECODE_NOT_TCP;
    o = decodeUdp(buf, o, ipEnd < end ? ipEnd : end, out);
    return o < 0 ? o : DECODE_UDP;
  }

  o = decodeTcp(buf, o, ipEnd < end ? ipEnd : end, out);
  return o < 0 ? o : DECODE_TCP;
}
