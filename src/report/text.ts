/**
 * Text: for a person on a terminal. Buffers until close(), then writes
 *   1. the UNAUTHORIZED AMT sessions as an aligned table, in start-time order (time UTC, client, server, [vlan,] service,
 *      state, duration, bytes orig/resp, reasons, uid);
 *   2. the authorized sessions as a count (as a table too with `verbose`);
 *   3. notices that are not about unauthorized sessions (time, note, uid, msg);
 *   4. totals from the (last) stats record.
 * The vlan column appears only when some listed session has a VLAN tag.
 * Column widths follow the content up to a cap per column (longer cells end in "…"). Every data
 * value goes through renderValue, so it is sanitized: no control character (ESC included) from data
 * ever reaches the terminal. With `color` (the caller decided the output is a TTY and colour is
 * allowed) our own SGR codes mark the section headings; nothing else is ever coloured.
 */
import { NOTE_UNAUTHORIZED_SESSION, type ConnRecord, type NoticeRecord, type StatsRecord } from '../records/index.js';
import { formatHostPort, formatInterval, formatTimeUtc, plainText, renderValue } from './format.js';
import type { Reporter, ReporterOptions, ReportWriter } from './index.js';

/** Our only escape sequences: SGR bold red, bold, reset. */
export const SGR_ALERT = '\x1b[1;31m';
export const SGR_BOLD = '\x1b[1m';
export const SGR_RESET = '\x1b[0m';

const ELLIPSIS = '…';
const GAP = '  ';

export interface Column {
  readonly title: string;
  /** Widest the column may get, in code points. */
  readonly cap: number;
  readonly right?: boolean;
}

const C_TIME: Column = { title: 'time (UTC)', cap: 19 };
const C_CLIENT: Column = { title: 'client', cap: 47 };
const C_SERVER: Column = { title: 'server', cap: 47 };
const C_VLAN: Column = { title: 'vlan', cap: 9, right: true };
const C_SERVICE: Column = { title: 'service', cap: 16 };
const C_STATE: Column = { title: 'state', cap: 8 };
const C_DURATION: Column = { title: 'duration', cap: 18, right: true };
const C_BYTES: Column = { title: 'bytes orig/resp', cap: 31, right: true };
const C_AMT: Column = { title: 'amt', cap: 56 };
const C_REASONS: Column = { title: 'reasons', cap: 48 };
const C_UID: Column = { title: 'uid', cap: 24 };
const C_NOTE: Column = { title: 'note', cap: 40 };
/** Last in its table, so a long message (an advisory list) runs on instead of being cut short. */
const C_MSG: Column = { title: 'msg', cap: 1024 };

const HAS_SURROGATE = /[\ud800-\udfff]/;

/** Length in code points (what a terminal shows for most text; wide CJK cells are not measured). */
export function textWidth(s: string): number {
  if (!HAS_SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cuts `s` to at most `w` code points, ending in "…" when cut; never splits a surrogate pair. */
export function fitText(s: string, w: number): string {
  if (textWidth(s) <= w) return s;
  if (w <= 0) return '';
  if (!HAS_SURROGATE.test(s)) return s.slice(0, w - 1) + ELLIPSIS;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n === w - 1) break;
    out += ch;
    n++;
  }
  return out + ELLIPSIS;
}

/** Aligned rows: widths from content (header included) capped per column; no trailing spaces. */
export function renderTable(cols: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = cols.map((c) => Math.min(c.cap, textWidth(c.title)));
  for (const row of rows) {
    for (let i = 0; i < cols.length; i++) {
      const w = Math.min((cols[i] as Column).cap, textWidth(row[i] ?? ''));
      if (w > (widths[i] as number)) widths[i] = w;
    }
  }
  const line = (cells: readonly string[]): string => {
    let s = '';
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Column;
      const w = widths[i] as number;
      const t = fitText(cells[i] ?? '', w);
      const pad = ' '.repeat(w - textWidth(t));
      const last = i === cols.length - 1;
      s += (i > 0 ? GAP : '') + (c.right ? pad + t : last ? t : t + pad);
    }
    return s.trimEnd();
  };
  const out = [line(cols.map((c) => c.title))];
  for (const row of rows) out.push(line(row));
  return out;
}

interface SessionRow {
  /** Start time, for ordering the table (records arrive when sessions end). */
  readonly ts: number;
  readonly cells: readonly string[]; // without the vlan cell
  readonly vlan: string | null;
}

