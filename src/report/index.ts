/**
 * The report layer: serializes records, decides nothing (style rule 7). Writes go synchronously to
 * the injected writer; the caller owns the destination, back-pressure and flushing. Nothing here
 * touches `process`.
 *
 *   ndjson  every record (conn, notice, http, tls, amt_redir, stats) as one line, as it arrives
 *   json    one document {"conn":[...],"notice":[...],"http":[...],"tls":[...],"amt_redir":[...],
 *           "stats":{...}} completed at close()
 *   csv     conn records only, one row each after a header row
 *   text    tables and totals for a person, written at close() (analyzer records are summarized
 *           through the conn records' amt_* fields and the notices)
 *
 * After close(), further records are ignored (a late packet callback during shutdown must not
 * throw or write past the end of the document).
 */
import type { AnalyzerRecord, ConnRecord, NoticeRecord, StatsRecord } from '../records/index.js';
import { createCsvReporter } from './csv.js';
import { createJsonReporter } from './json.js';
import { createNdjsonReporter } from './ndjson.js';
import { createTextReporter } from './text.js';

export type ReportFormat = 'text' | 'ndjson' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'ndjson', 'json', 'csv'];

/** Where output goes: anything with a synchronous write(string) (SonicBoom, a test sink, ...). */
export interface ReportWriter {
  write(s: string): unknown;
}

export interface ReporterOptions {
  /** Text only: the caller decided the output is a TTY and colour is allowed. */
  color?: boolean;
  /** Text only: also list the authorized sessions. */
  verbose?: boolean;
}

export interface Reporter {
  conn(r: ConnRecord): void;
  notice(r: NoticeRecord): void;
  /** A protocol analyzer's record (http, tls, amt_redir). */
  analyzer(r: AnalyzerRecord): void;
  stats(r: StatsRecord): void;
  /** Writes whatever was buffered; idempotent. Does not close the writer. */
  close(): void;
}

export function createReporter(format: ReportFormat, out: ReportWriter, opts: ReporterOptions = {}): Reporter {
  switch (format) {
    case 'ndjson':
      return createNdjsonReporter(out);
    case 'json':
      return createJsonReporter(out);
    case 'csv':
      return createCsvReporter(out);
    case 'text':
      return createTextReporter(out, opts);
    default: {
      const bad: never = format;
      throw new TypeError(`unknown report format: ${String(bad)}`);
    }
  }
}

export { bytesToText, csvCell, csvGuard, csvQuote, sanitizeText } from './sanitize.js';
export { formatAddr, formatHostPort, formatInterval, formatTime, formatTimeUtc, formatVlan, renderValue, type Rendered } from './format.js';
