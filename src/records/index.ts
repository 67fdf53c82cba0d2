/**
 * The output contract. Keys are exactly as emitted (snake_case, Zeek's conn.log names where Zeek has
 * one). Values stay raw here (addresses as bytes, times as integer microseconds); report/ renders them.
 * The README documents every field; change both together.
 */
import type { IpBytes } from '../core/addr.js';
import type { Micros } from '../core/time.js';

export type FieldKind =
  | 'time' // Micros -> epoch seconds with 6 decimals
  | 'interval' // Micros -> seconds with 6 decimals
  | 'addr' // IpBytes -> canonical text
  | 'count' // integer
  | 'port' // integer 0-65535
  | 'string' // packet-derived or fixed text (sanitized at the edge)
  | 'bool'
  | 'strings' // string[]
  | 'vlan' // number | null
  | 'object'; // nested plain data (stats only)

export interface FieldSpec {
  readonly key: string;
  readonly kind: FieldKind;
}

export type Verdict = { readonly authorized: true } | { readonly authorized: false; readonly reasons: readonly string[] };

/** Reasons an AMT session is unauthorized (stable strings). */
export const REASON_CLIENT_NOT_AUTHORIZED = 'client_not_authorized';
export const REASON_SERVER_NOT_IN_INVENTORY = 'server_not_in_inventory';

export interface ConnRecord {
  event_type: 'conn';
  ts: Micros;
  uid: string;
  'id.orig_h': IpBytes;
  'id.orig_p': number;
  'id.resp_h': IpBytes;
  'id.resp_p': number;
  proto: 'tcp';
  service: string;
  duration: Micros;
  orig_bytes: number;
  resp_bytes: number;
  conn_state: string;
  missed_bytes: number;
  history: string;
  orig_pkts: number;
  orig_ip_bytes: number;
  resp_pkts: number;
  resp_ip_bytes: number;
  vlan: number | null;
  inner_vlan: number | null;
  authorized: boolean;
  reasons: string[];
}

export const CONN_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'uid', kind: 'string' },
  { key: 'id.orig_h', kind: 'addr' },
  { key: 'id.orig_p', kind: 'port' },
  { key: 'id.resp_h', kind: 'addr' },
  { key: 'id.resp_p', kind: 'port' },
  { key: 'proto', kind: 'string' },
  { key: 'service', kind: 'string' },
  { key: 'duration', kind: 'interval' },
  { key: 'orig_bytes', kind: 'count' },
  { key: 'resp_bytes', kind: 'count' },
  { key: 'conn_state', kind: 'string' },
  { key: 'missed_bytes', kind: 'count' },
  { key: 'history', kind: 'string' },
  { key: 'orig_pkts', kind: 'count' },
  { key: 'orig_ip_bytes', kind: 'count' },
  { key: 'resp_pkts', kind: 'count' },
  { key: 'resp_ip_bytes', kind: 'count' },
  { key: 'vlan', kind: 'vlan' },
  { key: 'inner_vlan', kind: 'vlan' },
  { key: 'authorized', kind: 'bool' },
  { key: 'reasons', kind: 'strings' },
];

export const NOTE_UNAUTHORIZED_SESSION = 'amt.unauthorized_session';

export interface NoticeRecord {
  event_type: 'notice';
  ts: Micros;
  uid: string;
  'id.orig_h': IpBytes;
  'id.orig_p': number;
  'id.resp_h': IpBytes;
  'id.resp_p': number;
  vlan: number | null;
  note: string;
  msg: string;
  reasons: string[];
}

export const NOTICE_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'uid', kind: 'string' },
  { key: 'id.orig_h', kind: 'addr' },
  { key: 'id.orig_p', kind: 'port' },
  { key: 'id.resp_h', kind: 'addr' },
  { key: 'id.resp_p', kind: 'port' },
  { key: 'vlan', kind: 'vlan' },
  { key: 'note', kind: 'string' },
  { key: 'msg', kind: 'string' },
  { key: 'reasons', kind: 'strings' },
];

/** A problem with an input file (not a packet): reported with file, frame number and byte offset. */
export interface InputErrorEntry {
  file: string;
  /** 1-based number of the frame that could not be read (frames before it were analysed). */
  frame: number;
  /** Byte offset in the (decompressed) file where the problem starts. */
  offset: number;
  code: string;
  message: string;
  /** True when reading of this file stopped here. */
  fatal: boolean;
}

export interface FileSummary {
  file: string;
  format: string; // 'pcap' | 'pcap-ns' | 'pcapng' | 'unknown'
  compressed: boolean;
  frames: number;
  bytes: number;
}

export interface StatsRecord {
  event_type: 'stats';
  ts: Micros;
  files: number;
  file_details: FileSummary[];
  frames: number;
  bytes: number;
  amt_frames: number;
  amt_sessions: number;
  amt_sessions_unauthorized: number;
  other_sessions: number;
  notices: number;
  sessions_evicted: number;
  missed_bytes: number;
  anomalies: Record<string, number>;
  input_errors: InputErrorEntry[];
  input_errors_total: number;
  elapsed_s: number;
}

export const STATS_FIELDS: readonly FieldSpec[] = [
  { key: 'event_type', kind: 'string' },
  { key: 'ts', kind: 'time' },
  { key: 'files', kind: 'count' },
  { key: 'file_details', kind: 'object' },
  { key: 'frames', kind: 'count' },
  { key: 'bytes', kind: 'count' },
  { key: 'amt_frames', kind: 'count' },
  { key: 'amt_sessions', kind: 'count' },
  { key: 'amt_sessions_unauthorized', kind: 'count' },
  { key: 'other_sessions', kind: 'count' },
  { key: 'notices', kind: 'count' },
  { key: 'sessions_evicted', kind: 'count' },
  { key: 'missed_bytes', kind: 'count' },
  { key: 'anomalies', kind: 'object' },
  { key: 'input_errors', kind: 'object' },
  { key: 'input_errors_total', kind: 'count' },
  { key: 'elapsed_s', kind: 'interval' },
];

export type OutputRecord = ConnRecord | NoticeRecord | StatsRecord;
