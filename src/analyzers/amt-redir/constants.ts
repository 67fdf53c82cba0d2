/**
 * Intel AMT redirection protocol (TCP 16994, and the same bytes inside the /ws-redirection WebSocket):
 * message types, per-type wire lengths, auth types and statuses, and this analyzer's anomaly codes.
 *
 * Sources (amt-protocol.md section 4): kraxel/amtterm RedirectionConstants.h, redir.c, redir.h, auth.c;
 * Ylianst/MeshCommander amt-redir-ws-0.1.0.js, amt-ider-ws-0.0.1.js, amt-desktop-0.0.2.js.
 * There is no generic length field: every length below is a per-type rule.
 */
import { registerAnomaly } from '../../core/anomaly.js';

// ------------------------------------------------------------------ session manager (0x10-0x14)
export const START_REDIRECTION_SESSION = 0x10;
export const START_REDIRECTION_SESSION_REPLY = 0x11;
export const END_REDIRECTION_SESSION = 0x12;
export const AUTHENTICATE_SESSION = 0x13;
export const AUTHENTICATE_SESSION_REPLY = 0x14;

export const START_REDIRECTION_SESSION_LENGTH = 8;
/** 13 + N, N = OEM data length at byte 12. */
export const START_REDIRECTION_SESSION_REPLY_LENGTH = 13;
export const END_REDIRECTION_SESSION_LENGTH = 4;
/** 9 + L, L = uint32 LE at bytes 5..8 (both 0x13 and 0x14). */
export const AUTHENTICATE_HEADER_LENGTH = 9;

// ------------------------------------------------------------------ SOL (0x20-0x2B)
export const START_SOL_REDIRECTION = 0x20;
export const START_SOL_REDIRECTION_REPLY = 0x21;
export const END_SOL_REDIRECTION = 0x22;
export const END_SOL_REDIRECTION_REPLY = 0x23;
export const SOL_KEEP_ALIVE_PING = 0x24;
export const SOL_KEEP_ALIVE_PONG = 0x25;
/** Unnamed; MeshCommander sends it right after 0x21: `27 00 00 00 <seq> 00 00 1B 00 00 00`. */
export const SOL_UNNAMED_27 = 0x27;
export const SOL_DATA_TO_HOST = 0x28;
export const SOL_CONTROLS_FROM_HOST = 0x29;
export const SOL_DATA_FROM_HOST = 0x2a;
export const SOL_HEARTBEAT = 0x2b;

export const START_SOL_REDIRECTION_LENGTH = 24;
/**
 * amtterm's RedirectionConstants.h: "There is a OEM Defined data field that we are assuming to be
 * 0 bytes". amtterm, MeshCommander and the device-management-toolkit Go client all frame it as 23.
 */
export const START_SOL_REDIRECTION_REPLY_LENGTH = 23;
export const SOL_SHORT_LENGTH = 8; // 0x22 0x23 0x24 0x25 0x2B
export const SOL_UNNAMED_27_LENGTH = 14;
export const SOL_CONTROLS_FROM_HOST_LENGTH = 10;
/** 0x28 / 0x2A: 10-byte header, n = uint16 LE at bytes 8..9, then n data bytes. */
export const SOL_DATA_HEADER_LENGTH = 10;

// ------------------------------------------------------------------ IDE-R (0x40-0x54) and KVM (0x40/0x41)
export const START_IDER_REDIRECTION = 0x40; // also KVM start (8 bytes)
export const START_IDER_REDIRECTION_REPLY = 0x41; // also KVM start reply (8 bytes, then raw RFB)
export const END_IDER_REDIRECTION = 0x42;
export const END_IDER_REDIRECTION_REPLY = 0x43;
export const IDER_KEEP_ALIVE_PING = 0x44;
export const IDER_KEEP_ALIVE_PONG = 0x45;
export const IDER_RESET_OCCURED = 0x46;
export const IDER_RESET_OCCURED_RESPONSE = 0x47;
export const IDER_DISABLE_ENABLE_FEATURES = 0x48;
export const IDER_DISABLE_ENABLE_FEATURES_REPLY = 0x49;
export const IDER_ERROR_OCCURED = 0x4a;
export const IDER_HEARTBEAT = 0x4b;
export const IDER_COMMAND_WRITTEN = 0x50;
export const IDER_COMMAND_END_RESPONSE = 0x51;
export const IDER_GET_DATA_FROM_HOST = 0x52;
export const IDER_DATA_FROM_HOST = 0x53;
export const IDER_DATA_TO_HOST = 0x54;

