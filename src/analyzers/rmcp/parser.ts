/**
 * Pure parsing of one RMCP datagram (UDP 623): the RMCP header, the ASF message header, and the
 * presence pong's data as Intel AMT fills it (amt-protocol.md section 5):
 *
 *   RMCP  [0] version 0x06  [1] reserved  [2] sequence  [3] class (bit 7 ACK; 6 ASF, 7 IPMI, 8 OEM)
 *   ASF   [4..7] IANA 4542  [8] type  [9] tag  [10] reserved  [11] data length, data at [12]
 *   pong data [12..15] OEM IANA (343 Intel)  [16..17] AMT port (0: present, not set up)
 *             [18] version (major << 4 | minor; 0: major/minor in [22]/[23])
 *             [19] bits 0-1 provisioning state (0 pre, 1 in, 2 post), bit 2 both 16992 and 16993
 *             [20] supported entities  [21] supported interactions (bit 5 DASH)  [22..27] reserved
 *
 * IPMI (class 0x07, what BMCs speak on the same port) is recognised by its class and never read as
 * ASF. Nothing here allocates per datagram beyond the result object the caller passes in; nothing
 * throws. Every length is checked against the datagram: `end` is the end of the captured bytes,
 * `wireLen` the datagram's length on the wire (larger when the capture was snapped: lengths that
 * reach into the missing tail make the message partial, not an anomaly).
 */
import { u16be, u32be } from '../../core/bytes.js';
import {
  A_RMCP_ASF_BAD_LENGTH,
  A_RMCP_ASF_TRUNCATED,
  A_RMCP_BAD_VERSION,
  A_RMCP_PONG_SHORT,
  A_RMCP_TRUNCATED,
  ASF_HEADER_LENGTH,
  ASF_IANA,
  ASF_PRESENCE_PONG,
  ASF_TYPE_NAMES,
  INTEL_IANA,
  MSG_ACK,
  MSG_ASF_OEM,
  MSG_IPMI,
  MSG_OEM,
  MSG_UNKNOWN,
  PONG_AMT_PORT,
  PONG_DATA_LENGTH,
  PONG_FLAGS,
  PONG_INTERACTIONS,
  PONG_OEM_IANA,
  PONG_VERSION,
  PONG_VERSION_EXT,
  PROVISIONING_STATES,
  RMCP_CLASS_ACK_BIT,
  RMCP_CLASS_ASF,
  RMCP_CLASS_IPMI,
  RMCP_CLASS_MASK,
  RMCP_CLASS_OEM,
  RMCP_HEADER_LENGTH,
  RMCP_VERSION_1_0,
} from './constants.js';

/** What parseRmcp found. Reused by the caller; every field is reset on each call. */
export interface RmcpMessage {
  seq: number;
  /** The class byte's low 5 bits (6 ASF, 7 IPMI, 8 OEM). */
  cls: number;
  /** The class byte's ACK bit. */
  ack: boolean;
  /** The record's message_type. */
  messageType: string;
  /** ASF: IANA of the message header, type, tag, data length (-1 when not there). */
  asfIana: number;
  asfType: number;
  tag: number;
  dataLen: number;
  /** Pong: OEM IANA (-1 when not there), and for Intel the AMT fields (-1 / null when not there). */
  oemIana: number;
  amtPort: number;
  amtVersion: string | null;
  /** 0 pre, 1 in, 2 post, 3 unknown; -1 when not there. */
  provisioning: number;
  dualPort: number; // -1 unknown, 0, 1
  dash: number; // -1 unknown, 0, 1
  /** Lengths ran past the captured bytes, or the message is shorter than its kind needs. */
  partial: boolean;
  /** 0, or the anomaly id of the first problem of a message that still got parsed. */
  anomaly: number;
}

export function newRmcpMessage(): RmcpMessage {
  return {
    seq: 0,
    cls: 0,
    ack: false,
    messageType: MSG_UNKNOWN,
    asfIana: -1,
    asfType: -1,
    tag: -1,
    dataLen: -1,
    oemIana: -1,
    amtPort: -1,
    amtVersion: null,
    provisioning: -1,
    dualPort: -1,
    dash: -1,
    partial: false,
    anomaly: 0,
  };
}

/** The parse produced a message (fields of `out` are valid, `out.anomaly` may name a problem). */
export const RMCP_OK = 0;

/** The provisioning state name of a pong's state bits, or null. */
export function provisioningStateName(v: number): string | null {
  return v < 0 ? null : (PROVISIONING_STATES[v & 3] ?? null);
}

/** AMT major.minor from the pong's version byte (and the extended bytes when it is 0). */
export function amtVersionOf(v: number, extMajor: number, extMinor: number): string | null {
  if (v !== 0) return `${v >> 4}.${v & 0x0f}`;
  if (extMajor > 0) return `${extMajor}.${extMinor < 0 ? 0 : extMinor}`;
  return null;
}

/**
 * Parses the RMCP datagram payload `buf[off..end)` (captured bytes; `wireLen` bytes on the wire).
 * Returns RMCP_OK with `out` filled, or a negative anomaly id when the bytes are not RMCP at all
 * (-A_RMCP_TRUNCATED: under 4 bytes; -A_RMCP_BAD_VERSION: first byte not 0x06); then no record
 * should be made. Problems inside a recognisable message set out.anomaly and out.partial instead:
 * A_RMCP_ASF_TRUNCATED (ASF header cut), A_RMCP_ASF_BAD_LENGTH (data length past the datagram),
 * A_RMCP_PONG_SHORT (a pong with under 16 data bytes).
 */
