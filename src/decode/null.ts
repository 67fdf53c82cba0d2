/** BSD loopback: LINKTYPE_NULL (family in the writer's byte order) and LINKTYPE_LOOP (network order). */
import { A_NULL_BAD_FAMILY, A_NULL_TRUNCATED } from '../core/anomaly.js';
import {
  BSD_AF_INET,
  BSD_AF_INET6_BSD,
  BSD_AF_INET6_DARWIN,
  BSD_AF_INET6_FREEBSD,
  BSD_AF_INET6_LINUX,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  NULL_HEADER_LEN,
} from './constants.js';
import type { DecodedPacket } from './packet.js';

/** EtherType for a BSD address family: 0x0800, 0x86dd, or 0 (not IP). */
function familyEtherType(fam: number): number {
  if (fam === BSD_AF_INET) return ETHERTYPE_IPV4;
  if (fam === BSD_AF_INET6_BSD || fam === BSD_AF_INET6_FREEBSD || fam === BSD_AF_INET6_DARWIN || fam === BSD_AF_INET6_LINUX) {
    return ETHERTYPE_IPV6;
  }
  return 0;
}

/**
 * LINKTYPE_NULL: a 4-byte address family in the byte order of the host that wrote the file, which
 * need not be the file's byte order: a value whose three high bytes are zero is little-endian, one
 * whose three low bytes are zero is big-endian (families are all < 256). Anything else is
 * -A_NULL_BAD_FAMILY. A known non-IP family leaves out.etherType = 0 (not IP, not an anomaly).
 */
export function decodeNull(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < NULL_HEADER_LEN) return -A_NULL_TRUNCATED;
  const b0 = buf[off] as number;
  const b1 = buf[off + 1] as number;
  const b2 = buf[off + 2] as number;
  const b3 = buf[off + 3] as number;
  let fam: number;
  if ((b1 | b2 | b3) === 0) fam = b0;
  else if ((b0 | b1 | b2) === 0) fam = b3;
  else return -A_NULL_BAD_FAMILY;
  out.etherType = familyEtherType(fam);
  return off + NULL_HEADER_LEN;
}

/** LINKTYPE_LOOP (OpenBSD): the family is always in network byte order. */
export function decodeLoop(buf: Uint8Array, off: number, end: number, out: DecodedPacket): number {
  if (end - off < NULL_HEADER_LEN) return -A_NULL_TRUNCATED;
  if (((buf[off] as number) | (buf[off + 1] as number) | (buf[off + 2] as number)) !== 0) return -A_NULL_BAD_FAMILY;
  out.etherType = familyEtherType(buf[off + 3] as number);
  return off + NULL_HEADER_LEN;
}
