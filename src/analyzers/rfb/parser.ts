/**
 * Pure RFB helpers for the plain-RFB analyzer. ProtocolVersion parsing and formatting, the RFB
 * lengths and Latin-1 decoding are amt-redir's (the same RFB runs inside AMT redirection after 0x41);
 * this adds the ServerInit desktop name.
 */
import { u32be } from '../../core/bytes.js';
import { RFB_SERVER_INIT_LENGTH } from '../amt-redir/constants.js';
import { latin1 } from '../amt-redir/parser.js';

export { formatRfbVersion, parseRfbVersion } from '../amt-redir/parser.js';

/** The desktop name of a ServerInit, as far as it is wanted. */
export interface ServerInitName {
  /** Declared name length (u32). */
  nameLen: number;
  /** Bytes of the name needed to decide (min(nameLen, maxChars)); the caller waits for 24 + keep. */
  keep: number;
  /** The name (Latin-1, at most maxChars characters), or null while fewer than 24 + keep bytes are here. */
  name: string | null;
  /** The name was longer than maxChars. */
  cut: boolean;
}

/**
 * ServerInit at `buf[off..end)`: width (2), height (2), pixel format (16), name length (4), name.
 * Returns null when fewer than 24 bytes are there; otherwise the declared length and, when the
 * first min(length, maxChars) name bytes are there too, the name.
 */
export function parseServerInitName(buf: Uint8Array, off: number, end: number, maxChars: number): ServerInitName | null {
  if (end > buf.length) end = buf.length;
  if (end - off < RFB_SERVER_INIT_LENGTH) return null;
  const nameLen = u32be(buf, off + 20);
  const keep = Math.min(nameLen, Math.max(0, maxChars));
  if (end - off < RFB_SERVER_INIT_LENGTH + keep) return { nameLen, keep, name: null, cut: false };
  const s = latin1(buf, off + RFB_SERVER_INIT_LENGTH, off + RFB_SERVER_INIT_LENGTH + keep, keep);
  return { nameLen, keep, name: s.s, cut: keep < nameLen };
}
