/**
 * Detections on one analyzer record at a time: pure functions from facts to notice drafts.
 * (Detections that need memory across records — brute force, scans, once-per-endpoint firmware —
 * live in correlate.ts.)
 */
import { formatIp } from '../core/addr.js';
import {
  NOTE_CLEARTEXT_CREDENTIALS,
  NOTE_CVE_2017_5689_ATTEMPT,
  NOTE_CVE_2017_5689_BYPASS,
  NOTE_HIGH_RISK_OPERATION,
  NOTE_REDIRECTION_SESSION,
  NOTE_ROGUE_DEVICE,
  NOTE_UNPROVISIONED_DEVICE,
  NOTE_VULNERABLE_FIRMWARE,
  type AmtRedirRecord,
  type RmcpRecord,
  type HttpRecord,
  type NoticeRecord,
  type SessionIdFields,
} from '../records/index.js';
import { advisoriesFor } from './advisories.js';
import { hostPort } from './evaluate.js';

export interface NoticeDraft {
  note: string;
  msg: string;
  sub: string | null;
  n: number | null;
}

/** Turns a draft into a notice carrying the session's uid and 4-tuple. */
export function toNotice(id: SessionIdFields, vlan: number | null, d: NoticeDraft, src: Uint8Array | null = null): NoticeRecord {
  return {
    event_type: 'notice',
    ts: id.ts,
    uid: id.uid,
    'id.orig_h': id['id.orig_h'],
    'id.orig_p': id['id.orig_p'],
    'id.resp_h': id['id.resp_h'],
    'id.resp_p': id['id.resp_p'],
    vlan,
    note: d.note,
    msg: d.msg,
    sub: d.sub,
    src,
    n: d.n,
    reasons: [],
  };
}


/**
 * Which public tool sent a CVE-2017-5689 request, from its wire fingerprint
 * (../shared/amt-protocol.md 3.3): nmap's NSE uses uri="index.htm" without a slash and nc=1;
 * Metasploit asks for /hw-sys.htm with nc=1; Greenbone sends nc=00000001 for /index.htm.
 */
export function attributeCveTool(r: HttpRecord): string | null {
  const uri = r.digest_uri;
  const nc = r.digest_nc;
  if (uri !== null && !uri.startsWith('/') && nc === '1') return 'nmap';
  if (nc === '1' && (uri === '/hw-sys.htm' || r.uri === '/hw-sys.htm')) return 'metasploit';
  if (nc === '00000001' && uri === '/index.htm' && r.digest_response_len === 0) return 'greenbone';
  return null;
}

/**
 * A digest Authorization whose response is not 32 hex characters: the CVE-2017-5689 shape. A
 * missing response counts as empty (the flaw compares only as many bytes as were sent, and no
 * genuine client leaves it out).
 */
export function isCveAttempt(r: HttpRecord): boolean {
  if (r.auth_scheme === null || r.auth_scheme.toLowerCase() !== 'digest') return false;
  if (r.digest_response_len === null) return true;
  return r.digest_response_len !== 32 || r.digest_response_hex === false;
}

/** High-risk WS-Management methods (../shared/amt-protocol.md 2.4), by method or class+method. */
const HIGH_RISK: ReadonlyArray<{ test: (method: string, resource: string) => boolean; what: string }> = [
  { test: (m, r) => m === 'RequestPowerStateChange' || (r.endsWith('CIM_PowerManagementService') && m === 'RequestPowerStateChange'), what: 'remote power control' },
  { test: (m) => m === 'ChangeBootOrder' || m === 'SetBootConfigRole', what: 'boot configuration change' },
  { test: (m, r) => m === 'Put' && r.endsWith('AMT_BootSettingData'), what: 'boot settings change (IDE-R/BIOS boot)' },
  { test: (m) => /^(AddUserAclEntryEx|UpdateUserAclEntryEx|RemoveUserAclEntry|SetAdminAclEntryEx)$/.test(m), what: 'AMT user account change' },
  { test: (m, r) => m === 'Put' && r.endsWith('IPS_KVMRedirectionSettingData'), what: 'KVM settings change (port 5900, user consent, VNC password)' },
  { test: (m, r) => m === 'RequestStateChange' && /CIM_KVMRedirectionSAP|AMT_RedirectionService|AMT_WebUIService|AMT_UserInitiatedConnectionService/.test(r), what: 'redirection/KVM/web UI/CIRA state change' },
  { test: (m) => m === 'TerminateSession', what: 'redirection session termination' },
  { test: (m) => m === 'SetSessionState', what: 'local screen blanking during KVM' },
  { test: (m) => m === 'AddMpServer' || m === 'AddRemoteAccessPolicyRule', what: 'CIRA management server change' },
  { test: (m) => /^(Unprovision|PartialUnprovision|SetMEBxPassword|CommitChanges)$/.test(m), what: 'provisioning change' },
  { test: (_m, r) => r.includes('IPS_HostBasedSetupService'), what: 'host-based (re)provisioning' },
  { test: (m) => /^(AddTrustedRootCertificate|AddCertificate|GenerateKeyPair)$/.test(m), what: 'TLS trust change' },
  { test: (m) => m === 'ClearLog' || m === 'SetAuditLock', what: 'audit/event log tampering' },
  { test: (m) => m === 'StartOptIn' || m === 'CancelOptIn' || m === 'SendOptInCode', what: 'user consent flow' },
];