export const KVM_START_LENGTH = 8; // 0x40 and 0x41 in a KVM session
export const START_IDER_REDIRECTION_LENGTH = 18;
/** 30 + N, N = OEM length at byte 29 (MeshCommander; amtterm assumes N = 0). */
export const START_IDER_REDIRECTION_REPLY_LENGTH = 30;
export const IDER_SHORT_LENGTH = 8; // 0x42 0x43 0x44 0x45 0x47 0x4B
export const IDER_RESET_OCCURED_LENGTH = 9;
/**
 * amtterm IDER_DISABLE_ENABLE_FEATURES_LENGTH (sub-command 3 + 4-byte value). MeshCommander's
 * sender could emit 9 bytes for sub-commands 1/2 but never does (those calls are commented out).
 */
export const IDER_DISABLE_ENABLE_FEATURES_LENGTH = 13;
export const IDER_DISABLE_ENABLE_FEATURES_REPLY_LENGTH = 13;
export const IDER_ERROR_OCCURED_LENGTH = 11; // MeshCommander
export const IDER_COMMAND_WRITTEN_LENGTH = 28;
export const IDER_COMMAND_END_RESPONSE_LENGTH = 31;
export const IDER_GET_DATA_FROM_HOST_LENGTH = 31;
/** 0x53: 14-byte header, data length uint16 LE at bytes 9..10 (MeshCommander; amtterm reads 8..9 with a 10-byte header). */
export const IDER_DATA_FROM_HOST_HEADER_LENGTH = 14;
/** 0x54: 34-byte header (amtterm struct ider_data_to_host_message), transfer bytes uint16 LE at 9..10. */
export const IDER_DATA_TO_HOST_HEADER_LENGTH = 34;

// ------------------------------------------------------------------ session tags (bytes 4..7 of 0x10)
/** Session kinds used for framing; 0 = not known (no 0x10 seen). */
export const KIND_UNKNOWN = 0;
export const KIND_SOL = 1;
export const KIND_IDER = 2;
export const KIND_KVM = 3;
export type SessionKind = 0 | 1 | 2 | 3;

export type RedirSessionType = 'SOL' | 'IDER' | 'KVM';
export const KIND_NAMES: readonly (RedirSessionType | null)[] = [null, 'SOL', 'IDER', 'KVM'];

/** "SOL ", "IDER", "KVMR" as read big-endian from bytes 4..7. */
export const TAG_SOL = 0x534f4c20;
export const TAG_IDER = 0x49444552;
export const TAG_KVMR = 0x4b564d52;

// ------------------------------------------------------------------ authentication
export const AUTH_QUERY = 0;
export const AUTH_USERPASS = 1;
export const AUTH_KERBEROS = 2;
export const AUTH_DIGEST_RFC2069 = 3;
export const AUTH_DIGEST = 4;

/** Record names of auth types (AmtRedirRecord.auth_types_offered / auth_type). */
export function authTypeName(t: number): string {
  switch (t) {
    case AUTH_QUERY:
      return 'query';
    case AUTH_USERPASS:
      return 'userpass';
    case AUTH_KERBEROS:
      return 'kerberos';
    case AUTH_DIGEST_RFC2069:
      return 'digest_rfc2069';
    case AUTH_DIGEST:
      return 'digest';
    default:
      return `type_${t}`;
  }
}