export function parseRmcp(buf: Uint8Array, off: number, end: number, wireLen: number, out: RmcpMessage): number {
  if (end > buf.length) end = buf.length;
  if (wireLen < end - off) wireLen = end - off;
  out.seq = 0;
  out.cls = 0;
  out.ack = false;
  out.messageType = MSG_UNKNOWN;
  out.asfIana = -1;
  out.asfType = -1;
  out.tag = -1;
  out.dataLen = -1;
  out.oemIana = -1;
  out.amtPort = -1;
  out.amtVersion = null;
  out.provisioning = -1;
  out.dualPort = -1;
  out.dash = -1;
  out.partial = false;
  out.anomaly = 0;
  const cap = end - off;
  if (cap < RMCP_HEADER_LENGTH) return -A_RMCP_TRUNCATED;
  if (buf[off] !== RMCP_VERSION_1_0) return -A_RMCP_BAD_VERSION;
  out.seq = buf[off + 2] as number;
  const c = buf[off + 3] as number;
  out.cls = c & RMCP_CLASS_MASK;
  out.ack = (c & RMCP_CLASS_ACK_BIT) !== 0;
  if (out.ack) {
    // an RMCP ACK is the 4-byte header alone, echoing the sequence number and class
    out.messageType = MSG_ACK;
    return RMCP_OK;
  }
  if (out.cls === RMCP_CLASS_IPMI) {
    out.messageType = MSG_IPMI; // an IPMI session header follows; not ASF, not decoded
    return RMCP_OK;
  }
  if (out.cls === RMCP_CLASS_OEM) {
    out.messageType = MSG_OEM;
    return RMCP_OK;
  }
  if (out.cls !== RMCP_CLASS_ASF) return RMCP_OK; // another class: 'unknown'

  // ---- ASF message header
  const p = off + RMCP_HEADER_LENGTH;
  const hdrWire = wireLen - RMCP_HEADER_LENGTH;
  const hdrCap = cap - RMCP_HEADER_LENGTH;
  if (hdrCap < ASF_HEADER_LENGTH) {
    out.partial = true;
    if (hdrWire < ASF_HEADER_LENGTH) out.anomaly = A_RMCP_ASF_TRUNCATED;
    // what is there of it: the IANA and the type decide the name
    if (hdrCap >= 4) out.asfIana = u32be(buf, p);
    if (hdrCap >= 5) {
      out.asfType = buf[p + 4] as number;
      out.messageType = out.asfIana === ASF_IANA ? (ASF_TYPE_NAMES[out.asfType] ?? asfHex(out.asfType)) : MSG_ASF_OEM;
    }
    if (hdrCap >= 6) out.tag = buf[p + 5] as number;
    return RMCP_OK;
  }
  out.asfIana = u32be(buf, p);
  out.asfType = buf[p + 4] as number;
  out.tag = buf[p + 5] as number;
  out.dataLen = buf[p + 7] as number;
  out.messageType = out.asfIana === ASF_IANA ? (ASF_TYPE_NAMES[out.asfType] ?? asfHex(out.asfType)) : MSG_ASF_OEM;

  const d = p + ASF_HEADER_LENGTH;
  const dataWire = hdrWire - ASF_HEADER_LENGTH;
  const dataCap = hdrCap - ASF_HEADER_LENGTH;
  if (out.dataLen > dataWire) {
    out.anomaly = A_RMCP_ASF_BAD_LENGTH;
    out.partial = true;
  } else if (out.dataLen > dataCap) out.partial = true; // snapped
  // the data actually present and belonging to the message
  const n = Math.min(out.dataLen, dataCap);

  if (out.asfIana !== ASF_IANA || out.asfType !== ASF_PRESENCE_PONG) return RMCP_OK;

  // ---- presence pong data
  if (out.dataLen < PONG_DATA_LENGTH) {
    out.partial = true;
    if (out.anomaly === 0) out.anomaly = A_RMCP_PONG_SHORT;
  }
  if (n >= 4) out.oemIana = u32be(buf, d + PONG_OEM_IANA);
  if (n > PONG_INTERACTIONS) out.dash = ((buf[d + PONG_INTERACTIONS] as number) & 0x20) !== 0 ? 1 : 0;
  if (out.oemIana !== INTEL_IANA) return RMCP_OK;
  if (n >= PONG_AMT_PORT + 2) out.amtPort = u16be(buf, d + PONG_AMT_PORT);
  if (n > PONG_VERSION) {
    const v = buf[d + PONG_VERSION] as number;
    const extMajor = n > PONG_VERSION_EXT ? (buf[d + PONG_VERSION_EXT] as number) : -1;
    const extMinor = n > PONG_VERSION_EXT + 1 ? (buf[d + PONG_VERSION_EXT + 1] as number) : -1;
    out.amtVersion = amtVersionOf(v, extMajor, extMinor);
  }
  if (n > PONG_FLAGS) {
    const f = buf[d + PONG_FLAGS] as number;
    out.provisioning = f & 3;
    out.dualPort = (f & 4) !== 0 ? 1 : 0;
  }
  return RMCP_OK;
}

const HEX = '0123456789abcdef';
function asfHex(t: number): string {
  return `asf_0x${HEX[(t >> 4) & 15] as string}${HEX[t & 15] as string}`;
}
