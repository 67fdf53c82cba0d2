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
