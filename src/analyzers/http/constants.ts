/**
 * HTTP / WS-Management analyzer tables: the header names looked up (as lower-case bytes, compared
 * by length first), the WS-Man parameter names reported, WebSocket opcodes and the anomaly codes.
 */
import { registerAnomaly } from '../../core/anomaly.js';

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

// ---------------------------------------------------------------- header names (lower case)
export const H_HOST = ascii('host');
export const H_USER_AGENT = ascii('user-agent');
export const H_CONTENT_LENGTH = ascii('content-length');
export const H_TRANSFER_ENCODING = ascii('transfer-encoding');
export const H_AUTHORIZATION = ascii('authorization');
export const H_WWW_AUTHENTICATE = ascii('www-authenticate');
export const H_SERVER = ascii('server');
export const H_UPGRADE = ascii('upgrade');
export const H_CONTENT_TYPE = ascii('content-type');

// ---------------------------------------------------------------- tokens (lower case)
export const T_CHUNKED = ascii('chunked');
export const T_WEBSOCKET = ascii('websocket');
export const T_DIGEST = ascii('digest');
export const T_BASIC = ascii('basic');
export const T_SOAP_XML = ascii('soap+xml');
export const T_WSMAN_PATH = ascii('/wsman');
export const T_HTTP_SLASH = ascii('HTTP/');

/** Digest auth-param names kept (RFC 7616), in DIGEST_* index order. */
export const DIGEST_USERNAME = 0;
export const DIGEST_REALM = 1;
export const DIGEST_NONCE = 2;
export const DIGEST_URI = 3;
export const DIGEST_QOP = 4;
export const DIGEST_NC = 5;
export const DIGEST_CNONCE = 6;
export const DIGEST_RESPONSE = 7;
export const DIGEST_PARAM_NAMES: readonly Uint8Array[] = [
  ascii('username'),
  ascii('realm'),
  ascii('nonce'),
  ascii('uri'),
  ascii('qop'),
  ascii('nc'),
  ascii('cnonce'),
  ascii('response'),
];

/** Server-header products whose version is the AMT firmware (amt-protocol.md 2.1), after `Intel(R) `. */
export const SERVER_INTEL_PREFIX = ascii('intel(r) ');
export const SERVER_AMT_PRODUCTS: readonly Uint8Array[] = [
  ascii('active management technology'),
  ascii('standard manageability'),
  ascii('con. management engine'),
];

// ---------------------------------------------------------------- WS-Management
export const WSMAN_ACTION = ascii('Action');
export const WSMAN_RESOURCE_URI = ascii('ResourceURI');

/**
 * Parameters reported in wsman_params as `name=value` (amt-protocol.md 2.4: power, KVM / port 5900,
 * user consent, screen blanking, redirection listener, boot to IDE-R/BIOS, user ACLs, CIRA/MPS).
 * Names in WSMAN_SECRET_PARAMS are reported as `name=<set>`: their value is never sliced.
 */
export const WSMAN_PARAM_NAMES: readonly string[] = [
  'PowerState',
  'Is5900PortEnabled',
  'OptInPolicy',
  'OptInRequired',
  'SessionState',
  'SessionTimeout',
  'EnabledState',
  'RequestedState',
  'ListenerEnabled',
  'UseIDER',
  'UseSOL',
  'BIOSSetup',
  'BIOSPause',
  'IDERBootDevice',
  'BootMediaIndex',
  'ReflashBIOS',
  'SecureErase',
  'UserPasswordBypass',
  'UseSafeMode',
  'Role',
  'DigestUsername',
  'Username',
  'AccessPermission',
  'Realms',
  'KerberosUserSid',
  'AccessInfo',
  // secrets: presence only
  'RFBPassword',
  'DigestPassword',
  'Password',
  'NetworkAdminPassword',
  'OptInCode',
];
export const WSMAN_SECRET_PARAMS: ReadonlySet<string> = new Set([
  'RFBPassword',
  'DigestPassword',
  'Password',
  'NetworkAdminPassword',
  'OptInCode',
]);
export const WSMAN_PARAM_BYTES: readonly Uint8Array[] = WSMAN_PARAM_NAMES.map(ascii);
export const WSMAN_PARAM_SECRET: readonly boolean[] = WSMAN_PARAM_NAMES.map((n) => WSMAN_SECRET_PARAMS.has(n));
export const WSMAN_SECRET_VALUE = '<set>';
/**
 * wsman_params entries kept per request (the scan itself is bounded by maxHttpBodyScanBytes).
 * Belongs in core/limits.ts with the other limits; kept here until the contract owner moves it.
 */
