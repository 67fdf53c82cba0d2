/** A fixed record set for the report tests: IPv4, IPv6 (compressed, ::ffff:mapped), vlan and null vlan, empty reasons. */
import { parseIp, type IpBytes } from '../../../src/core/addr.js';
import {
  NOTE_UNAUTHORIZED_SESSION,
  REASON_CLIENT_NOT_AUTHORIZED,
  REASON_SERVER_NOT_IN_INVENTORY,
  type ConnRecord,
  type NoticeRecord,
  type StatsRecord,
} from '../../../src/records/index.js';
import type { ReportWriter } from '../../../src/report/index.js';

export function ip(s: string): IpBytes {
  const a = parseIp(s);
  if (a === null) throw new Error(`bad test address ${s}`);
  return a;
}

export function conn(over: Partial<ConnRecord> = {}): ConnRecord {
  return {
    event_type: 'conn',
    ts: 1768471201123456,
    uid: 'CAbc123def456',
    'id.orig_h': ip('10.0.0.5'),
    'id.orig_p': 50001,
    'id.resp_h': ip('10.0.0.10'),
    'id.resp_p': 16992,
    proto: 'tcp',
    service: 'amt-http',
    duration: 1500000,
    orig_bytes: 120,
    resp_bytes: 3400,
    conn_state: 'SF',
    missed_bytes: 0,
    history: 'ShADadFf',
    orig_pkts: 6,
    orig_ip_bytes: 440,
    resp_pkts: 5,
    resp_ip_bytes: 3668,
    vlan: 10,
    inner_vlan: null,
    amt_firmware: '9.5.30.1000',
    amt_user: 'admin',
    amt_auth: 'success',
    amt_redirection: null,
    tls_version: null,
    tls_sni: null,
    authorized: false,
    reasons: [REASON_CLIENT_NOT_AUTHORIZED],
    interim: false,
    ...over,
  };
}

/** Unauthorized IPv4 session on VLAN 10. */
export const C1 = conn();

/** Authorized IPv6 session (compressed forms), no VLAN, empty reasons. */
export const C2 = conn({
  ts: 1768471202000000,
  uid: 'CDef789',
  'id.orig_h': ip('2001:0db8:0000:0000:0000:0000:0000:0005'),
  'id.orig_p': 40000,
  'id.resp_h': ip('2001:db8::1:0:0:10'),
  'id.resp_p': 16993,
  service: 'amt-https',
  duration: 0,
  orig_bytes: 0,
  resp_bytes: 0,
  conn_state: 'S0',
  history: 'S',
  orig_pkts: 1,
  orig_ip_bytes: 80,
  resp_pkts: 0,
  resp_ip_bytes: 0,
  vlan: null,
  amt_firmware: null,
  amt_user: null,
  amt_auth: 'unknown',
  tls_version: 'TLSv12',
  tls_sni: 'amt.example',
  authorized: true,
  reasons: [],
});

/** Unauthorized, IPv4-mapped client, two reasons, stacked VLANs, trailing-zero times. */
export const C3 = conn({
  ts: 1768471203120000,
  uid: 'CGhi000',
  'id.orig_h': ip('::ffff:192.0.2.7'),
  'id.orig_p': 1024,
  'id.resp_h': ip('fe80::1'),
  'id.resp_p': 16994,
  service: 'amt-redir',
  duration: 999999,
  orig_bytes: 16,
  resp_bytes: 8,
  conn_state: 'S1',
  history: 'ShAD',
  orig_pkts: 3,
  orig_ip_bytes: 180,
  resp_pkts: 2,
  resp_ip_bytes: 120,
  vlan: 100,
  inner_vlan: 200,
  amt_auth: 'failure',
  amt_redirection: 'SOL',
  reasons: [REASON_CLIENT_NOT_AUTHORIZED, REASON_SERVER_NOT_IN_INVENTORY],
});

export const N1: NoticeRecord = {
  event_type: 'notice',
  ts: 1768471201123456,
  uid: 'CAbc123def456',
  'id.orig_h': ip('10.0.0.5'),
  'id.orig_p': 50001,
  'id.resp_h': ip('10.0.0.10'),
  'id.resp_p': 16992,
  vlan: 10,
  note: NOTE_UNAUTHORIZED_SESSION,
  msg: '10.0.0.5 opened an AMT HTTP/WS-Management session to 10.0.0.10:16992: the client is not an authorized management console',
  sub: null,
  src: null,
  n: null,
  reasons: [REASON_CLIENT_NOT_AUTHORIZED],
};

