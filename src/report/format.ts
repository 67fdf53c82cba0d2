/**
 * THE place values are rendered (times, durations, addresses, VLANs, nested data). Every serializer
 * goes through renderValue, so NDJSON, JSON, CSV and the text table always agree on a value.
 * Text values come out of here already sanitized (sanitize.ts); nothing else sanitizes.
 */
import { formatIp, type IpBytes } from '../core/addr.js';
import type { Micros } from '../core/time.js';
import type { FieldKind } from '../records/index.js';
import { bytesToText, sanitizeText } from './sanitize.js';

const US = 1_000_000;
const US_BIG = 1_000_000n;
/** Largest |ms| a Date can hold (ECMA-262 TimeClip). */
const MAX_DATE_MS = 8.64e15;

/**
 * Microseconds -> seconds with exactly six decimals, by integer arithmetic (no float rounding):
 * 1768471200123456 -> "1768471200.123456", 0 -> "0.000000", -1 -> "-0.000001".
 * A non-integer input is rounded to the nearest microsecond; values beyond 2^53 go through BigInt,
 * so any finite number gives a valid decimal. NaN/Infinity give "NaN"/"Infinity"/"-Infinity"
 * (renderValue turns those into null before they reach JSON).
 */
export function formatTime(us: Micros): string {
  if (!Number.isFinite(us)) return String(us);
  let v = Math.round(us);
  const neg = v < 0;
  if (neg) v = -v;
  const sign = neg ? '-' : '';
  if (v <= Number.MAX_SAFE_INTEGER) {
    const frac = v % US; // exact for integers below 2^53
    const sec = (v - frac) / US; // exact: v - frac is a multiple of 10^6
    return `${sign}${sec}.${String(frac).padStart(6, '0')}`;
  }
  const b = BigInt(v);
  return `${sign}${b / US_BIG}.${String(b % US_BIG).padStart(6, '0')}`;
}

/** Durations use the same exact rendering: 0 -> "0.000000", 1500000 -> "1.500000". */
export function formatInterval(us: Micros): string {
  return formatTime(us);
}

/**
 * For people: UTC date and time to the second (truncated), "2026-01-15 10:00:01". Outside the range
 * a Date can hold (or non-finite), falls back to formatTime so it never throws.
 */
export function formatTimeUtc(us: Micros): string {
  if (!Number.isFinite(us)) return String(us);
  const v = Math.round(us);
  const frac = ((v % US) + US) % US;
  const ms = ((v - frac) / US) * 1000;
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return formatTime(us);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** Canonical address text (core/addr formatIp); "?" for anything that is not 4 or 16 bytes. */
export function formatAddr(ip: unknown): string {
  return ip instanceof Uint8Array ? formatIp(ip) : '?';
}

/** `addr:port`, with IPv6 in brackets: `[2001:db8::1]:16992`. */
export function formatHostPort(ip: IpBytes, port: number): string {
  const a = formatAddr(ip);
  return ip instanceof Uint8Array && ip.length === 16 ? `[${a}]:${port}` : `${a}:${port}`;
}

/** A VLAN id as a number, or null when absent (or not a valid number). */
export function formatVlan(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Plain JSON data with every string (keys included) sanitized. */
export type JsonData = null | boolean | number | string | JsonData[] | { [key: string]: JsonData };

/** Nested data deeper than this renders as null (records nest two levels; this only stops cycles). */
const MAX_DEPTH = 8;

/**
 * Nested record data (stats objects) -> JsonData: strings and keys sanitized, non-finite numbers and
 * anything that is not plain data -> null, byte arrays (addresses) -> canonical address text.
 * Objects are built without a prototype, so a key such as `__proto__` is just a key.
 */
export function sanitizeData(v: unknown, depth = 0): JsonData {
  switch (typeof v) {
    case 'string':
      return sanitizeText(v);
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'object': {
      if (v === null || depth >= MAX_DEPTH) return null;
      if (v instanceof Uint8Array) return formatAddr(v);
      if (Array.isArray(v)) return v.map((x: unknown) => sanitizeData(x, depth + 1));
      const out = Object.create(null) as { [key: string]: JsonData };
      for (const k of Object.keys(v)) out[sanitizeText(k)] = sanitizeData((v as Record<string, unknown>)[k], depth + 1);
      return out;
    }
    default:
      return null; // undefined, function, symbol
  }
}

/**
 * One field value, rendered. `number` text is a plain decimal (a JSON number literal); `string`,
 * `strings` items and `object` contents are sanitized text.
 */
export type Rendered =
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'string'; readonly text: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null' }
  | { readonly type: 'strings'; readonly items: readonly string[] }
  | { readonly type: 'object'; readonly value: JsonData };

const R_NULL: Rendered = Object.freeze({ type: 'null' });
const R_TRUE: Rendered = Object.freeze({ type: 'bool', value: true });
const R_FALSE: Rendered = Object.freeze({ type: 'bool', value: false });

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return sanitizeText(v);
  if (v instanceof Uint8Array) return bytesToText(v, 0, v.length); // raw packet bytes (latin1)
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return sanitizeText(String(v));
  return null;
}

/**
 * Renders one record field by its kind (records/index.ts FieldKind). A value of the wrong type for
 * its kind (including NaN/Infinity for numbers) renders as null rather than as something invalid.
 */
export function renderValue(kind: FieldKind, value: unknown): Rendered {
  switch (kind) {
    case 'time':
    case 'interval':
      return typeof value === 'number' && Number.isFinite(value) ? { type: 'number', text: formatTime(value) } : R_NULL;
    case 'addr':
      return value instanceof Uint8Array ? { type: 'string', text: formatIp(value) } : R_NULL;
    case 'count':
    case 'port':
      return typeof value === 'number' && Number.isFinite(value) ? { type: 'number', text: String(value) } : R_NULL;
    case 'float':
      // up to 6 decimals, no exponent, trailing zeros dropped (a ratio or a percentage)
      return typeof value === 'number' && Number.isFinite(value) ? { type: 'number', text: String(Math.round(value * 1e6) / 1e6) } : R_NULL;
    case 'vlan': {
      const v = formatVlan(value);
      return v === null ? R_NULL : { type: 'number', text: String(v) };
    }
    case 'string': {
      const t = textOf(value);
      return t === null ? R_NULL : { type: 'string', text: t };
    }
    case 'bool':
      return value === true ? R_TRUE : value === false ? R_FALSE : R_NULL;
    case 'strings': {
      if (!Array.isArray(value)) return R_NULL;
      const items: string[] = [];
      for (const x of value as unknown[]) items.push(textOf(x) ?? '');
      return { type: 'strings', items };
    }
    case 'object':
      return value === undefined ? R_NULL : { type: 'object', value: sanitizeData(value) };
  }
}

/** A rendered value as plain text for a person (table cells): null and empty -> "-". */
export function plainText(r: Rendered, listSep = ','): string {
  let s: string;
  switch (r.type) {
    case 'number':
    case 'string':
      s = r.text;
      break;
    case 'bool':
      s = r.value ? 'true' : 'false';
      break;
    case 'null':
      s = '';
      break;
    case 'strings':
      s = r.items.join(listSep);
      break;
    case 'object':
      s = JSON.stringify(r.value);
      break;
  }
  return s === '' ? '-' : s;
}
