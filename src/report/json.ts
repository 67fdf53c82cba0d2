/**
 * JSON: one document for offline use,
 * `{"conn":[...],"notice":[...],"http":[...],"tls":[...],"amt_redir":[...],"stats":{...}}`, with one record
 * per line inside the arrays so it stays diffable. An `"rmcp":[...]` array (UDP 623 datagrams, only
 * with --extended-ports) comes after `amt_redir` when there is at least one rmcp record; without any
 * the document is exactly as before the extended ports existed. Values are rendered exactly as in NDJSON.
 * Conn objects are written as they arrive (the array is opened by the first one); notices and the
 * stats object are held until close(), so memory grows only with the notices, which the caller
 * bounds. A later stats record replaces an earlier one; with none, `"stats":null`.
 */
import type { AnalyzerRecord, ConnRecord, NoticeRecord, StatsRecord } from '../records/index.js';
import { analyzerJson, connJson, noticeJson, statsJson } from './ndjson.js';
import type { Reporter, ReportWriter } from './index.js';

export function createJsonReporter(out: ReportWriter): Reporter {
  let closed = false;
  let conns = 0;
  const notices: string[] = [];
  const held: Record<AnalyzerRecord['event_type'], string[]> = { http: [], tls: [], amt_redir: [], rmcp: [] };
  let stats: string | null = null;
  return {
    conn(r: ConnRecord) {
      if (closed) return;
      out.write(`${conns === 0 ? '{"conn":[\n' : ',\n'}${connJson(r)}`);
      conns++;
    },
    notice(r: NoticeRecord) {
      if (!closed) notices.push(noticeJson(r));
    },
    analyzer(r: AnalyzerRecord) {
      if (!closed) held[r.event_type].push(analyzerJson(r));
    },
    stats(r: StatsRecord) {
      if (!closed) stats = statsJson(r);
    },
    close() {
      if (closed) return;
      closed = true;
      out.write(conns === 0 ? '{"conn":[],"notice":[' : '\n],"notice":[');
      for (let i = 0; i < notices.length; i++) out.write(`${i === 0 ? '\n' : ',\n'}${notices[i] as string}`);
      out.write(notices.length === 0 ? ']' : '\n]');
      for (const k of ['http', 'tls', 'amt_redir', 'rmcp'] as const) {
        const list = held[k];
        if (k === 'rmcp' && list.length === 0) continue;
        out.write(`,"${k}":[`);
        for (let i = 0; i < list.length; i++) out.write(`${i === 0 ? '\n' : ',\n'}${list[i] as string}`);
        out.write(list.length === 0 ? ']' : '\n]');
        list.length = 0;
      }
      out.write(`,"stats":${stats ?? 'null'}}\n`);
      notices.length = 0;
    },
  };
}
