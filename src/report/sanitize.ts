/**
 * THE one place packet-derived text is made safe, once, at the output edge (style rule 11).
 *
 * Escape form (documented in the README output section; never change it once shipped):
 *   - a backslash becomes `\\`, so every escape below is unambiguous and the mapping is reversible;
 *   - a code point up to U+00FF that is a control character becomes `\xNN` (two lower-case hex
 *     digits): C0 including TAB, LF and CR (`\x09`, `\x0a`, `\x0d`), DEL (`\x7f`), C1 (`\x80`-`\x9f`)
 *     and the soft hyphen (`\xad`, an invisible format character);
 *   - a code point above U+00FF that must not reach a reader becomes `\u{NNNN}` (lower-case hex, at
 *     least four digits): every format character (Unicode category Cf: bidi embeddings, overrides and
 *     isolates U+202A-U+202E and U+2066-U+2069, U+061C, zero-width U+200B-U+200F, U+2060-U+2064, the
 *     byte-order mark U+FEFF, tag characters U+E0000-U+E007F, ...), the line and paragraph separators
 *     U+2028/U+2029, and lone UTF-16 surrogates (U+D800-U+DFFF not part of a pair), which would
 *     otherwise become invalid UTF-8.
 * Everything else passes through unchanged (printable ASCII, Latin-1 letters, other scripts, emoji).
 * The result contains no control character, no bidi/invisible format character and is well-formed
 * UTF-16, so it is safe for JSON, CSV and a terminal.
 *
 * This follows Zeek's JSON escape policy (hex escapes for bytes that are not printable), with the
 * `\u{...}` form added for the code points above U+00FF that Zeek passes through.
 */
import { Buffer } from 'node:buffer';

/** Characters that need an escape: backslash, Cc, Cf, Zl, Zp and lone surrogates (Cs). */
const NEEDS_ESCAPE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const ESCAPE_ALL = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function escapeOne(ch: string): string {
  if (ch === '\\') return '\\\\';
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16).padStart(4, '0')}}`;
}

/**
 * Makes text safe for every output format (see the escape form above). Not idempotent: a second
 * pass would double the backslashes, so it runs exactly once, inside report/ (renderValue).
 */
export function sanitizeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(ESCAPE_ALL, escapeOne);
}

const CONTROLS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * For a line a person reads on a terminal (log lines, error lines) that holds operator-supplied
 * text such as file names or policy values: control and invisible format characters escaped as
 * above, backslashes left alone (the line may hold text sanitizeText already escaped).
 */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escapeOne);
}

/**
 * Raw packet bytes -> safe text: ISO-8859-1 decode (every byte is one code point U+0000-U+00FF, so no
 * byte sequence is "invalid"), then sanitizeText. Bounds are clamped to the buffer; never throws.
 */
export function bytesToText(buf: Uint8Array, off: number, end: number): string {
  const len = buf.length;
  const a = clampIndex(off, len);
  const b = clampIndex(end, len);
  if (b <= a) return '';
  return sanitizeText(Buffer.from(buf.buffer, buf.byteOffset + a, b - a).toString('latin1'));
}

function clampIndex(i: number, len: number): number {
  if (!(i > 0)) return 0; // also NaN
  if (i >= len) return len;
  return Math.trunc(i);
}

/** Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const CSV_NEEDS_QUOTES = /[",\r\n]/;

/**
 * CSV formula guard for text cells: a leading `'` when the cell starts with `= + - @`, TAB or CR.
 * The one exception is a cell that is exactly `-` (the "unset" marker, as in Zeek's logs): nothing
 * follows the sign, so no spreadsheet evaluates it.
 */
export function csvGuard(s: string): string {
  return s !== '-' && FORMULA_START.test(s) ? `'${s}` : s;
}

/** RFC 4180 quoting: quoted when it holds a comma, a double quote, CR or LF; quotes doubled. */
export function csvQuote(s: string): string {
  return CSV_NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A CSV cell for a text (string-kind) value that has already been through sanitizeText: formula
 * guard, then RFC 4180 quoting. Numbers are not text: render them with csvQuote or as they are.
 */
export function csvCell(s: string): string {
  return csvQuote(csvGuard(s));
}
