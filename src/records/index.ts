/**
 * The output contract. Keys are exactly as emitted (snake_case, Zeek's conn.log names where Zeek has
 * one). Values stay raw here (addresses as bytes, times as integer microseconds); report/ renders them.
 * The README documents every field; change both together.
 */
import type { IpBytes } from '../core/addr.js';
import type { Micros } from '../core/time.js';

export type FieldKind =
  | 'time' // Micros -> epoch seconds with 6 decimals
  | 'interval' // Micros -> seconds with 6 decimals
  | 'addr' // IpBytes -> canonical text
  | 'count' // integer
  | 'port' // integer 0-65535
  | 'float' // a ratio or percentage, up to 6 decimals
  | 'string' // packet-derived or fixed text (sanitized at the edge)
  | 'bool'
  | 'strings' // string[]
  | 'vlan' // number | null
  | 'object'; // nested plain data (stats only)

export interface FieldSpec {
  readonly key: string;
  readonly kind: FieldKind;
}

export type Verdict = { readonly authorized: true } | { readonly authorized: false; readonly reasons: readonly string[] };

/** Reasons an AMT session is unauthorized (stable strings). */
export const REASON_CLIENT_NOT_AUTHORIZED = 'client_not_authorized';
export const REASON_SERVER_NOT_IN_INVENTORY = 'server_not_in_inventory';

export interface ConnRecord {
  event_type: 'conn';
  ts: Micros;
  uid: string;
  'id.orig_h': IpBytes;
  'id.orig_p': number;
  'id.resp_h': IpBytes;
  'id.resp_p': number;
  proto: 'tcp';
  service: string;
  /** null, like orig_bytes and resp_bytes, when the session lasted no time at all (one packet), as Zeek leaves them unset. */
  duration: Micros | null;
  orig_bytes: number | null;
  resp_bytes: number | null;
  conn_state: string;
  missed_bytes: number;
  history: string;
  orig_pkts: number;
  orig_ip_bytes: number;
  resp_pkts: number;
  resp_ip_bytes: number;
  vlan: number | null;
  inner_vlan: number | null;
  /** AMT firmware version the endpoint announced (HTTP Server header or redirection reply). */
  amt_firmware: string | null;
  /** The AMT user name seen logging in (HTTP digest/basic, redirection auth). */
  amt_user: string | null;
  /** success, failure, none (no credentials seen), unknown (encrypted or not concluded). */
  amt_auth: string;
  /** SOL, IDER or KVM when a redirection session was requested. */
  amt_redirection: string | null;
  tls_version: string | null;
  tls_sni: string | null;
  authorized: boolean;
  reasons: string[];
  /**
   * True for an interim record of a session still open (live mode, every --interim seconds);
   * the session's final record, with the same uid, has false.
   */
  interim: boolean;
}

export const CONN_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'uid', kind: 'string' },
  { key: 'id.orig_h', kind: 'addr' },
  { key: 'id.orig_p', kind: 'port' },
  { key: 'id.resp_h', kind: 'addr' },
  { key: 'id.resp_p', kind: 'port' },
  { key: 'proto', kind: 'string' },
  { key: 'service', kind: 'string' },
  { key: 'duration', kind: 'interval' },
  { key: 'orig_bytes', kind: 'count' },
  { key: 'resp_bytes', kind: 'count' },
  { key: 'conn_state', kind: 'string' },
  { key: 'missed_bytes', kind: 'count' },
  { key: 'history', kind: 'string' },
  { key: 'orig_pkts', kind: 'count' },
  { key: 'orig_ip_bytes', kind: 'count' },
  { key: 'resp_pkts', kind: 'count' },
  { key: 'resp_ip_bytes', kind: 'count' },
  { key: 'vlan', kind: 'vlan' },
  { key: 'inner_vlan', kind: 'vlan' },
  { key: 'amt_firmware', kind: 'string' },
  { key: 'amt_user', kind: 'string' },
  { key: 'amt_auth', kind: 'string' },
  { key: 'amt_redirection', kind: 'string' },
  { key: 'tls_version', kind: 'string' },
  { key: 'tls_sni', kind: 'string' },
  { key: 'authorized', kind: 'bool' },
  { key: 'reasons', kind: 'strings' },
  { key: 'interim', kind: 'bool' },
];

