/**
 * NDJSON: one JSON object per line, written as each record arrives (live mode streams). Keys come
 * in field-spec order with exactly the emitted names; values come from renderValue. Lines are built
 * by hand (never a logger's formatter: see the pino `{,` trap in the style guide) so that time
 * fields keep their six decimals as JSON numbers (`"ts":1768471200.120000`); strings are sanitized
 * first, then JSON-escaped with JSON.stringify.
 */
import {
  ANALYZER_FIELDS,
  CONN_FIELDS,
  NOTICE_FIELDS,
  STATS_FIELDS,
  type AnalyzerRecord,
  type ConnRecord,
  type FieldKind,
  type FieldSpec,
  type NoticeRecord,
  type StatsRecord,
} from '../records/index.js';
import { formatIp } from '../core/addr.js';
import { formatTime, renderValue, type Rendered } from './format.js';
import type { Reporter, ReportWriter } from './index.js';

/** A rendered value as JSON text. */
export function jsonValue(r: Rendered): string {
  switch (r.type) {
    case 'number':
      return r.text;
    case 'string':
      return JSON.stringify(r.text);
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'strings':
      return r.items.length === 0 ? '[]' : `[${r.items.map((s) => JSON.stringify(s)).join(',')}]`;
    case 'object':
      return JSON.stringify(r.value);
  }
}

/**
 * jsonValue(renderValue(kind, value)) without the intermediate Rendered object: the NDJSON writer
 * runs this for every field of every record (a SYN flood ends tens of thousands of sessions a
 * second), so it goes straight to JSON text. The same rules, from the same helpers; a test checks
 * both paths give the same text for every kind over many values.
 */
export function jsonFieldValue(kind: FieldKind, value: unknown): string {
  switch (kind) {
    case 'time':
    case 'interval':
      return typeof value === 'number' && Number.isFinite(value) ? formatTime(value) : 'null';
    case 'addr':
      // formatIp gives only digits, hex letters, '.', ':' and '?': nothing to escape
      return value instanceof Uint8Array ? `"${formatIp(value)}"` : 'null';
    case 'count':
    case 'port':
    case 'vlan':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : 'null';
    case 'bool':
      return value === true ? 'true' : value === false ? 'false' : 'null';
    default:
      return jsonValue(renderValue(kind, value));
  }
}

const PREFIXES = new WeakMap<readonly FieldSpec[], readonly string[]>();

/** `{"key":` for the first field, `,"key":` for the others, computed once per field list. */
function prefixesOf(fields: readonly FieldSpec[]): readonly string[] {
  let p = PREFIXES.get(fields);
  if (p === undefined) {
    p = fields.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f.key)}:`);
    PREFIXES.set(fields, p);
  }
  return p;
}

/** Reused for every record: the parts of one line, joined once into a flat string. */
const PARTS: string[] = [];

/** One record as a JSON object (no newline), keys in `fields` order; other properties are not emitted. */
export function jsonRecord(fields: readonly FieldSpec[], rec: object): string {
  if (fields.length === 0) return '{}';
  const src = rec as Readonly<Record<string, unknown>>;
  const pre = prefixesOf(fields);
  const n = fields.length;
  PARTS.length = 2 * n + 1;
  for (let i = 0; i < n; i++) {
    const f = fields[i] as FieldSpec;
    PARTS[2 * i] = pre[i] as string;
    PARTS[2 * i + 1] = jsonFieldValue(f.kind, src[f.key]);
  }
  PARTS[2 * n] = '}';
  return PARTS.join('');
}

export function connJson(r: ConnRecord): string {
  return jsonRecord(CONN_FIELDS, r);
}

export function noticeJson(r: NoticeRecord): string {
  return jsonRecord(NOTICE_FIELDS, r);
}

export function analyzerJson(r: AnalyzerRecord): string {
  return jsonRecord(ANALYZER_FIELDS[r.event_type], r);
}

export function statsJson(r: StatsRecord): string {
  return jsonRecord(STATS_FIELDS, r);
}

/** Streams every record (conn, notice, stats) as one line, one `write` per line. */
export function createNdjsonReporter(out: ReportWriter): Reporter {
  let closed = false;
  const line = (s: string): void => {
    if (!closed) out.write(`${s}\n`);
  };
  return {
    conn: (r) => line(connJson(r)),
    notice: (r) => line(noticeJson(r)),
    analyzer: (r) => line(analyzerJson(r)),
    stats: (r) => line(statsJson(r)),
    close: () => {
      closed = true;
    },
  };
}