/** The AMT facts of a session in a few words: `fw 9.5.30.1000, user admin, auth success, SOL, TLSv12`. */
function amtSummary(r: ConnRecord): string {
  const parts: string[] = [];
  const str = (v: unknown): string | null => {
    const x = renderValue('string', v);
    return x.type === 'null' ? null : plainText(x);
  };
  const fw = str(r.amt_firmware);
  if (fw !== null) parts.push(`fw ${fw}`);
  const user = str(r.amt_user);
  if (user !== null) parts.push(`user ${user}`);
  const auth = str(r.amt_auth);
  if (auth !== null && auth !== 'none') parts.push(`auth ${auth}`);
  const redir = str(r.amt_redirection);
  if (redir !== null) parts.push(redir);
  const tls = str(r.tls_version);
  if (tls !== null) parts.push(tls);
  const sni = str(r.tls_sni);
  if (sni !== null) parts.push(`sni ${sni}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

function sessionRow(r: ConnRecord): SessionRow {
  const vlan = renderValue('vlan', r.vlan);
  const inner = renderValue('vlan', r.inner_vlan);
  const vlanText = vlan.type === 'null' ? null : plainText(vlan) + (inner.type === 'null' ? '' : `/${plainText(inner)}`);
  return {
    ts: typeof r.ts === 'number' && Number.isFinite(r.ts) ? r.ts : Number.MAX_VALUE,
    cells: [
      typeof r.ts === 'number' ? formatTimeUtc(r.ts) : '-',
      formatHostPort(r['id.orig_h'], r['id.orig_p']),
      formatHostPort(r['id.resp_h'], r['id.resp_p']),
      plainText(renderValue('string', r.service)),
      plainText(renderValue('string', r.conn_state)),
      plainText(renderValue('interval', r.duration)),
      `${plainText(renderValue('count', r.orig_bytes))}/${plainText(renderValue('count', r.resp_bytes))}`,
      amtSummary(r),
      plainText(renderValue('strings', r.reasons)),
      plainText(renderValue('string', r.uid)),
    ],
    vlan: vlanText,
  };
}

/** Rows in session start order (stable for equal times), since records arrive when sessions end. */
function sessionTable(unsorted: readonly SessionRow[]): string[] {
  const rows = [...unsorted].sort((a, b) => a.ts - b.ts);
  const withVlan = rows.some((r) => r.vlan !== null);
  const cols = [C_TIME, C_CLIENT, C_SERVER, ...(withVlan ? [C_VLAN] : []), C_SERVICE, C_STATE, C_DURATION, C_BYTES, C_AMT, C_REASONS, C_UID];
  return renderTable(
    cols,
    rows.map((r) => (withVlan ? [...r.cells.slice(0, 3), r.vlan ?? '-', ...r.cells.slice(3)] : r.cells)),
  );
}

function noticeRow(r: NoticeRecord): string[] {
  return [
    typeof r.ts === 'number' ? formatTimeUtc(r.ts) : '-',
    plainText(renderValue('string', r.note)),
    plainText(renderValue('string', r.uid)),
    plainText(renderValue('string', r.msg)),
  ];
}

const LABEL_WIDTH = 17;
const CODE_CAP = 64;
const ERROR_LINE_CAP = 200;

function num(v: unknown): string {
  return plainText(renderValue('count', v));
}

function totals(s: StatsRecord): string[] {
  const out: string[] = [];
  const kv = (label: string, value: string): void => {
    out.push(`${label.padEnd(LABEL_WIDTH)}${value}`);
  };
  kv('files', num(s.files));
  kv('frames', num(s.frames));
  const amt = typeof s.amt_sessions === 'number' ? s.amt_sessions : 0;
  const unauth = typeof s.amt_sessions_unauthorized === 'number' ? s.amt_sessions_unauthorized : 0;
  kv('AMT sessions', `${num(s.amt_sessions)} (${num(amt - unauth)} authorized, ${num(s.amt_sessions_unauthorized)} unauthorized)`);
  kv('other sessions', num(s.other_sessions));
  kv('notices', num(s.notices));
  if (typeof s.sessions_evicted === 'number' && s.sessions_evicted > 0) kv('sessions evicted', num(s.sessions_evicted));
  if (typeof s.missed_bytes === 'number' && s.missed_bytes > 0) kv('missed bytes', num(s.missed_bytes));

  const anomalies = renderValue('object', s.anomalies);
  const entries: [string, string][] = [];
  let anomalyTotal = 0;
  if (anomalies.type === 'object' && anomalies.value !== null && typeof anomalies.value === 'object' && !Array.isArray(anomalies.value)) {
    const obj = anomalies.value;
    for (const code of Object.keys(obj).sort()) {
      const n = obj[code];
      if (typeof n === 'number') anomalyTotal += n;
      entries.push([code === '' ? '-' : code, typeof n === 'number' ? String(n) : '-']);
    }
  }
  kv('anomalies', String(anomalyTotal));
  let codeWidth = 0;
  for (const [code] of entries) codeWidth = Math.max(codeWidth, Math.min(CODE_CAP, textWidth(code)));
  for (const [code, n] of entries) {
    const c = fitText(code, CODE_CAP);
    out.push(`  ${c}${' '.repeat(codeWidth - textWidth(c))}  ${n}`);
  }

  const listed = Array.isArray(s.input_errors) ? s.input_errors : [];
  const errTotal = typeof s.input_errors_total === 'number' ? s.input_errors_total : listed.length;
  kv('input errors', num(errTotal));
  for (const e of listed) {
    const file = plainText(renderValue('string', e.file));
    const frame = typeof e.frame === 'number' && e.frame > 0 ? `frame ${num(e.frame)}, ` : '';
    const msg = plainText(renderValue('string', e.message));
    out.push(fitText(`  ${file}: ${frame}byte offset ${num(e.offset)}: ${msg}${e.fatal === true ? ' (reading stopped)' : ''}`, ERROR_LINE_CAP));
  }
  if (errTotal > listed.length) out.push(`  … ${num(errTotal - listed.length)} more not kept`);
  kv('elapsed', `${typeof s.elapsed_s === 'number' && Number.isFinite(s.elapsed_s) ? formatInterval(s.elapsed_s) : '-'} s`);
  return out;
}

export function createTextReporter(out: ReportWriter, opts: ReporterOptions = {}): Reporter {
  const color = opts.color === true;
  const verbose = opts.verbose === true;
  const paint = (s: string, sgr: string): string => (color ? `${sgr}${s}${SGR_RESET}` : s);
  let closed = false;
  const unauthorized: SessionRow[] = [];
  const authorizedRows: SessionRow[] = [];
  let authorizedCount = 0;
  const notices: string[][] = [];
  let stats: StatsRecord | null = null;

  const writeLines = (lines: readonly string[]): void => {
    if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
  };

  return {
    conn(r: ConnRecord) {
      if (closed) return;
      if (r.authorized === true) {
        authorizedCount++;
        if (verbose) authorizedRows.push(sessionRow(r));
      } else {
        unauthorized.push(sessionRow(r));
      }
    },
    analyzer() {
      // summarized through the conn records' amt_* fields and the notices
    },
    notice(r: NoticeRecord) {
      if (closed || r.note === NOTE_UNAUTHORIZED_SESSION) return;
      notices.push(noticeRow(r));
    },
    stats(r: StatsRecord) {
      if (!closed) stats = r;
    },
    close() {
      if (closed) return;
      closed = true;
      if (unauthorized.length > 0) {
        writeLines([paint(`UNAUTHORIZED AMT SESSIONS (${unauthorized.length})`, SGR_ALERT), ...sessionTable(unauthorized)]);
      } else {
        writeLines(['No unauthorized AMT sessions.']);
      }
      if (verbose && authorizedRows.length > 0) {
        writeLines(['', paint(`AUTHORIZED AMT SESSIONS (${authorizedCount})`, SGR_BOLD), ...sessionTable(authorizedRows)]);
      } else {
        writeLines(['', `Authorized AMT sessions: ${authorizedCount}`]);
      }
      if (notices.length > 0) {
        writeLines(['', paint(`OTHER NOTICES (${notices.length})`, SGR_BOLD), ...renderTable([C_TIME, C_NOTE, C_UID, C_MSG], notices)]);
      }
      if (stats !== null) writeLines(['', paint('TOTALS', SGR_BOLD), ...totals(stats)]);
      unauthorized.length = 0;
      authorizedRows.length = 0;
      notices.length = 0;
    },
  };
}
