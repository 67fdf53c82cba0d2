/**
 * What the session layer and the analyzers share, so neither imports the other:
 * directions, and the StreamConsumer interface the session calls with reassembled bytes.
 */
import type { Micros } from './time.js';

export const ORIG = 0;
export const RESP = 1;
export type Direction = 0 | 1;

/** AMT's TCP ports (the product's scope) and the service name each one implies. */
export const AMT_PORT_MIN = 16992;
export const AMT_PORT_MAX = 16995;
export const AMT_SERVICES: Readonly<Record<number, string>> = Object.freeze({
  16992: 'amt-http',
  16993: 'amt-https',
  16994: 'amt-redir',
  16995: 'amt-redir-tls',
});

export function isAmtPort(p: number): boolean {
  return p >= AMT_PORT_MIN && p <= AMT_PORT_MAX;
}

/**
 * The extended ports, watched only with --extended-ports (amt-protocol.md section 1):
 * TCP 623 DASH WS-Management over HTTP, TCP 664 the same over TLS (AMT answers on both), UDP 623
 * RMCP/ASF presence ping/pong, and TCP 5900 (plain RFB into the AMT KVM server, when enabled).
 * 5900 is ordinary VNC far more often than AMT: a 5900 session is an AMT session only once its RFB
 * ServerInit names the desktop `Intel(r) AMT KVM` (see app/pipeline.ts).
 */
export const DASH_HTTP_PORT = 623;
export const DASH_HTTPS_PORT = 664;
export const AMT_KVM_VNC_PORT = 5900;
/** UDP: RMCP (ASF presence ping/pong; IPMI uses the same port with RMCP class 0x07). */
export const RMCP_PORT = 623;
export const EXTENDED_TCP_PORTS: readonly number[] = Object.freeze([DASH_HTTP_PORT, DASH_HTTPS_PORT, AMT_KVM_VNC_PORT]);

/** A table of the TCP ports whose packets reach the session table: 1 for 16992-16995 (and the extended ports). */
export function watchedTcpPorts(extended: boolean): Uint8Array {
  const t = new Uint8Array(65536);
  for (let p = AMT_PORT_MIN; p <= AMT_PORT_MAX; p++) t[p] = 1;
  if (extended) for (const p of EXTENDED_TCP_PORTS) t[p] = 1;
  return t;
}
export const EXTENDED_SERVICES: Readonly<Record<number, string>> = Object.freeze({
  623: 'amt-dash-http',
  664: 'amt-dash-https',
  5900: 'amt-kvm-5900',
});

/** TCP 623, 664 or 5900. */
export function isExtendedTcpPort(p: number): boolean {
  return p === DASH_HTTP_PORT || p === DASH_HTTPS_PORT || p === AMT_KVM_VNC_PORT;
}

/**
 * Whether `p` is a server port for the session table's role rule: an AMT port (16992-16995), or with
 * extended ports on, 623, 664 or 5900.
 */
export function isServerPort(p: number, extended: boolean): boolean {
  return isAmtPort(p) || (extended && isExtendedTcpPort(p));
}

/**
 * Whether a session whose responder port is `p` is an AMT session from its first packet: 16992-16995,
 * and with extended ports on 623 and 664. (5900 is judged later, by the RFB desktop name.)
 */
export function isAmtServerPort(p: number, extended: boolean): boolean {
  return isAmtPort(p) || (extended && (p === DASH_HTTP_PORT || p === DASH_HTTPS_PORT));
}

/** The service name of an AMT session by its server port ('-' when none). */
export function amtServiceName(p: number): string {
  return AMT_SERVICES[p] ?? EXTENDED_SERVICES[p] ?? '-';
}

/**
 * Receives one session's payload in order, per direction. Implemented by analyzers, called by the
 * session layer (wired together in app/). `buf[off..end)` is only valid during the call.
 */
export interface StreamConsumer {
  data(dir: Direction, buf: Uint8Array, off: number, end: number, ts: Micros): void;
  /** `len` bytes of this direction were never seen (capture loss or a reassembly limit). */
  gap(dir: Direction, len: number, ts: Micros): void;
  /** The session ended (close, timeout, eviction or end of input). */
  end(ts: Micros): void;
}