export const MAX_WSMAN_PARAMS = 32;

// ---------------------------------------------------------------- parser bounds
/** Significant hex digits of a chunk size (13 -> below 2^52, an exact number). */
export const MAX_CHUNK_SIZE_DIGITS = 13;
/** Decimal digits of a Content-Length (15 -> below 2^53, an exact number). */
export const MAX_CONTENT_LENGTH_DIGITS = 15;
/** Bytes of a method token considered while probing for a request line. */
export const MAX_METHOD_LEN = 24;

// ---------------------------------------------------------------- WebSocket (RFC 6455)
export const WS_OP_CONTINUATION = 0x0;
export const WS_OP_TEXT = 0x1;
export const WS_OP_BINARY = 0x2;
export const WS_OP_CLOSE = 0x8;
export const WS_OP_PING = 0x9;
export const WS_OP_PONG = 0xa;
/** Bytes unmasked per call to the inner analyzer. */
export const WS_UNMASK_CHUNK = 16 * 1024;

// ---------------------------------------------------------------- anomaly codes
export const A_HTTP_BAD_REQUEST_LINE = registerAnomaly('http.bad_request_line');
export const A_HTTP_BAD_STATUS_LINE = registerAnomaly('http.bad_status_line');
export const A_HTTP_HEAD_TOO_LONG = registerAnomaly('http.head_too_long');
export const A_HTTP_TOO_MANY_HEADERS = registerAnomaly('http.too_many_headers');
export const A_HTTP_BAD_HEADER_LINE = registerAnomaly('http.bad_header_line');
export const A_HTTP_BAD_CONTENT_LENGTH = registerAnomaly('http.bad_content_length');
export const A_HTTP_CONTENT_LENGTH_TOO_LARGE = registerAnomaly('http.content_length_too_large');
export const A_HTTP_CONTENT_LENGTH_CONFLICT = registerAnomaly('http.content_length_conflict');
export const A_HTTP_CL_AND_TE = registerAnomaly('http.content_length_and_transfer_encoding');
export const A_HTTP_BAD_TRANSFER_ENCODING = registerAnomaly('http.bad_transfer_encoding');
export const A_HTTP_BAD_CHUNK_SIZE = registerAnomaly('http.bad_chunk_size');
export const A_HTTP_CHUNK_LINE_TOO_LONG = registerAnomaly('http.chunk_line_too_long');
export const A_HTTP_BAD_CHUNK_TERMINATOR = registerAnomaly('http.bad_chunk_terminator');
export const A_HTTP_TRAILER_TOO_LONG = registerAnomaly('http.trailer_too_long');
export const A_HTTP_TOO_MANY_TRANSACTIONS = registerAnomaly('http.too_many_transactions');
export const A_HTTP_UNSOLICITED_RESPONSE = registerAnomaly('http.unsolicited_response');
export const A_HTTP_BAD_AUTHORIZATION = registerAnomaly('http.bad_authorization');
export const A_HTTP_UPGRADE_HOLD_OVERFLOW = registerAnomaly('http.upgrade_hold_overflow');
export const A_HTTP_UPGRADE_NOT_WEBSOCKET = registerAnomaly('http.upgrade_not_websocket');
export const A_HTTP_WS_BAD_LENGTH = registerAnomaly('http.ws.bad_length');
export const A_HTTP_WS_BAD_OPCODE = registerAnomaly('http.ws.bad_opcode');
export const A_HTTP_WS_RSV_SET = registerAnomaly('http.ws.rsv_set');
export const A_HTTP_WS_BAD_CONTROL_FRAME = registerAnomaly('http.ws.bad_control_frame');
export const A_HTTP_WS_MASK_VIOLATION = registerAnomaly('http.ws.mask_violation');
export const A_HTTP_WSMAN_TOO_MANY_PARAMS = registerAnomaly('http.wsman.too_many_params');
/** A string field longer than limits.maxFieldChars was cut to it. */
export const A_HTTP_FIELD_TRUNCATED = registerAnomaly('http.field_truncated');