export function highRiskOperation(r: HttpRecord): string | null {
  const m = r.wsman_method;
  if (m === null) return null;
  const res = r.wsman_resource_uri ?? '';
  for (const h of HIGH_RISK) if (h.test(m, res)) return h.what;
  return null;
}

function resourceClass(uri: string | null): string {
  if (uri === null) return '';
  const i = uri.lastIndexOf('/');
  return i >= 0 ? uri.slice(i + 1) : uri;
}

/** Notices from one HTTP transaction. */
export function detectHttp(r: HttpRecord): NoticeDraft[] {
  const out: NoticeDraft[] = [];
  const client = formatIp(r['id.orig_h']);
  const server = hostPort(r['id.resp_h'], r['id.resp_p']);
  if (isCveAttempt(r)) {
    const tool = attributeCveTool(r);
    const by = tool !== null ? ` (the request matches ${tool}'s)` : '';
    const resp =
      r.digest_response_len === null
        ? 'no digest response at all'
        : r.digest_response_len === 0
          ? 'an empty digest response'
          : `a ${r.digest_response_len}-character digest response`;
    out.push({
      note: NOTE_CVE_2017_5689_ATTEMPT,
      msg: `${client} tried the CVE-2017-5689 authentication bypass on ${server} with ${resp} for user ${r.username ?? '?'}${by}`,
      sub: tool !== null ? `tool=${tool}` : null,
      n: null,
    });
    if (r.status_code !== null && r.status_code >= 200 && r.status_code < 300) {
      out.push({
        note: NOTE_CVE_2017_5689_BYPASS,
        msg: `${server} answered ${r.status_code} to ${client}'s CVE-2017-5689 bypass request for ${r.uri ?? '?'}: the authentication bypass worked`,
        sub: tool !== null ? `tool=${tool}` : null,
        n: null,
      });
    }
  }
  if (r.basic_credentials) {
    out.push({
      note: NOTE_CLEARTEXT_CREDENTIALS,
      msg: `${client} sent AMT credentials for user ${r.username ?? '?'} to ${server} with HTTP Basic authentication (readable on the wire)`,
      sub: 'http_basic',
      n: null,
    });
  }
  const risk = highRiskOperation(r);
  if (risk !== null) {
    const cls = resourceClass(r.wsman_resource_uri);
    const params = r.wsman_params.length > 0 ? ` (${r.wsman_params.join(', ')})` : '';
    const outcome = r.status_code === null ? 'no answer seen' : r.status_code >= 200 && r.status_code < 300 ? `answered ${r.status_code}` : `refused with ${r.status_code}`;
    out.push({
      note: NOTE_HIGH_RISK_OPERATION,
      msg: `${client} requested ${risk} on ${server}: ${cls ? `${cls}.` : ''}${r.wsman_method}${params}; ${outcome}`,
      sub: `${cls ? `${cls}.` : ''}${r.wsman_method}`,
      n: null,
    });
  }
  return out;
}

