/**
 * DecodedPacket: the scratch shape decodePacket() fills. Offsets and numbers only, one instance
 * reused for every packet; nothing may keep it past the packet.
 *
 * Result codes of decodePacket (decode/link.ts):
 *   DECODE_TCP (0)       a TCP segment was decoded; every field below is valid
 *   DECODE_NOT_IP (1)    not IPv4/IPv6 (ARP, LLDP, 802.3 frames, ...): not an anomaly
 *   DECODE_NOT_TCP (2)   IP but not TCP (UDP, ICMP, ESP, ...): not an anomaly. With UDP decoding
 *                        asked for (decodePacket's `udp`), UDP gives DECODE_UDP instead, except a
 *                        non-first fragment (no UDP header in it), which stays DECODE_NOT_TCP
 *   DECODE_UDP (3)       (only when asked for) a UDP datagram was decoded: the network-layer fields,
 *                        srcPort, dstPort, udpOff, payloadOff, payloadLen and payloadCapLen are valid;
 *                        ipFrag says whether it is the first fragment of a fragmented datagram
 *   < 0                  -(anomaly id) from core/anomaly.ts: malformed; fields are not valid
 */
export const DECODE_TCP = 0;
export const DECODE_NOT_IP = 1;
export const DECODE_NOT_TCP = 2;
export const DECODE_UDP = 3;

/** ipFrag values: not a fragment, the first fragment (offset 0, more to come), a later fragment. */
export const FRAG_NONE = 0;
export const FRAG_FIRST = 1;
export const FRAG_LATER = 2;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export class DecodedPacket {
  // ---- frame
  /**
   * Bytes of the frame the capture did not keep (wireLen - captured length, never negative).
   * decodePacket sets it; callers of a single decode* function set it themselves. A length field
   * that reaches into these bytes is a snapped capture, not an anomaly.
   */
  snapLoss = 0;

  // ---- link layer
  /**
   * The protocol the link layer announces after any VLAN tags: an EtherType (0x0800, 0x86dd, 0x0806,
   * ...), or a value below 0x0600 for 802.3 length frames. Link types without one (NULL, LOOP, raw IP)
   * get 0x0800 or 0x86dd when the packet is IP, 0 otherwise.
   */
  etherType = 0;
  /** Number of 802.1Q/802.1ad tags walked. */
  vlanCount = 0;
  /** Outer VLAN id (12 bits), or -1 when untagged. */
  vlan = -1;
  /** Inner VLAN id for QinQ, or -1. */
  innerVlan = -1;

  // ---- network layer
  /** 4 or 6. */
  ipVersion = 0;
  /** Offset of the IP header in the buffer. */
  ipOff = 0;
  /**
   * IP packet length on the wire: IPv4 total length, or 40 + IPv6 payload length. This is what
   * Zeek's orig_ip_bytes/resp_ip_bytes sum.
   */
  ipLen = 0;
  /** IPv4 source/destination as unsigned 32-bit numbers (valid when ipVersion === 4). */
  src4 = 0;
  dst4 = 0;
  /** Offsets of the 16-byte IPv6 source/destination in the buffer (valid when ipVersion === 6). */
  src6Off = 0;
  dst6Off = 0;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /**
   * Upper-layer protocol: the IPv4 protocol field, or for IPv6 the next header that ended the
   * extension-header walk (6 TCP, 17 UDP, 58 ICMPv6, 50 ESP, 59 no next header, ...). -1 before IP.
   */
  ipProto = -1;
  /**
   * FRAG_NONE, FRAG_FIRST or FRAG_LATER: set for non-TCP fragments (IPv4 MF/offset, an IPv6 fragment
   * header with offset or M set). TCP fragments are an anomaly instead and never get this far.
   */
  ipFrag = 0;

  // ---- transport layer
  tcpOff = 0;
  /** TCP header length in bytes (data offset * 4), 20..60. */
  tcpHdrLen = 0;
  srcPort = 0;
  dstPort = 0;
  /** Sequence and acknowledgement numbers as unsigned 32-bit numbers. */
  seq = 0;
  ack = 0;
  /** The 8 flag bits (TCP_FIN ... TCP_CWR). */
  flags = 0;
  window = 0;
  /** Offset of the UDP header in the buffer (DECODE_UDP). */
  udpOff = 0;
  /** Offset of the TCP (or UDP) payload in the buffer. */
  payloadOff = 0;
  /**
   * Payload length on the wire, from the IP length (not the captured length). For UDP, from the UDP
   * length field (bounded by the IP length; for a first fragment, what this fragment carries).
   */
  payloadLen = 0;
  /** Payload bytes actually present in the buffer (< payloadLen when the capture was snapped). */
  payloadCapLen = 0;
}