export const NOTE_UNAUTHORIZED_SESSION = 'amt.unauthorized_session';
export const NOTE_CVE_2017_5689_ATTEMPT = 'amt.cve_2017_5689_attempt';
export const NOTE_CVE_2017_5689_BYPASS = 'amt.cve_2017_5689_bypass';
export const NOTE_VULNERABLE_FIRMWARE = 'amt.vulnerable_firmware';
export const NOTE_REDIRECTION_SESSION = 'amt.redirection_session';
export const NOTE_CLEARTEXT_CREDENTIALS = 'amt.cleartext_credentials';
export const NOTE_HIGH_RISK_OPERATION = 'amt.high_risk_operation';
export const NOTE_AUTH_BRUTEFORCE = 'amt.auth_bruteforce';
export const NOTE_SCAN = 'amt.scan';
/** --extended-ports: an RMCP pong from an Intel AMT endpoint that is not in the inventory (once per endpoint). */
export const NOTE_ROGUE_DEVICE = 'amt.rogue_device';
/** --extended-ports: an RMCP pong saying AMT is present but not set up (pre-provisioning; once per endpoint). */
export const NOTE_UNPROVISIONED_DEVICE = 'amt.unprovisioned_device';

export interface NoticeRecord {
  event_type: 'notice';
  ts: Micros;
  uid: string;
  'id.orig_h': IpBytes;
  'id.orig_p': number;
  'id.resp_h': IpBytes;
  'id.resp_p': number;
  vlan: number | null;
  note: string;
  /** A sentence for a person. Built from sanitized-at-the-edge values by report/. */
  msg: string;
  /** Machine-readable detail (Zeek's `sub`): the tool attributed, advisory ids, the WS-Man method ... */
  sub: string | null;
  /** The host the notice is about acting (the source of a scan or brute force), when not the orig_h. */
  src: IpBytes | null;
  /** A count behind the notice (failures, hosts, attempts), when there is one. */
  n: number | null;
  reasons: string[];
}

export const NOTICE_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'uid', kind: 'string' },
  { key: 'id.orig_h', kind: 'addr' },
  { key: 'id.orig_p', kind: 'port' },
  { key: 'id.resp_h', kind: 'addr' },
  { key: 'id.resp_p', kind: 'port' },
  { key: 'vlan', kind: 'vlan' },
  { key: 'note', kind: 'string' },
  { key: 'msg', kind: 'string' },
  { key: 'sub', kind: 'string' },
  { key: 'src', kind: 'addr' },
  { key: 'n', kind: 'count' },
  { key: 'reasons', kind: 'strings' },
];

/** A problem with an input file (not a packet): reported with file, frame number and byte offset. */
export interface InputErrorEntry {
  file: string;
  /** 1-based number of the frame that could not be read (frames before it were analysed). */
  frame: number;
  /** Byte offset in the (decompressed) file where the problem starts. */
  offset: number;
  code: string;
  message: string;
  /** True when reading of this file stopped here. */
  fatal: boolean;
}

export interface FileSummary {
  file: string;
  format: string; // 'pcap' | 'pcap-ns' | 'pcapng' | 'unknown'
  compressed: boolean;
  frames: number;
  bytes: number;
}

/** Per capture interface (live mode), from libpcap's pcap_stats since the capture started. */
export interface CaptureInterfaceStats {
  name: string;
  /** Packets the kernel handed to the capture (pcap_stats ps_recv). */
  received: number;
  /** Packets the kernel dropped for lack of buffer space (ps_drop): capture loss. */
  dropped: number;
  /** Packets the interface/driver dropped (ps_ifdrop). */
  if_dropped: number;
}