export const N2: NoticeRecord = {
  event_type: 'notice',
  ts: 1768471204000001,
  uid: 'CGhi000',
  'id.orig_h': ip('::ffff:192.0.2.7'),
  'id.orig_p': 1024,
  'id.resp_h': ip('fe80::1'),
  'id.resp_p': 16994,
  vlan: null,
  note: 'amt.redir_weird',
  msg: 'redirection message too long',
  sub: 'tool=nmap',
  src: ip('192.0.2.7'),
  n: 3,
  reasons: [],
};

export const S: StatsRecord = {
  event_type: 'stats',
  ts: 1768471204000001,
  final: true,
  files: 2,
  file_details: [
    { file: 'a.pcap', format: 'pcap', compressed: false, frames: 30, bytes: 4096 },
    { file: 'b.pcapng.gz', format: 'pcapng', compressed: true, frames: 12, bytes: 2048 },
  ],
  frames: 42,
  bytes: 6144,
  amt_frames: 17,
  amt_sessions: 3,
  amt_sessions_unauthorized: 2,
  other_sessions: 4,
  notices: 2,
  sessions_evicted: 0,
  missed_bytes: 0,
  sessions_open: 0,
  sessions_closed: 3,
  capture: null,
  capture_loss_pct: 0,
  mem_rss_bytes: 52428800,
  anomalies: { 'tcp.bad_flags': 1, 'decode.ipv4.truncated': 2 },
  input_errors: [
    { file: 'b.pcapng.gz', frame: 13, offset: 2048, code: 'io.truncated', message: 'truncated record', fatal: true },
  ],
  input_errors_total: 1,
  elapsed_s: 123456,
};

/** In-memory writer: everything written, and the number of write calls. */
export function sink(): ReportWriter & { text: string; writes: number } {
  const s = {
    text: '',
    writes: 0,
    write(x: string) {
      s.text += x;
      s.writes++;
      return true;
    },
  };
  return s;
}

/** Strings an attacker controls on the wire (or in file names), every trick at once. */
export const HOSTILE: readonly string[] = [
  'quote " and \\ backslash',
  'NUL\x00byte',
  'ESC \x1b[31mred\x1b[0m OSC \x1b]0;pwned\x07 clear \x1b[2J\x1bc',
  'CR\rLF\nCRLF\r\nTAB\t',
  'line\u2028sep\u2029end',
  'lone \ud800 high, \udfff low, reversed \udc00\ud800',
  'bidi \u202egnp.exe\u202c \u2066iso\u2069 \u061c zero\u200bwidth \ufeff bom \u200e\u200f',
  'C1 CSI \x9b31m NEL \x85 DEL \x7f',
  '=cmd|" /C calc"!A0',
  '+1+1',
  '-1',
  '@SUM(A1:A2)',
  '\tTAB first',
  '\rCR first',
  'comma, "quoted", end',
  'emoji 😀 and ü é latin1',
  '\\x41 already looks like an escape \\u{202e}',
  'tag \u{e0041}\u{e007f} chars',
  '__proto__',
  '',
];

