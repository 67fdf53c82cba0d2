import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/core/addr.js';
import { DEFAULT_THRESHOLDS, EMPTY_POLICY } from '../../../src/policy/config.js';
import { Correlator } from '../../../src/policy/correlate.js';
import { attributeCveTool, detectHttp, detectRedir, highRiskOperation, isCveAttempt } from '../../../src/policy/detect.js';
import type { AmtRedirRecord, ConnRecord, HttpRecord } from '../../../src/records/index.js';

const T = 1_768_471_200_000_000;
const ip = (s: string) => parseIp(s)!;

function http(over: Partial<HttpRecord> = {}): HttpRecord {
  return {
    event_type: 'http', ts: T, uid: 'Cx', 'id.orig_h': ip('192.0.2.99'), 'id.orig_p': 40000, 'id.resp_h': ip('192.0.2.10'), 'id.resp_p': 16992,
    trans_depth: 1, method: 'GET', host: null, uri: '/index.htm', version: '1.1', user_agent: null, request_body_len: 0,
    status_code: 401, status_msg: 'Unauthorized', server: null, amt_firmware: null, challenge_realm: null, challenge_nonce: null,
    auth_scheme: null, username: null, digest_realm: null, digest_nonce: null, digest_uri: null, digest_qop: null, digest_nc: null,
    digest_cnonce: null, digest_response_len: null, digest_response_hex: null, basic_credentials: false, wsman_action: null,
    wsman_resource_uri: null, wsman_method: null, wsman_params: [], response_body_len: 0, websocket: false, partial: false,
    ...over,
  };
}

const digest = (over: Partial<HttpRecord>) =>
  http({ auth_scheme: 'Digest', username: 'admin', digest_response_len: 32, digest_response_hex: true, ...over });

describe('CVE-2017-5689 (amt-protocol.md 3.3)', () => {
  it('an empty or short or non-hex digest response is an attempt; a 32-hex one is not', () => {
    expect(isCveAttempt(digest({ digest_response_len: 0, digest_response_hex: false }))).toBe(true);
    expect(isCveAttempt(digest({ digest_response_len: 1, digest_response_hex: false }))).toBe(true);
    expect(isCveAttempt(digest({ digest_response_len: 32, digest_response_hex: false }))).toBe(true);
    expect(isCveAttempt(digest({}))).toBe(false);
    // no response parameter at all: the flaw compares zero bytes, no genuine client leaves it out
    expect(isCveAttempt(digest({ digest_response_len: null, digest_response_hex: null }))).toBe(true);
    expect(isCveAttempt(http({ auth_scheme: 'Basic', username: 'admin' }))).toBe(false);
  });
  it('attributes nmap, Metasploit and Greenbone by their wire fingerprints', () => {
    expect(attributeCveTool(digest({ digest_uri: 'index.htm', digest_nc: '1', digest_response_len: 0 }))).toBe('nmap');
    expect(attributeCveTool(digest({ uri: '/hw-sys.htm', digest_uri: '/hw-sys.htm', digest_nc: '1', digest_response_len: 0 }))).toBe('metasploit');
    expect(attributeCveTool(digest({ digest_uri: '/index.htm', digest_nc: '00000001', digest_response_len: 0 }))).toBe('greenbone');
    expect(attributeCveTool(digest({ digest_uri: '/index.htm', digest_nc: '00000002', digest_response_len: 0 }))).toBeNull();
  });
  it('a 200 to the attempt is a bypass', () => {
    const notes = detectHttp(digest({ digest_uri: 'index.htm', digest_nc: '1', digest_response_len: 0, digest_response_hex: false, status_code: 200 })).map((n) => [n.note, n.sub]);
    expect(notes).toEqual([
      ['amt.cve_2017_5689_attempt', 'tool=nmap'],
      ['amt.cve_2017_5689_bypass', 'tool=nmap'],
    ]);
    expect(detectHttp(digest({ digest_response_len: 0, digest_response_hex: false, status_code: 401 })).map((n) => n.note)).toEqual(['amt.cve_2017_5689_attempt']);
  });
});