export interface StatsRecord {
  event_type: 'stats';
  ts: Micros;
  /** False for the periodic records of a live run; true for the last record of any run. */
  final: boolean;
  files: number;
  file_details: FileSummary[];
  frames: number;
  bytes: number;
  amt_frames: number;
  amt_sessions: number;
  amt_sessions_unauthorized: number;
  other_sessions: number;
  notices: number;
  sessions_evicted: number;
  missed_bytes: number;
  /** AMT sessions still open when the record was written (0 in the final record of a read). */
  sessions_open: number;
  /** Sessions that have ended, since the start. */
  sessions_closed: number;
  /** Live capture: per interface kernel counters; null when reading files. */
  capture: CaptureInterfaceStats[] | null;
  /**
   * Capture-loss estimate in Zeek's manner: payload bytes acknowledged (or left in holes) but never
   * seen, as a percentage of the payload bytes the AMT sessions carried.
   */
  capture_loss_pct: number;
  /** Resident set size of the process, bytes. */
  mem_rss_bytes: number;
  anomalies: Record<string, number>;
  input_errors: InputErrorEntry[];
  input_errors_total: number;
  elapsed_s: number;
}

export const STATS_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'final', kind: 'bool' },
  { key: 'files', kind: 'count' },
  { key: 'file_details', kind: 'object' },
  { key: 'frames', kind: 'count' },
  { key: 'bytes', kind: 'count' },
  { key: 'amt_frames', kind: 'count' },
  { key: 'amt_sessions', kind: 'count' },
  { key: 'amt_sessions_unauthorized', kind: 'count' },
  { key: 'other_sessions', kind: 'count' },
  { key: 'notices', kind: 'count' },
  { key: 'sessions_evicted', kind: 'count' },
  { key: 'missed_bytes', kind: 'count' },
  { key: 'sessions_open', kind: 'count' },
  { key: 'sessions_closed', kind: 'count' },
  { key: 'capture', kind: 'object' },
  { key: 'capture_loss_pct', kind: 'float' },
  { key: 'mem_rss_bytes', kind: 'count' },
  { key: 'anomalies', kind: 'object' },
  { key: 'input_errors', kind: 'object' },
  { key: 'input_errors_total', kind: 'count' },
  { key: 'elapsed_s', kind: 'interval' },
];

export type OutputRecord = ConnRecord | NoticeRecord | StatsRecord;

// ---------------------------------------------------------------- protocol analyzers' records
// Every string field of these records is packet-derived unless noted: report/ sanitizes it.
// A null value means "not seen" (printed as null in JSON, empty in CSV, '-' in text).

/** Fields every per-session record starts with, so all outputs join on uid. */
const SESSION_ID_FIELDS: readonly FieldSpec[] = [
  { key: 'ts', kind: 'time' },
  { key: 'uid', kind: 'string' },
  { key: 'id.orig_h', kind: 'addr' },
  { key: 'id.orig_p', kind: 'port' },
  { key: 'id.resp_h', kind: 'addr' },
  { key: 'id.resp_p', kind: 'port' },
];

export interface SessionIdFields {
  ts: Micros;
  uid: string;
  'id.orig_h': IpBytes;
  'id.orig_p': number;
  'id.resp_h': IpBytes;
  'id.resp_p': number;
}

/** One HTTP request/response pair on 16992 (or 623). */
export interface HttpRecord extends SessionIdFields {
  event_type: 'http';
  /** 1-based position of this request in the session (pipelining / keep-alive). */
  trans_depth: number;
  method: string | null;
  host: string | null;
  uri: string | null;
  version: string | null;
  user_agent: string | null;
  request_body_len: number;
  status_code: number | null;
  status_msg: string | null;
  /** The response's Server header, and the AMT firmware version parsed from it. */
  server: string | null;
  amt_firmware: string | null;
  /** Realm and nonce of a Digest challenge (WWW-Authenticate) in the response. */
  challenge_realm: string | null;
  challenge_nonce: string | null;
  /** Scheme of the request's Authorization header: Digest, Basic, Negotiate, ... */
  auth_scheme: string | null;
  /** Digest username, or the Basic user name. */
  username: string | null;
  digest_realm: string | null;
  digest_nonce: string | null;
  digest_uri: string | null;
  digest_qop: string | null;
  digest_nc: string | null;
  digest_cnonce: string | null;
  /** Length of the digest `response` value (32 for a well-formed MD5 response; 0 for response=""). */
  digest_response_len: number | null;
  /** True when the digest response is exactly 32 hexadecimal characters. */
  digest_response_hex: boolean | null;
  /** True when a Basic Authorization header carried a password in cleartext (base64). */
  basic_credentials: boolean;
  /** WS-Management: the SOAP Action, the ResourceURI, and the method (last path element of the action). */
  wsman_action: string | null;
  wsman_resource_uri: string | null;
  wsman_method: string | null;
  /** Notable WS-Man parameters as `name=value` pairs (PowerState, Is5900PortEnabled, OptInPolicy, ...). */
  wsman_params: string[];
  response_body_len: number;
  /** The request upgraded to a WebSocket (e.g. /ws-redirection). */
  websocket: boolean;
  /** Analysis of this transaction was cut by a gap or a limit. */
  partial: boolean;
}

