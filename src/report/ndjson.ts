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
  type FieldSpec,
  type NoticeRecord,
  type StatsRecord,
} from '../records/index.js';
import { renderValue, type Rendered } from './format.js';
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

/** One record as a JSON object (no newline), keys in `fields` order; other properties are not emitted. */
export function jsonRecord(fields: readonly FieldSpec[], rec: object): string {
  const src = rec as Readonly<Record<string, unknown>>;
  let s = '{';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FieldSpec;
    if (i > 0) s += ',';
    s += JSON.stringify(f.key);
    s += ':';
    s += jsonValue(renderValue(f.kind, src[f.key]));
  }
  return `${s}}`;
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