export const AUTH_STATUS_SUCCESS = 0;
/** Also the status of the digest challenge that answers the empty step-1 request. */
export const AUTH_STATUS_FAILURE = 1;
export const AUTH_STATUS_NOT_SUPPORTED = 2;

export const AUTH_RESULT_SUCCESS = 'success';
export const AUTH_RESULT_FAILURE = 'failure';
export const AUTH_RESULT_NOT_SUPPORTED = 'not_supported';

/** The digest URI every known client uses (amtterm auth.c, MeshCommander). */
export const REDIRECTION_URI = '/RedirectionService';

/** Order of the length-prefixed strings in a type 3/4 AuthenticateSession (type 3 has no qop). */
export const DIGEST_FIELDS = ['user', 'realm', 'nonce', 'uri', 'cnonce', 'nc', 'response', 'qop'] as const;

// ------------------------------------------------------------------ directions
/** Bit 0: client -> AMT (direction 0); bit 1: AMT -> client (direction 1). */
export const DIR_C = 1;
export const DIR_A = 2;
export const DIR_BOTH = 3;

/**
 * Direction each type may travel in. Keep-alives and heartbeats are allowed both ways: amtterm
 * echoes the AMT's 0x24/0x44 pings back unchanged (redir.c), MeshCommander sends 0x2B itself.
 */
export function messageDirections(type: number): number {
  switch (type) {
    case START_REDIRECTION_SESSION:
    case END_REDIRECTION_SESSION:
    case AUTHENTICATE_SESSION:
    case START_SOL_REDIRECTION:
    case SOL_UNNAMED_27:
    case SOL_DATA_TO_HOST:
    case START_IDER_REDIRECTION:
    case END_IDER_REDIRECTION:
    case IDER_RESET_OCCURED_RESPONSE:
    case IDER_DISABLE_ENABLE_FEATURES:
    case IDER_COMMAND_END_RESPONSE:
    case IDER_GET_DATA_FROM_HOST:
    case IDER_DATA_TO_HOST:
      return DIR_C;
    case START_REDIRECTION_SESSION_REPLY:
    case AUTHENTICATE_SESSION_REPLY:
    case START_SOL_REDIRECTION_REPLY:
    case SOL_CONTROLS_FROM_HOST:
    case SOL_DATA_FROM_HOST:
    case START_IDER_REDIRECTION_REPLY:
    case END_IDER_REDIRECTION_REPLY:
    case IDER_RESET_OCCURED:
    case IDER_DISABLE_ENABLE_FEATURES_REPLY:
    case IDER_ERROR_OCCURED:
    case IDER_COMMAND_WRITTEN:
    case IDER_DATA_FROM_HOST:
      return DIR_A;
    case END_SOL_REDIRECTION:
    case END_SOL_REDIRECTION_REPLY:
    case SOL_KEEP_ALIVE_PING:
    case SOL_KEEP_ALIVE_PONG:
    case SOL_HEARTBEAT:
    case IDER_KEEP_ALIVE_PING:
    case IDER_KEEP_ALIVE_PONG:
    case IDER_HEARTBEAT:
      return DIR_BOTH;
    default:
      return 0;
  }
}

// ------------------------------------------------------------------ RFB (KVM after 0x41)
/** "RFB xxx.yyy\n" */
export const RFB_VERSION_LENGTH = 12;
export const RFB_SECURITY_INVALID = 0;
export const RFB_SECURITY_NONE = 1;
export const RFB_SECURITY_VNC = 2;
export const RFB_VNC_CHALLENGE_LENGTH = 16;
/** ServerInit before the name: width, height, 16-byte pixel format, 4-byte name length. */
export const RFB_SERVER_INIT_LENGTH = 24;
/** The AMT KVM server's desktop name (noVNC and KRDC special-case it). */
export const AMT_KVM_DESKTOP_NAME = 'Intel(r) AMT KVM';