export const HTTP_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  ...SESSION_ID_FIELDS,
  { key: 'trans_depth', kind: 'count' },
  { key: 'method', kind: 'string' },
  { key: 'host', kind: 'string' },
  { key: 'uri', kind: 'string' },
  { key: 'version', kind: 'string' },
  { key: 'user_agent', kind: 'string' },
  { key: 'request_body_len', kind: 'count' },
  { key: 'status_code', kind: 'count' },
  { key: 'status_msg', kind: 'string' },
  { key: 'server', kind: 'string' },
  { key: 'amt_firmware', kind: 'string' },
  { key: 'challenge_realm', kind: 'string' },
  { key: 'challenge_nonce', kind: 'string' },
  { key: 'auth_scheme', kind: 'string' },
  { key: 'username', kind: 'string' },
  { key: 'digest_realm', kind: 'string' },
  { key: 'digest_nonce', kind: 'string' },
  { key: 'digest_uri', kind: 'string' },
  { key: 'digest_qop', kind: 'string' },
  { key: 'digest_nc', kind: 'string' },
  { key: 'digest_cnonce', kind: 'string' },
  { key: 'digest_response_len', kind: 'count' },
  { key: 'digest_response_hex', kind: 'bool' },
  { key: 'basic_credentials', kind: 'bool' },
  { key: 'wsman_action', kind: 'string' },
  { key: 'wsman_resource_uri', kind: 'string' },
  { key: 'wsman_method', kind: 'string' },
  { key: 'wsman_params', kind: 'strings' },
  { key: 'response_body_len', kind: 'count' },
  { key: 'websocket', kind: 'bool' },
  { key: 'partial', kind: 'bool' },
];

/** The TLS handshake of a session on 16993/16995 (or 664). */
export interface TlsRecord extends SessionIdFields {
  event_type: 'tls';
  /** Negotiated version (TLSv10, TLSv11, TLSv12, TLSv13, SSLv3), from the ServerHello. */
  version: string | null;
  /** The highest version the client offered. */
  client_version: string | null;
  /** Negotiated cipher suite, IANA name (or 0xNNNN when unknown). */
  cipher: string | null;
  server_name: string | null;
  /** ALPN protocols the client offered, and the one the server chose. */
  alpn: string[];
  alpn_selected: string | null;
  /** The handshake completed (both sides' Finished, or for TLS 1.3 encrypted application data flowed both ways). */
  established: boolean;
  /** Session resumption (abbreviated handshake) was seen. */
  resumed: boolean;
  ja3: string | null;
  ja4: string | null;
  ja3s: string | null;
  /** The server's leaf certificate (TLS 1.2 and earlier; encrypted in TLS 1.3). */
  cert_subject: string | null;
  cert_issuer: string | null;
  cert_not_before: Micros | null;
  cert_not_after: Micros | null;
  cert_serial: string | null;
  cert_sha256: string | null;
  /** Certificates in the chain the server sent. */
  cert_chain_len: number;
  partial: boolean;
}

