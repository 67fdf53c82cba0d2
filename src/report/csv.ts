/**
 * CSV: one row per conn record, header first with the CONN_FIELDS keys (RFC 4180 quoting; rows end
 * with LF). Text cells get the formula guard; numbers, times, booleans and addresses do not (they
 * are not text: `-1` stays `-1`). `reasons` is joined with `;`; a null (vlan) is an empty cell.
 * Notices and stats are not rows: CSV ignores them (the caller prints totals to stderr).
 * Rows are written as they arrive; the header goes out with the first row, or at close when there
 * are none.
 */
import { CONN_FIELDS, type ConnRecord, type FieldSpec } from '../records/index.js';
import { renderValue, type Rendered } from './format.js';
import { csvCell } from './sanitize.js';
import type { Reporter, ReportWriter } from './index.js';

/** Separator for a list-of-strings field inside one cell. */
export const CSV_LIST_SEPARATOR = ';';

/** A rendered value as a CSV cell. */
export function csvValue(r: Rendered): string {
  switch (r.type) {
    case 'number':
      return r.text;
    case 'string':
      return csvCell(r.text);
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'null':
      return '';
    case 'strings':
      return csvCell(r.items.join(CSV_LIST_SEPARATOR));
    case 'object':
      return csvCell(JSON.stringify(r.value));
  }
}

export function csvHeader(fields: readonly FieldSpec[] = CONN_FIELDS): string {
  return fields.map((f) => csvCell(f.key)).join(',');
}

export function csvRow(fields: readonly FieldSpec[], rec: object): string {
  const src = rec as Readonly<Record<string, unknown>>;
  return fields.map((f) => csvValue(renderValue(f.kind, src[f.key]))).join(',');
}

export function createCsvReporter(out: ReportWriter): Reporter {
  let closed = false;
  let headerDone = false;
  const header = (): void => {
    if (headerDone) return;
    headerDone = true;
    out.write(`${csvHeader(CONN_FIELDS)}\n`);
  };
  return {
    conn(r: ConnRecord) {
      if (closed) return;
      header();
      out.write(`${csvRow(CONN_FIELDS, r)}\n`);
    },
    notice() {},
    analyzer() {},
    stats() {},
    close() {
      if (closed) return;
      header();
      closed = true;
    },
  };
}
