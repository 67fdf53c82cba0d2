/**
 * Wire constants the decoders dispatch on. The LINKTYPE_* values mirror io/frame.ts (decode may import
 * only core, see style.md section 2); test/unit/decode/constants.test.ts keeps the two lists equal.
 */

// ---- link-layer header types (https://www.tcpdump.org/linktypes.html)
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_DLT12 = 12;
export const LINKTYPE_RAW_DLT14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

// ---- EtherTypes
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Values below this are 802.3 length fields, not EtherTypes. */
export const ETHERTYPE_MIN = 0x0600;
/** 802.1Q customer tag. */
export const TPID_8021Q = 0x8100;
/** 802.1ad service tag (QinQ outer). */
export const TPID_8021AD = 0x88a8;
/** Pre-standard QinQ outer tag. */
export const TPID_QINQ_OLD = 0x9100;

// ---- BSD loopback address families (DLT_NULL / DLT_LOOP)
export const BSD_AF_INET = 2;
export const BSD_AF_INET6_LINUX = 10;
export const BSD_AF_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
export const BSD_AF_INET6_FREEBSD = 28;
export const BSD_AF_INET6_DARWIN = 30;

// ---- IP protocol numbers / IPv6 next headers
export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
export const IPPROTO_MOBILITY = 135;

// ---- fixed header sizes
export const ETH_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;
export const SLL_HEADER_LEN = 16;
export const SLL2_HEADER_LEN = 20;
export const NULL_HEADER_LEN = 4;
export const IPV4_HEADER_LEN = 20;
export const IPV6_HEADER_LEN = 40;
export const TCP_HEADER_LEN = 20;
export const UDP_HEADER_LEN = 8;