export const TLS_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  ...SESSION_ID_FIELDS,
  { key: 'version', kind: 'string' },
  { key: 'client_version', kind: 'string' },
  { key: 'cipher', kind: 'string' },
  { key: 'server_name', kind: 'string' },
  { key: 'alpn', kind: 'strings' },
  { key: 'alpn_selected', kind: 'string' },
  { key: 'established', kind: 'bool' },
  { key: 'resumed', kind: 'bool' },
  { key: 'ja3', kind: 'string' },
  { key: 'ja4', kind: 'string' },
  { key: 'ja3s', kind: 'string' },
  { key: 'cert_subject', kind: 'string' },
  { key: 'cert_issuer', kind: 'string' },
  { key: 'cert_not_before', kind: 'time' },
  { key: 'cert_not_after', kind: 'time' },
  { key: 'cert_serial', kind: 'string' },
  { key: 'cert_sha256', kind: 'string' },
  { key: 'cert_chain_len', kind: 'count' },
  { key: 'partial', kind: 'bool' },
];

/**
 * One redirection-protocol session (16994, 16995 after TLS is not readable, or /ws-redirection), or
 * with --extended-ports an RFB session on TCP 5900 whose desktop name identifies the AMT KVM server
 * (session_type KVM, auth_type rfb_vnc or rfb_none; the redirection-protocol fields stay empty).
 */
export interface AmtRedirRecord extends SessionIdFields {
  event_type: 'amt_redir';
  /** SOL, IDER or KVM, from the StartRedirectionSession tag. */
  session_type: string | null;
  /** StartRedirectionSessionReply status (0 success, 1 type unknown, 2 busy, 3 unsupported, 255 error). */
  start_status: number | null;
  /** Firmware major.minor from the reply's version block (inferred layout), e.g. "11.8". */
  amt_version: string | null;
  /** Auth types the firmware offered (names: userpass, kerberos, digest_rfc2069, digest). */
  auth_types_offered: string[];
  /** The auth type the client used for its last attempt. */
  auth_type: string | null;
  username: string | null;
  digest_realm: string | null;
  digest_nonce: string | null;
  digest_cnonce: string | null;
  digest_nc: string | null;
  digest_response_len: number | null;
  /** A cleartext password was sent (auth type 1, userpass). */
  password_cleartext: boolean;
  /** success, failure, not_supported, or null when no result was seen. */
  auth_result: string | null;
  auth_attempts: number;
  auth_failures: number;
  /** The SOL/IDE-R/KVM session itself started (0x21 / 0x41 with success). */
  session_started: boolean;
  /** SOL start parameters as a fingerprint: MaxTxBuffer/TxTimeout/TxOverflowTimeout/RxTimeout/RxFlushTimeout/Heartbeat. */
  sol_params: string | null;
  /** KVM: the RFB version the server announced and its desktop name. */
  rfb_version: string | null;
  rfb_desktop_name: string | null;
  msgs_orig: number;
  msgs_resp: number;
  /** Console bytes typed (to host) and printed (from host) in a SOL session. */
  sol_input_bytes: number;
  sol_output_bytes: number;
  /** SOL console transcript (bounded), only with --extract. */
  transcript: string | null;
  partial: boolean;
}

export const AMT_REDIR_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  ...SESSION_ID_FIELDS,
  { key: 'session_type', kind: 'string' },
  { key: 'start_status', kind: 'count' },
  { key: 'amt_version', kind: 'string' },
  { key: 'auth_types_offered', kind: 'strings' },
  { key: 'auth_type', kind: 'string' },
  { key: 'username', kind: 'string' },
  { key: 'digest_realm', kind: 'string' },
  { key: 'digest_nonce', kind: 'string' },
  { key: 'digest_cnonce', kind: 'string' },
  { key: 'digest_nc', kind: 'string' },
  { key: 'digest_response_len', kind: 'count' },
  { key: 'password_cleartext', kind: 'bool' },
  { key: 'auth_result', kind: 'string' },
  { key: 'auth_attempts', kind: 'count' },
  { key: 'auth_failures', kind: 'count' },
  { key: 'session_started', kind: 'bool' },
  { key: 'sol_params', kind: 'string' },
  { key: 'rfb_version', kind: 'string' },
  { key: 'rfb_desktop_name', kind: 'string' },
  { key: 'msgs_orig', kind: 'count' },
  { key: 'msgs_resp', kind: 'count' },
  { key: 'sol_input_bytes', kind: 'count' },
  { key: 'sol_output_bytes', kind: 'count' },
  { key: 'transcript', kind: 'string' },
  { key: 'partial', kind: 'bool' },
];

