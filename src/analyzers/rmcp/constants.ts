/**
 * RMCP / ASF wire constants (amt-protocol.md section 5; DMTF ASF 2.0; Wireshark packet-rmcp.c and
 * packet-asf.c for the message type names) and the analyzer's anomaly codes.
 */
import { registerAnomaly } from '../../core/anomaly.js';
import { IANA_INTEL } from '../../records/index.js';

/** RMCP header: version, reserved, sequence number, class. */
export const RMCP_HEADER_LENGTH = 4;
/** RMCP version 1.0 is encoded as 0x06 (ASF 2.0 section 3.2.2.1). */
export const RMCP_VERSION_1_0 = 0x06;
/** Sequence number 0xff: the sender wants no RMCP ACK. */
export const RMCP_SEQ_NO_ACK = 0xff;
/** Class byte: bit 7 = this is an ACK; bits 0-4 the message class. */
export const RMCP_CLASS_ACK_BIT = 0x80;
export const RMCP_CLASS_MASK = 0x1f;
export const RMCP_CLASS_ASF = 0x06;
export const RMCP_CLASS_IPMI = 0x07;
export const RMCP_CLASS_OEM = 0x08;

/** ASF message header after the RMCP header: IANA (4), type, tag, reserved, data length. */
export const ASF_HEADER_LENGTH = 8;
/** IANA enterprise number of the ASF (DMTF) messages: 4542 = 0x000011BE. */
export const ASF_IANA = 4542;
/** IANA enterprise number of Intel: the OEM IANA of an AMT presence pong. */
export const INTEL_IANA = IANA_INTEL;

export const ASF_RESET = 0x10;
export const ASF_POWER_UP = 0x11;
export const ASF_POWER_DOWN = 0x12;
export const ASF_POWER_CYCLE = 0x13;
export const ASF_PRESENCE_PONG = 0x40;
export const ASF_CAPABILITIES_RESPONSE = 0x41;
export const ASF_SYSTEM_STATE_RESPONSE = 0x42;
export const ASF_OPEN_SESSION_RESPONSE = 0x43;
export const ASF_CLOSE_SESSION_RESPONSE = 0x44;
export const ASF_PRESENCE_PING = 0x80;
export const ASF_CAPABILITIES_REQUEST = 0x81;
export const ASF_SYSTEM_STATE_REQUEST = 0x82;
export const ASF_OPEN_SESSION_REQUEST = 0x83;
export const ASF_CLOSE_SESSION_REQUEST = 0x84;
export const ASF_RAKP_1 = 0xc0;
export const ASF_RAKP_2 = 0xc1;
export const ASF_RAKP_3 = 0xc2;

/** message_type names of the ASF types (DMTF ASF 2.0; Wireshark packet-asf.c). */
export const ASF_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [ASF_RESET]: 'reset',
  [ASF_POWER_UP]: 'power_up',
  [ASF_POWER_DOWN]: 'power_down',
  [ASF_POWER_CYCLE]: 'power_cycle',
  [ASF_PRESENCE_PONG]: 'pong',
  [ASF_CAPABILITIES_RESPONSE]: 'capabilities_response',
  [ASF_SYSTEM_STATE_RESPONSE]: 'system_state_response',
  [ASF_OPEN_SESSION_RESPONSE]: 'open_session_response',
  [ASF_CLOSE_SESSION_RESPONSE]: 'close_session_response',
  [ASF_PRESENCE_PING]: 'ping',
  [ASF_CAPABILITIES_REQUEST]: 'capabilities_request',
  [ASF_SYSTEM_STATE_REQUEST]: 'system_state_request',
  [ASF_OPEN_SESSION_REQUEST]: 'open_session_request',
  [ASF_CLOSE_SESSION_REQUEST]: 'close_session_request',
  [ASF_RAKP_1]: 'rakp_1',
  [ASF_RAKP_2]: 'rakp_2',
  [ASF_RAKP_3]: 'rakp_3',
});

export const MSG_ACK = 'ack';
export const MSG_IPMI = 'ipmi';
export const MSG_OEM = 'oem';
export const MSG_UNKNOWN = 'unknown';
/** An ASF-class message whose IANA is not 4542 (an OEM's own ASF message). */
export const MSG_ASF_OEM = 'asf_oem';

/** The presence pong's data: OEM IANA (4), OEM-defined (4), entities, interactions, reserved (6). */
export const PONG_DATA_LENGTH = 16;
/** Pong data offsets (from the start of the data, i.e. payload offset 12). */
export const PONG_OEM_IANA = 0;
export const PONG_AMT_PORT = 4; // 2 bytes, big-endian: 16992 / 16993, 0 = AMT present but not set up
export const PONG_VERSION = 6; // high nibble major, low nibble minor; 0: see PONG_VERSION_EXT
export const PONG_FLAGS = 7; // bits 0-1 provisioning state, bit 2 both 16992 and 16993 open
export const PONG_ENTITIES = 8;
export const PONG_INTERACTIONS = 9; // bit 5: DASH (AMT 5.1+)
export const PONG_VERSION_EXT = 10; // major, minor (1-based bytes 11/12 of the data) when PONG_VERSION is 0

export const PROVISIONING_STATES: readonly string[] = Object.freeze(['pre', 'in', 'post', 'unknown']);

/** Fewer than 4 bytes on UDP 623: not even an RMCP header. */
export const A_RMCP_TRUNCATED = registerAnomaly('rmcp.truncated');
/** UDP 623 bytes whose first byte is not RMCP version 0x06. */
export const A_RMCP_BAD_VERSION = registerAnomaly('rmcp.bad_version');
/** An ASF message shorter than its 8-byte header. */
export const A_RMCP_ASF_TRUNCATED = registerAnomaly('rmcp.asf_truncated');
/** An ASF data length that runs past the datagram (a lying length; snapped captures excepted). */
export const A_RMCP_ASF_BAD_LENGTH = registerAnomaly('rmcp.asf_bad_length');
/** A presence pong with fewer than 16 data bytes. */
export const A_RMCP_PONG_SHORT = registerAnomaly('rmcp.pong_short');
/** A fragmented datagram on UDP 623 (RMCP messages are at most a few dozen bytes): not analysed. */
export const A_RMCP_FRAGMENT = registerAnomaly('rmcp.fragment');
