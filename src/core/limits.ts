/**
 * Every bound amtwatch enforces, with its default. Hitting a limit never drops data silently:
 * the code that enforces it raises an anomaly (core/anomaly.ts) and a counter in the run summary.
 * app/config.ts is the only place that overrides these (flags, config file).
 */

/** Bytes of the fixed buffer a capture reader works in. Never grows. */
export const READ_BUFFER_BYTES = 4 * 1024 * 1024;
/** Largest captured frame accepted (libpcap's MAXIMUM_SNAPLEN). A larger record is an input error. */
export const MAX_FRAME_BYTES = 262_144;
/** Largest pcapng block the reader parses (SHB, IDB, EPB, SPB, ...). Other blocks are skipped by length. */
export const MAX_PCAPNG_BLOCK_BYTES = 1024 * 1024;
/** Interfaces per pcapng section. */
export const MAX_PCAPNG_INTERFACES = 1024;
/** 802.1Q / 802.1ad tags walked before a frame is declared malformed. */
export const MAX_VLAN_DEPTH = 3;
/** IPv6 extension headers walked before a packet is declared malformed. */
export const MAX_IPV6_EXT_HEADERS = 8;
/** Concurrent TCP sessions tracked (AMT ports only). When full, the least recently active is evicted. */
export const MAX_SESSIONS = 65_536;
/** Letters kept in a session's history; past it the history ends with a truncation mark. */
export const MAX_HISTORY_LEN = 100;
/** Sequence ranges remembered per direction to judge missed bytes; extra holes are merged (and counted). */
export const MAX_SEQ_RANGES = 16;
/** Input errors kept in the stats record (all are counted). */
export const MAX_INPUT_ERRORS_KEPT = 100;

/** Reassembled payload bytes analysed per direction of a session; past it analysis stops (history x). */
export const MAX_STREAM_BYTES_PER_DIR = 1024 * 1024;
/** Out-of-order payload bytes held per direction while waiting for a hole to fill. */
export const MAX_OOO_BYTES_PER_DIR = 64 * 1024;
/** Out-of-order segments held per direction. */
export const MAX_OOO_SEGMENTS_PER_DIR = 64;
/** Bytes of one HTTP message head (request/status line + headers). */
export const MAX_HTTP_HEADER_BYTES = 16 * 1024;
/** Header fields per HTTP message before it is flagged (http.too_many_headers); the rest are still read, within the head's bytes. */
export const MAX_HTTP_HEADERS = 100;
/** HTTP body bytes scanned for WS-Management content (SOAP action, resource URI, parameters). */
export const MAX_HTTP_BODY_SCAN_BYTES = 64 * 1024;
/** HTTP requests analysed per session (pipelining/keep-alive); the rest are counted. */
export const MAX_HTTP_TRANSACTIONS = 1000;
/** Bytes of one TLS handshake message (ClientHello, Certificate ...). */
export const MAX_TLS_HANDSHAKE_BYTES = 128 * 1024;
/** Bytes of one redirection-protocol message kept for parsing (data payloads are skipped by length). */
export const MAX_REDIR_MESSAGE_BYTES = 64 * 1024;
/** Console transcript bytes kept per SOL session with --extract. */
export const MAX_SOL_TRANSCRIPT_BYTES = 64 * 1024;
/** Characters kept of any one packet-derived string field (URI, user agent, user name ...). */
export const MAX_FIELD_CHARS = 1024;

/**
 * RMCP presence pings remembered (with --extended-ports) so that a pong gets its ping's uid: one entry
 * per (pinger, pinger port, target, message tag). Least recently used first out; an unmatched pong
 * gets a uid of its own.
 */
export const MAX_RMCP_PENDING = 4096;
/** How long (packet time) a ping waits for its pong before its entry no longer pairs. */
export const RMCP_PAIR_TIMEOUT_US = 5_000_000;

/** Idle time (packet time, microseconds) after which an established or partial session is ended. */
export const SESSION_IDLE_TIMEOUT_US = 300_000_000;
/** Idle time after which a connection attempt that was never answered is ended. */
export const SESSION_ATTEMPT_TIMEOUT_US = 30_000_000;
/** Time a session is kept after it closed (both FINs, or a RST) to absorb the last ACKs and retransmissions. */
export const SESSION_CLOSE_LINGER_US = 5_000_000;
/** How often (packet time) the session table is swept for expired sessions. */
export const SESSION_SWEEP_INTERVAL_US = 1_000_000;

export interface Limits {
  readonly readBufferBytes: number;
  readonly maxFrameBytes: number;
  readonly maxPcapngBlockBytes: number;
  readonly maxPcapngInterfaces: number;
  readonly maxSessions: number;
  readonly maxHistoryLen: number;
  readonly maxSeqRanges: number;
  readonly maxInputErrorsKept: number;
  readonly maxStreamBytesPerDir: number;
  readonly maxOooBytesPerDir: number;
  readonly maxOooSegmentsPerDir: number;
  readonly maxHttpHeaderBytes: number;
  readonly maxHttpHeaders: number;
  readonly maxHttpBodyScanBytes: number;
  readonly maxHttpTransactions: number;
  readonly maxTlsHandshakeBytes: number;
  readonly maxRedirMessageBytes: number;
  readonly maxSolTranscriptBytes: number;
  readonly maxFieldChars: number;
  readonly maxRmcpPending: number;
  readonly rmcpPairTimeoutUs: number;
  readonly sessionIdleTimeoutUs: number;
  readonly sessionAttemptTimeoutUs: number;
  readonly sessionCloseLingerUs: number;
  readonly sessionSweepIntervalUs: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  readBufferBytes: READ_BUFFER_BYTES,
  maxFrameBytes: MAX_FRAME_BYTES,
  maxPcapngBlockBytes: MAX_PCAPNG_BLOCK_BYTES,
  maxPcapngInterfaces: MAX_PCAPNG_INTERFACES,
  maxSessions: MAX_SESSIONS,
  maxHistoryLen: MAX_HISTORY_LEN,
  maxSeqRanges: MAX_SEQ_RANGES,
  maxInputErrorsKept: MAX_INPUT_ERRORS_KEPT,
  maxStreamBytesPerDir: MAX_STREAM_BYTES_PER_DIR,
  maxOooBytesPerDir: MAX_OOO_BYTES_PER_DIR,
  maxOooSegmentsPerDir: MAX_OOO_SEGMENTS_PER_DIR,
  maxHttpHeaderBytes: MAX_HTTP_HEADER_BYTES,
  maxHttpHeaders: MAX_HTTP_HEADERS,
  maxHttpBodyScanBytes: MAX_HTTP_BODY_SCAN_BYTES,
  maxHttpTransactions: MAX_HTTP_TRANSACTIONS,
  maxTlsHandshakeBytes: MAX_TLS_HANDSHAKE_BYTES,
  maxRedirMessageBytes: MAX_REDIR_MESSAGE_BYTES,
  maxSolTranscriptBytes: MAX_SOL_TRANSCRIPT_BYTES,
  maxFieldChars: MAX_FIELD_CHARS,
  maxRmcpPending: MAX_RMCP_PENDING,
  rmcpPairTimeoutUs: RMCP_PAIR_TIMEOUT_US,
  sessionIdleTimeoutUs: SESSION_IDLE_TIMEOUT_US,
  sessionAttemptTimeoutUs: SESSION_ATTEMPT_TIMEOUT_US,
  sessionCloseLingerUs: SESSION_CLOSE_LINGER_US,
  sessionSweepIntervalUs: SESSION_SWEEP_INTERVAL_US,
});