/**
 * One RMCP datagram on UDP 623 (--extended-ports): an ASF presence ping or pong (AMT discovery), an
 * RMCP ACK, another ASF message, or IPMI (class 0x07, recognised, not decoded). Unlike the other
 * records this is per datagram, not per TCP session: id.orig_h/id.orig_p is the SENDER and
 * id.resp_h/id.resp_p the receiver of this datagram, so a pong's orig_h is the AMT endpoint. A pong
 * (and an ACK) carries the uid of the ping it answers when that ping was seen (same pinger, port,
 * target and message tag, within limits.rmcpPairTimeoutUs); otherwise each datagram has its own uid.
 */
/** The IANA enterprise number of Intel: an RMCP pong whose OEM IANA is this comes from Intel AMT. */
export const IANA_INTEL = 343;

export interface RmcpRecord extends SessionIdFields {
  event_type: 'rmcp';
  vlan: number | null;
  /** ping, pong, ack, capabilities_request/_response, system_state_request/_response, reset,
   *  power_up, power_down, power_cycle, open_session_request, close_session_request, asf_0xNN (another
   *  ASF type), ipmi (RMCP class 0x07), oem (class 0x08), unknown (another class). */
  message_type: string;
  /** RMCP sequence number (0xff: the sender wants no RMCP ACK). */
  rmcp_seq: number;
  /** ASF message tag (pairs a pong with its ping); null for IPMI/other classes. */
  tag: number | null;
  /** Pong: the IANA enterprise number of the OEM data (343 = Intel: an AMT endpoint). */
  iana: number | null;
  /** Pong from Intel (iana 343): AMT major.minor from the version byte, e.g. "11.8". */
  amt_version: string | null;
  /** Pong from Intel: pre (AMT present but not set up), in (being provisioned), post, or unknown (3). */
  provisioning_state: string | null;
  /** Pong from Intel: the AMT web port it announces (16992, 16993), 0 = present but not set up. */
  amt_port: number | null;
  /** Pong from Intel: both 16992 and 16993 are open. */
  dual_port: boolean | null;
  /** Pong: the supported-interactions DASH bit (AMT 5.1 and later). */
  dash: boolean | null;
  /** The message was shorter than its lengths say, or its data was cut. */
  partial: boolean;
}

export const RMCP_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  ...SESSION_ID_FIELDS,
  { key: 'vlan', kind: 'vlan' },
  { key: 'message_type', kind: 'string' },
  { key: 'rmcp_seq', kind: 'count' },
  { key: 'tag', kind: 'count' },
  { key: 'iana', kind: 'count' },
  { key: 'amt_version', kind: 'string' },
  { key: 'provisioning_state', kind: 'string' },
  { key: 'amt_port', kind: 'port' },
  { key: 'dual_port', kind: 'bool' },
  { key: 'dash', kind: 'bool' },
  { key: 'partial', kind: 'bool' },
];

export type AnalyzerRecord = HttpRecord | TlsRecord | AmtRedirRecord | RmcpRecord;

/**
 * Session-level AMT facts the analyzers fill in as they learn them; app/ copies them onto the conn
 * record (amt_firmware, amt_user, amt_auth, amt_redirection, tls_version, tls_sni).
 */
export interface AmtConnFacts {
  firmware: string | null;
  user: string | null;
  /** success, failure, none (no credentials seen), unknown (encrypted or not concluded). */
  auth: 'success' | 'failure' | 'none' | 'unknown';
  redirection: 'SOL' | 'IDER' | 'KVM' | null;
  tlsVersion: string | null;
  tlsSni: string | null;
}

export function emptyConnFacts(): AmtConnFacts {
  return { firmware: null, user: null, auth: 'none', redirection: null, tlsVersion: null, tlsSni: null };
}

/** Field specs of the analyzer records, by event_type. */
export const ANALYZER_FIELDS: Readonly<Record<AnalyzerRecord['event_type'], readonly FieldSpec[]>> = {
  http: HTTP_FIELDS,
  tls: TLS_FIELDS,
  amt_redir: AMT_REDIR_FIELDS,
  rmcp: RMCP_FIELDS,
};