/** Every byte 0x00-0xff, as text through latin1 (bytesToText). */
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Characters no output may contain (apart from the line breaks the format itself writes). */
export const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Inverse of sanitizeText, to prove the escape is unambiguous (test-only). */
export function unescapeSanitized(s: string): string {
  return s.replace(/\\(\\|x([0-9a-f]{2})|u\{([0-9a-f]{4,6})\})/g, (_m, all: string, x?: string, u?: string) => {
    if (x !== undefined) return String.fromCharCode(parseInt(x, 16));
    if (u !== undefined) {
      const cp = parseInt(u, 16);
      // lone surrogates are not valid code points for fromCodePoint's purposes, but fromCharCode keeps them
      return cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    return all; // "\\" -> "\"
  });
}

/** A tiny RFC 4180 parser (LF or CRLF row ends), for round-trip tests. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += ch === '\r' ? 2 : 1;
    } else if (ch === '"') {
      throw new Error(`bare quote in unquoted cell at ${i}`);
    } else {
      cell += ch;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A conn record whose every text field is hostile. */
export function hostileConn(s: string, i = 0): ConnRecord {
  return conn({
    uid: s,
    service: s,
    conn_state: s,
    history: s,
    reasons: [s, 'ok'],
    ts: 1768471200000000 + i,
    authorized: false,
  });
}

export function hostileNotice(s: string): NoticeRecord {
  return { ...N2, uid: s, note: s, msg: s, reasons: [s] };
}

export function hostileStats(): StatsRecord {
  const anomalies: Record<string, number> = {};
  HOSTILE.forEach((h, i) => {
    Object.defineProperty(anomalies, h, { value: i + 1, enumerable: true, writable: true, configurable: true });
  });
  return {
    ...S,
    file_details: HOSTILE.map((h) => ({ file: h, format: h, compressed: false, frames: 1, bytes: 2 })),
    anomalies,
    input_errors: HOSTILE.map((h, i) => ({ file: h, frame: i, offset: i * 10, code: h, message: h, fatal: i % 2 === 0 })),
    input_errors_total: HOSTILE.length + 5,
  };
}

/** The fixed records as NDJSON lines (also the JSON document's elements). */
export const L_N1 =
  '{"event_type":"notice","ts":1768471201.123456,"uid":"CAbc123def456","id.orig_h":"10.0.0.5","id.orig_p":50001,"id.resp_h":"10.0.0.10","id.resp_p":16992,"vlan":10,"note":"amt.unauthorized_session","msg":"10.0.0.5 opened an AMT HTTP/WS-Management session to 10.0.0.10:16992: the client is not an authorized management console","sub":null,"src":null,"n":null,"reasons":["client_not_authorized"]}';
export const L_C1 =
  '{"event_type":"conn","ts":1768471201.123456,"uid":"CAbc123def456","id.orig_h":"10.0.0.5","id.orig_p":50001,"id.resp_h":"10.0.0.10","id.resp_p":16992,"proto":"tcp","service":"amt-http","duration":1.500000,"orig_bytes":120,"resp_bytes":3400,"conn_state":"SF","missed_bytes":0,"history":"ShADadFf","orig_pkts":6,"orig_ip_bytes":440,"resp_pkts":5,"resp_ip_bytes":3668,"vlan":10,"inner_vlan":null,"amt_firmware":"9.5.30.1000","amt_user":"admin","amt_auth":"success","amt_redirection":null,"tls_version":null,"tls_sni":null,"authorized":false,"reasons":["client_not_authorized"],"interim":false}';
export const L_C2 =
  '{"event_type":"conn","ts":1768471202.000000,"uid":"CDef789","id.orig_h":"2001:db8::5","id.orig_p":40000,"id.resp_h":"2001:db8::1:0:0:10","id.resp_p":16993,"proto":"tcp","service":"amt-https","duration":0.000000,"orig_bytes":0,"resp_bytes":0,"conn_state":"S0","missed_bytes":0,"history":"S","orig_pkts":1,"orig_ip_bytes":80,"resp_pkts":0,"resp_ip_bytes":0,"vlan":null,"inner_vlan":null,"amt_firmware":null,"amt_user":null,"amt_auth":"unknown","amt_redirection":null,"tls_version":"TLSv12","tls_sni":"amt.example","authorized":true,"reasons":[],"interim":false}';
export const L_N2 =
  '{"event_type":"notice","ts":1768471204.000001,"uid":"CGhi000","id.orig_h":"::ffff:192.0.2.7","id.orig_p":1024,"id.resp_h":"fe80::1","id.resp_p":16994,"vlan":null,"note":"amt.redir_weird","msg":"redirection message too long","sub":"tool=nmap","src":"192.0.2.7","n":3,"reasons":[]}';
export const L_C3 =
  '{"event_type":"conn","ts":1768471203.120000,"uid":"CGhi000","id.orig_h":"::ffff:192.0.2.7","id.orig_p":1024,"id.resp_h":"fe80::1","id.resp_p":16994,"proto":"tcp","service":"amt-redir","duration":0.999999,"orig_bytes":16,"resp_bytes":8,"conn_state":"S1","missed_bytes":0,"history":"ShAD","orig_pkts":3,"orig_ip_bytes":180,"resp_pkts":2,"resp_ip_bytes":120,"vlan":100,"inner_vlan":200,"amt_firmware":"9.5.30.1000","amt_user":"admin","amt_auth":"failure","amt_redirection":"SOL","tls_version":null,"tls_sni":null,"authorized":false,"reasons":["client_not_authorized","server_not_in_inventory"],"interim":false}';
export const L_S =
  '{"event_type":"stats","ts":1768471204.000001,"final":true,"files":2,"file_details":[{"file":"a.pcap","format":"pcap","compressed":false,"frames":30,"bytes":4096},{"file":"b.pcapng.gz","format":"pcapng","compressed":true,"frames":12,"bytes":2048}],"frames":42,"bytes":6144,"amt_frames":17,"amt_sessions":3,"amt_sessions_unauthorized":2,"other_sessions":4,"notices":2,"sessions_evicted":0,"missed_bytes":0,"sessions_open":0,"sessions_closed":3,"capture":null,"capture_loss_pct":0,"mem_rss_bytes":52428800,"anomalies":{"tcp.bad_flags":1,"decode.ipv4.truncated":2},"input_errors":[{"file":"b.pcapng.gz","frame":13,"offset":2048,"code":"io.truncated","message":"truncated record","fatal":true}],"input_errors_total":1,"elapsed_s":0.123456}';

