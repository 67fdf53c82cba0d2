/**
 * Facts plus configuration -> verdicts and notices. Pure functions: no I/O, no clock, no state.
 */
import { cidrContains, formatIp, type Cidr, type IpBytes } from '../core/addr.js';
import type { Micros } from '../core/time.js';
import {
  NOTE_UNAUTHORIZED_SESSION,
  REASON_CLIENT_NOT_AUTHORIZED,
  REASON_SERVER_NOT_IN_INVENTORY,
  type NoticeRecord,
} from '../records/index.js';
import type { PolicyConfig } from './config.js';

/** What policy needs to know about an AMT session when it starts. */
export interface AmtSessionFacts {
  readonly ts: Micros;
  readonly uid: string;
  readonly origH: IpBytes;
  readonly origP: number;
  readonly respH: IpBytes;
  readonly respP: number;
  readonly vlan: number | null;
  readonly service: string;
}

export interface SessionVerdict {
  readonly authorized: boolean;
  readonly reasons: readonly string[];
}

const AUTHORIZED: SessionVerdict = Object.freeze({ authorized: true, reasons: Object.freeze([]) });

function inAny(list: readonly Cidr[], ip: IpBytes): boolean {
  for (const c of list) if (cidrContains(c, ip)) return true;
  return false;
}

/** True/false when an inventory is configured and `ip` is / is not in it; null without one. */
export function inInventory(policy: PolicyConfig, ip: IpBytes): boolean | null {
  return policy.amtHosts === null ? null : inAny(policy.amtHosts, ip);
}

/** Authorized, or unauthorized with its reasons (client not a console; server not in the inventory). */
export function judgeSession(f: AmtSessionFacts, policy: PolicyConfig): SessionVerdict {
  const reasons: string[] = [];
  if (!inAny(policy.authorized, f.origH)) reasons.push(REASON_CLIENT_NOT_AUTHORIZED);
  if (policy.amtHosts !== null && !inAny(policy.amtHosts, f.respH)) reasons.push(REASON_SERVER_NOT_IN_INVENTORY);
  return reasons.length === 0 ? AUTHORIZED : { authorized: false, reasons };
}

const SERVICE_WORDS: Readonly<Record<string, string>> = {
  'amt-http': 'AMT HTTP/WS-Management',
  'amt-https': 'AMT HTTPS/WS-Management',
  'amt-redir': 'AMT redirection (SOL/IDE-R/KVM)',
  'amt-redir-tls': 'AMT redirection over TLS (SOL/IDE-R/KVM)',
  'amt-dash-http': 'AMT DASH WS-Management (TCP 623)',
  'amt-dash-https': 'AMT DASH WS-Management over TLS (TCP 664)',
  'amt-kvm-5900': 'AMT KVM (RFB on TCP 5900)',
};

const REASON_WORDS: Readonly<Record<string, string>> = {
  [REASON_CLIENT_NOT_AUTHORIZED]: 'the client is not an authorized management console',
  [REASON_SERVER_NOT_IN_INVENTORY]: 'the server is not a known AMT endpoint (rogue AMT device)',
};

export function hostPort(ip: IpBytes, port: number): string {
  const t = formatIp(ip);
  return ip.length === 16 ? `[${t}]:${port}` : `${t}:${port}`;
}

/**
 * Notices raised when an AMT session starts (at its first packet, so live alerts are immediate). A
 * TCP 5900 session becomes an AMT session only when its RFB desktop name is seen (app/pipeline.ts):
 * its facts carry that packet's time, and the notice is raised then.
 */
export function noticesForSessionStart(f: AmtSessionFacts, v: SessionVerdict): NoticeRecord[] {
  if (v.authorized) return [];
  const why = v.reasons.map((r) => REASON_WORDS[r] ?? r).join('; ');
  return [
    {
      event_type: 'notice',
      ts: f.ts,
      uid: f.uid,
      'id.orig_h': f.origH,
      'id.orig_p': f.origP,
      'id.resp_h': f.respH,
      'id.resp_p': f.respP,
      vlan: f.vlan,
      note: NOTE_UNAUTHORIZED_SESSION,
      msg: `${formatIp(f.origH)} opened an ${SERVICE_WORDS[f.service] ?? f.service} session to ${hostPort(f.respH, f.respP)}: ${why}`,
      sub: null,
      src: null,
      n: null,
      reasons: [...v.reasons],
    },
  ];
}