/** Notices from one redirection session. */
export function detectRedir(r: AmtRedirRecord): NoticeDraft[] {
  const out: NoticeDraft[] = [];
  const client = formatIp(r['id.orig_h']);
  const server = hostPort(r['id.resp_h'], r['id.resp_p']);
  if (r.session_started && r.session_type !== null) {
    const kind = r.session_type === 'SOL' ? 'serial-over-LAN console' : r.session_type === 'IDER' ? 'IDE-R remote disk' : r.session_type === 'KVM' ? 'KVM remote keyboard/video/mouse' : r.session_type;
    out.push({
      note: NOTE_REDIRECTION_SESSION,
      msg: `${client} opened an AMT ${kind} session on ${server}${r.username !== null ? ` as ${r.username}` : ''}`,
      sub: r.session_type,
      n: null,
    });
  }
  // the CVE-2017-5689 shape on the redirection channel (amt-protocol.md 4.3): a digest response
  // that is not 32 characters; whether firmware accepts it here is unconfirmed, so the bypass
  // notice needs the firmware's own success answer
  if ((r.auth_type === 'digest' || r.auth_type === 'digest_rfc2069') && r.digest_response_len !== null && r.digest_response_len !== 32) {
    const resp = r.digest_response_len === 0 ? 'an empty digest response' : `a ${r.digest_response_len}-character digest response`;
    out.push({
      note: NOTE_CVE_2017_5689_ATTEMPT,
      msg: `${client} tried the CVE-2017-5689 authentication bypass on ${server} over the redirection protocol with ${resp} for user ${r.username ?? '?'}`,
      sub: 'redirection',
      n: null,
    });
    if (r.auth_result === 'success') {
      out.push({
        note: NOTE_CVE_2017_5689_BYPASS,
        msg: `${server} accepted ${client}'s redirection login with ${resp}: the authentication bypass worked`,
        sub: 'redirection',
        n: null,
      });
    }
  }
  if (r.password_cleartext) {
    out.push({
      note: NOTE_CLEARTEXT_CREDENTIALS,
      msg: `${client} sent an AMT password for user ${r.username ?? '?'} to ${server} in cleartext (redirection user/password authentication)`,
      sub: 'redirection_userpass',
      n: null,
    });
  }
  return out;
}

/** The advisories a firmware version is exposed to, as one notice draft (null when none). */
export function detectFirmware(server: Uint8Array, port: number, version: string): NoticeDraft | null {
  const m = advisoriesFor(version);
  if (m.length === 0) return null;
  const list = m.map((x) => `${x.advisory.id}${x.uncertain ? ' (possibly)' : ''} (${x.advisory.cves.join(', ')}: ${x.advisory.title})`);
  return {
    note: NOTE_VULNERABLE_FIRMWARE,
    msg: `${hostPort(server, port)} runs AMT firmware ${version}, exposed to ${list.join('; ')}`,
    sub: m.map((x) => x.advisory.id).join(','),
    n: m.length,
  };
}

/** "Intel AMT 11.8 (provisioning state post, AMT port 16992, both 16992 and 16993)" from a pong. */
export function rmcpDeviceWords(r: RmcpRecord): string {
  const parts: string[] = [];
  parts.push(`provisioning state ${r.provisioning_state ?? 'unknown'}`);
  if (r.amt_port !== null) parts.push(r.amt_port === 0 ? 'AMT port 0: not set up' : `AMT port ${r.amt_port}`);
  if (r.dual_port === true) parts.push('both 16992 and 16993 open');
  return `Intel AMT ${r.amt_version ?? '(version unknown)'} (${parts.join(', ')})`;
}

function rmcpSub(r: RmcpRecord): string {
  return `version=${r.amt_version ?? '-'},state=${r.provisioning_state ?? '-'},port=${r.amt_port ?? '-'}`;
}

/** An RMCP pong from an Intel AMT endpoint that is not in the AMT inventory (../shared/amt-protocol.md 11 item 7). */
export function detectRogueDevice(r: RmcpRecord): NoticeDraft {
  return {
    note: NOTE_ROGUE_DEVICE,
    msg: `${formatIp(r['id.orig_h'])} answered an RMCP presence ping from ${formatIp(r['id.resp_h'])} as ${rmcpDeviceWords(r)} but is not in the AMT inventory (rogue AMT device)`,
    sub: rmcpSub(r),
    n: null,
  };
}

/**
 * An RMCP pong saying AMT is present but not set up (provisioning state pre): anyone with physical
 * access (or, in some setups, on the network) can provision it and take over its management.
 */
export function detectUnprovisioned(r: RmcpRecord): NoticeDraft | null {
  if (r.provisioning_state !== 'pre') return null;
  return {
    note: NOTE_UNPROVISIONED_DEVICE,
    msg: `${formatIp(r['id.orig_h'])} is ${rmcpDeviceWords(r)}: AMT is present but not set up, so anyone with physical access can provision it`,
    sub: rmcpSub(r),
    n: null,
  };
}