describe('other per-record detections', () => {
  it('HTTP Basic credentials are cleartext', () => {
    expect(detectHttp(http({ auth_scheme: 'Basic', username: 'admin', basic_credentials: true })).map((n) => n.note)).toEqual(['amt.cleartext_credentials']);
  });
  it('high-risk WS-Man operations', () => {
    const res = 'http://intel.com/wbem/wscim/1/ips-schema/1/IPS_KVMRedirectionSettingData';
    expect(highRiskOperation(http({ wsman_method: 'Put', wsman_resource_uri: res }))).toMatch(/KVM settings/);
    expect(highRiskOperation(http({ wsman_method: 'RequestPowerStateChange', wsman_resource_uri: 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService' }))).toBe('remote power control');
    expect(highRiskOperation(http({ wsman_method: 'Get', wsman_resource_uri: 'http://intel.com/wbem/wscim/1/amt-schema/1/AMT_GeneralSettings' }))).toBeNull();
    const n = detectHttp(http({ method: 'POST', status_code: 200, wsman_method: 'Put', wsman_resource_uri: res, wsman_params: ['Is5900PortEnabled=true', 'RFBPassword=<set>'] }));
    expect(n.map((x) => [x.note, x.sub])).toEqual([['amt.high_risk_operation', 'IPS_KVMRedirectionSettingData.Put']]);
    expect(n[0]?.msg).toContain('(Is5900PortEnabled=true, RFBPassword=<set>); answered 200');
  });
  it('redirection: a started session and cleartext credentials', () => {
    const r = {
      event_type: 'amt_redir', ts: T, uid: 'Cr', 'id.orig_h': ip('192.0.2.5'), 'id.orig_p': 5000, 'id.resp_h': ip('192.0.2.10'), 'id.resp_p': 16994,
      session_type: 'KVM', start_status: 0, amt_version: '11.8', auth_types_offered: [], auth_type: 'userpass', username: 'admin',
      digest_realm: null, digest_nonce: null, digest_cnonce: null, digest_nc: null, digest_response_len: null, password_cleartext: true,
      auth_result: 'success', auth_attempts: 1, auth_failures: 0, session_started: true, sol_params: null, rfb_version: '003.008',
      rfb_desktop_name: 'Intel(r) AMT KVM', msgs_orig: 3, msgs_resp: 3, sol_input_bytes: 0, sol_output_bytes: 0, transcript: null, partial: false,
    } satisfies AmtRedirRecord;
    expect(detectRedir(r).map((n) => n.msg)).toEqual([
      '192.0.2.5 opened an AMT KVM remote keyboard/video/mouse session on 192.0.2.10:16994 as admin',
      '192.0.2.5 sent an AMT password for user admin to 192.0.2.10:16994 in cleartext (redirection user/password authentication)',
    ]);
    expect(detectRedir({ ...r, session_started: false, password_cleartext: false })).toEqual([]);
    // a digest login whose response is not 32 characters: the CVE-2017-5689 shape on this channel
    const d = { ...r, session_started: false, password_cleartext: false, auth_type: 'digest', digest_response_len: 0 };
    expect(detectRedir(d).map((n) => [n.note, n.sub, n.msg])).toEqual([
      ['amt.cve_2017_5689_attempt', 'redirection', '192.0.2.5 tried the CVE-2017-5689 authentication bypass on 192.0.2.10:16994 over the redirection protocol with an empty digest response for user admin'],
      ['amt.cve_2017_5689_bypass', 'redirection', "192.0.2.10:16994 accepted 192.0.2.5's redirection login with an empty digest response: the authentication bypass worked"],
    ]);
    expect(detectRedir({ ...d, auth_result: 'failure' }).map((n) => n.note)).toEqual(['amt.cve_2017_5689_attempt']);
    expect(detectRedir({ ...d, digest_response_len: 32 })).toEqual([]);
  });
});

function conn(over: Partial<ConnRecord>): ConnRecord {
  return {
    event_type: 'conn', ts: T, uid: 'Cc', 'id.orig_h': ip('192.0.2.99'), 'id.orig_p': 40000, 'id.resp_h': ip('192.0.2.10'), 'id.resp_p': 16992,
    proto: 'tcp', service: 'amt-http', duration: 0, orig_bytes: 0, resp_bytes: 0, conn_state: 'REJ', missed_bytes: 0, history: 'Sr',
    orig_pkts: 1, orig_ip_bytes: 40, resp_pkts: 1, resp_ip_bytes: 40, vlan: null, inner_vlan: null, amt_firmware: null, amt_user: null,
    amt_auth: 'none', amt_redirection: null, tls_version: null, tls_sni: null, authorized: false, reasons: [], interim: false,
    ...over,
  };
}

describe('Correlator (bounded state, packet time)', () => {
  it('brute force: a notice when failures reach the threshold within the window, once per window', () => {
    const c = new Correlator(EMPTY_POLICY);
    const fail = (i: number) => c.onHttp(digest({ ts: T + i * 1_000_000, status_code: 401 }), null);
    const notes = [0, 1, 2, 3, 4, 5, 6].flatMap((i) => fail(i));
    expect(notes.map((n) => [n.note, n.n])).toEqual([['amt.auth_bruteforce', 5]]);
    expect(notes[0]?.src).toEqual(ip('192.0.2.99'));
    // a new window counts afresh
    const later = [0, 1, 2, 3, 4].flatMap((i) => fail(1000 + i));
    expect(later.map((n) => n.n)).toEqual([5]);
    // 401s without credentials are challenges, not failures
    expect([0, 1, 2, 3, 4, 5].flatMap((i) => c.onHttp(http({ ts: T + 5_000_000_000 + i, status_code: 401, 'id.orig_h': ip('192.0.2.77') }), null))).toEqual([]);
  });
  it('brute force: failures from far earlier (files read out of order) start a new window', () => {
    const c = new Correlator(EMPTY_POLICY);
    const fail = (s: number) => c.onHttp(digest({ ts: T + s * 1_000_000, status_code: 401 }), null);
    // 3 failures at +10 h, then 2 at 0 h: not 5 within one window
    expect([36_000, 36_001, 36_002, 0, 1].flatMap((s) => fail(s))).toEqual([]);
    // sessions end a little out of start order: still the same window
    expect([2, 1.5, 3].flatMap((s) => fail(s)).map((n) => n.n)).toEqual([5]);
  });
  it('failed redirection logins count too', () => {
    const c = new Correlator({ ...EMPTY_POLICY, thresholds: { ...DEFAULT_THRESHOLDS, bruteforce_failures: 3 } });
    const r = { event_type: 'amt_redir', ts: T, uid: 'Cr', 'id.orig_h': ip('192.0.2.99'), 'id.orig_p': 1, 'id.resp_h': ip('192.0.2.10'), 'id.resp_p': 16994, auth_failures: 3, username: 'admin' } as unknown as AmtRedirRecord;
    expect(c.onRedir(r, null).map((n) => n.n)).toEqual([3]);
  });
  it('scans: many hosts, or many refused / half-open attempts', () => {
    const c = new Correlator(EMPTY_POLICY);
    const hosts = Array.from({ length: 8 }, (_, i) => c.onConn(conn({ 'id.resp_h': ip(`192.0.2.${20 + i}`), conn_state: 'SF', orig_bytes: 10, resp_bytes: 10 })));
    expect(hosts.flat().map((n) => [n.note, n.sub, n.n])).toEqual([['amt.scan', 'hosts', 8]]);
    const c2 = new Correlator(EMPTY_POLICY);
    const probes = Array.from({ length: 10 }, (_, i) => c2.onConn(conn({ 'id.resp_p': 16992 + (i % 4), conn_state: i % 2 ? 'RSTO' : 'REJ' })));
    expect(probes.flat().map((n) => [n.sub, n.n])).toEqual([['failed_attempts', 10]]);
  });
  it('vulnerable firmware once per endpoint and version', () => {
    const c = new Correlator(EMPTY_POLICY);
    const a = c.onHttp(http({ amt_firmware: '9.5.30.1000', status_code: 200 }), null);
    const b = c.onHttp(http({ amt_firmware: '9.5.30.1000', status_code: 200 }), null);
    expect(a.map((n) => n.note)).toEqual(['amt.vulnerable_firmware']);
    expect(a[0]?.sub).toBe('INTEL-SA-00075,INTEL-SA-00086,INTEL-SA-00112,INTEL-SA-00141');
    expect(b).toEqual([]);
    expect(c.onHttp(http({ amt_firmware: '16.1.25.2124', status_code: 200 }), null)).toEqual([]);
  });
});