// ------------------------------------------------------------------ transcript markers
/** Written before keystrokes (0x28 payload) and console output (0x2A payload) at each direction change. */
export const TRANSCRIPT_INPUT_MARK = '[>] ';
export const TRANSCRIPT_OUTPUT_MARK = '[<] ';

// ------------------------------------------------------------------ anomaly codes
/** A message type this analyzer does not know (for the session kind), at a position framing expected one. */
export const A_REDIR_UNKNOWN_TYPE = registerAnomaly('amt_redir.unknown_type');
/** A known type in the direction it never travels (client->AMT vs AMT->client). */
export const A_REDIR_WRONG_DIRECTION = registerAnomaly('amt_redir.wrong_direction');
/** A message whose length (9+L, 13+N ...) exceeds maxRedirMessageBytes. */
export const A_REDIR_MESSAGE_TOO_LONG = registerAnomaly('amt_redir.message_too_long');
/** Bytes skipped while looking for the next plausible message start after a framing failure or gap. */
export const A_REDIR_RESYNC = registerAnomaly('amt_redir.resync');
/** A gap that broke framing (not inside a data payload that could be skipped by count). */
export const A_REDIR_GAP_LOST_FRAMING = registerAnomaly('amt_redir.gap_lost_framing');
/** The session ended in the middle of a message (header or data payload). */
export const A_REDIR_TRUNCATED = registerAnomaly('amt_redir.truncated');
/** StartRedirectionSession with a tag other than "SOL ", "IDER", "KVMR". */
export const A_REDIR_UNKNOWN_SESSION_TAG = registerAnomaly('amt_redir.unknown_session_tag');
/** A second StartRedirectionSession in one stream. */
export const A_REDIR_DUPLICATE_START = registerAnomaly('amt_redir.duplicate_start');
/** A length-prefixed auth string runs past the message's L (and end). */
export const A_REDIR_AUTH_STRING_OVERFLOW = registerAnomaly('amt_redir.auth_string_overflow');
/** Bytes left in an auth payload after its last expected string. */
export const A_REDIR_AUTH_TRAILING_BYTES = registerAnomaly('amt_redir.auth_trailing_bytes');
/** AuthenticateSession with a type other than 0-4. */
export const A_REDIR_UNKNOWN_AUTH_TYPE = registerAnomaly('amt_redir.unknown_auth_type');
/** AuthenticateSessionReply with a status other than 0, 1, 2. */
export const A_REDIR_UNKNOWN_AUTH_STATUS = registerAnomaly('amt_redir.unknown_auth_status');
/** Bytes after EndRedirectionSession (0x12) in the client direction. */
export const A_REDIR_DATA_AFTER_END = registerAnomaly('amt_redir.data_after_end');
/** The SOL transcript reached maxSolTranscriptBytes; the rest is counted, not kept. */
export const A_REDIR_TRANSCRIPT_TRUNCATED = registerAnomaly('amt_redir.transcript_truncated');
/** A string field was cut to maxFieldChars. */
export const A_REDIR_FIELD_TRUNCATED = registerAnomaly('amt_redir.field_truncated');
/** KVM: bytes after 0x41 are not an RFB ProtocolVersion. */
export const A_REDIR_RFB_BAD_VERSION = registerAnomaly('amt_redir.rfb_bad_version');
/** KVM: an RFB security type this analyzer cannot follow (not None or VNC auth). */
export const A_REDIR_RFB_UNKNOWN_SECURITY = registerAnomaly('amt_redir.rfb_unknown_security');
/** KVM: the RFB handshake failed (no security types, or SecurityResult not OK). */
export const A_REDIR_RFB_HANDSHAKE_FAILED = registerAnomaly('amt_redir.rfb_handshake_failed');
/** KVM: a ServerInit name length over maxRedirMessageBytes, or handshake bytes that never completed. */
export const A_REDIR_RFB_TOO_LONG = registerAnomaly('amt_redir.rfb_too_long');
