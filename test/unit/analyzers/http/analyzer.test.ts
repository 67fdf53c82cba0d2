import { describe, expect, it } from 'vitest';
import { createHttpAnalyzer } from '../../../../src/analyzers/http/analyzer.js';
import { HTTP_FIELDS, type HttpRecord } from '../../../../src/records/index.js';
import {
  AMT_401,
  AMT_NONCE,
  AMT_REALM,
  AMT_SERVER,
  BROWSER_CNONCE,
  BROWSER_LOGIN,
  BROWSER_NONCE,
  BROWSER_REALM,
  BROWSER_UA,
  CHALLENGE,
  CONVERSATIONS,
  GREENBONE,
  GREENBONE_CNONCE,
  GREENBONE_UA,
  KVM_PUT_ENVELOPE,
  METASPLOIT,
  MSF_CNONCE,
  MSF_UA,
  NMAP,
  NMAP_CNONCE,
  NMAP_UA,
  PAGE_200_BODY,
  PIPELINED,
  POWER_ENVELOPE,
  POWER_RESPONSE_BODY,
  REDIR_REPLY,
  REDIR_START_KVM,
  RFB_PASSWORD,
  WEBSOCKET,
  WSMAN_KVM,
  WSMAN_POWER,
  WS_CLIENT_FRAMES,
  WS_CLIENT_PAYLOAD,
  WS_SERVER_FRAMES,
  WS_UPGRADE_REQ,
  WS_UPGRADE_RES,
  b,
  chunked,
  concat,
  gap,
  page200,
  payload,
  req,
  reqBytes,
  res,
  resBytes,
  wsFrame,
  wsmanPost,
  wsmanResponse,
  type Step,
} from './fixtures.js';
import { FakeInner, PACKET_STRING_FIELDS, T0, harness, latin1, run, stepTs, type Harness } from './helpers.js';
import { rng } from '../../../helpers/rng.js';

/** A record with every field at its "not seen" value, as the analyzer starts it. */
function blank(depth: number, ts: number): HttpRecord {
  return {
    event_type: 'http',
    ts,
    uid: 'CHttpTest1',
    'id.orig_h': Uint8Array.of(10, 0, 0, 50),
    'id.orig_p': 50001,
    'id.resp_h': Uint8Array.of(10, 0, 0, 10),
    'id.resp_p': 16992,
    trans_depth: depth,
    method: null,
    host: null,
    uri: null,
    version: null,
    user_agent: null,
    request_body_len: 0,
    status_code: null,
    status_msg: null,
    server: null,
    amt_firmware: null,
    challenge_realm: null,
    challenge_nonce: null,
    auth_scheme: null,
    username: null,
    digest_realm: null,
    digest_nonce: null,
    digest_uri: null,
    digest_qop: null,
    digest_nc: null,
    digest_cnonce: null,
    digest_response_len: null,
    digest_response_hex: null,
    basic_credentials: false,
    wsman_action: null,
    wsman_resource_uri: null,
    wsman_method: null,
    wsman_params: [],
    response_body_len: 0,
    websocket: false,
    partial: false,
  };
}

const rec = (depth: number, ts: number, fields: Partial<HttpRecord>): HttpRecord => ({ ...blank(depth, ts), ...fields });

const AMT_RESPONSE_FIELDS = { server: AMT_SERVER, amt_firmware: '11.8.50.3425', version: '1.1' } as const;
const CHALLENGE_FIELDS = {
  ...AMT_RESPONSE_FIELDS,
  status_code: 401,
  status_msg: 'Unauthorized',
  challenge_realm: AMT_REALM,
  challenge_nonce: AMT_NONCE,
  response_body_len: 690,
} as const;
const OK_FIELDS = { ...AMT_RESPONSE_FIELDS, status_code: 200, status_msg: 'OK', response_body_len: PAGE_200_BODY.length } as const;

function simple(method: string, uri: string, extra: Partial<HttpRecord> = {}): Partial<HttpRecord> {
  return { method, uri, version: '1.1', host: '10.0.0.10:16992', ...extra };
}

function json(h: Harness): string {
  return JSON.stringify({ r: h.records, o: h.other, f: h.facts, a: h.anomalies });
}

describe('record shape', () => {
  it('emits exactly the HTTP_FIELDS keys, in order', () => {
    const h = run(CHALLENGE);
    expect(h.records).toHaveLength(1);
    expect(Object.keys(h.records[0] as HttpRecord)).toEqual(HTTP_FIELDS.map((f) => f.key));
  });
});

describe('AMT login traffic (amt-protocol.md 2.2)', () => {
  it('the exact 401 Digest challenge of AMT 11.8.50', () => {
    const h = run(CHALLENGE);
    expect(h.records).toEqual([
      rec(1, T0, {
        ...simple('GET', '/index.htm', { user_agent: BROWSER_UA }),
        ...CHALLENGE_FIELDS,
      }),
    ]);
    expect(h.anomalies).toEqual([]);
    expect(h.facts).toMatchObject({ firmware: '11.8.50.3425', user: null, auth: 'none' });
  });

  it('a browser digest login', () => {
    const h = run(BROWSER_LOGIN);
    expect(h.records).toEqual([
      rec(1, T0, {
        ...simple('GET', '/index.htm', { user_agent: BROWSER_UA }),
        ...OK_FIELDS,
        auth_scheme: 'Digest',
        username: 'admin',
        digest_realm: BROWSER_REALM,
        digest_nonce: BROWSER_NONCE,
        digest_uri: '/index.htm',
        digest_qop: 'auth',
        digest_nc: '00000001',
        digest_cnonce: BROWSER_CNONCE,
        digest_response_len: 32,
        digest_response_hex: true,
      }),
    ]);
    expect(h.facts).toMatchObject({ firmware: '11.8.50.3425', user: 'admin', auth: 'success' });
  });
});

describe('CVE-2017-5689 request shapes (amt-protocol.md 3.3)', () => {
  const bypass = { auth_scheme: 'Digest', username: 'admin', digest_realm: AMT_REALM, digest_nonce: AMT_NONCE, digest_response_len: 0, digest_response_hex: false };

  it('nmap http-vuln-cve2017-5689', () => {
    const h = run(NMAP);
    expect(h.records).toEqual([
      rec(1, stepTs(0), { ...simple('GET', '/index.htm', { user_agent: NMAP_UA }), ...CHALLENGE_FIELDS }),
      rec(2, stepTs(2), {
        ...simple('GET', '/index.htm', { user_agent: NMAP_UA }),
        ...OK_FIELDS,
        ...bypass,
        digest_uri: 'index.htm',
        digest_qop: 'auth',
        digest_nc: '1',
        digest_cnonce: NMAP_CNONCE,
      }),
    ]);
    expect(h.facts).toMatchObject({ user: 'admin', auth: 'success' });
    expect(h.anomalies).toEqual([]);
  });

  it('Metasploit intel_amt_digest_bypass (raw random-byte cnonce kept as latin1)', () => {
    const h = run(METASPLOIT);
    expect(h.records).toEqual([
      rec(1, stepTs(0), { ...simple('GET', '/hw-sys.htm', { user_agent: MSF_UA }), ...CHALLENGE_FIELDS }),
      rec(2, stepTs(2), {
        ...simple('GET', '/hw-sys.htm', { user_agent: MSF_UA }),
        ...OK_FIELDS,
        ...bypass,
        digest_uri: '/hw-sys.htm',
        digest_qop: 'auth',
        digest_nc: '1',
        digest_cnonce: MSF_CNONCE,
      }),
    ]);
    expect((h.records[1] as HttpRecord).digest_cnonce).toHaveLength(10);
  });

  it('Greenbone INTEL-SA-00075 active check', () => {
    const h = run(GREENBONE);
    expect(h.records).toEqual([
      rec(1, stepTs(0), { ...simple('GET', '/index.htm', { user_agent: GREENBONE_UA }), ...CHALLENGE_FIELDS }),
      rec(2, stepTs(2), {
        ...simple('GET', '/index.htm', { user_agent: GREENBONE_UA }),
        ...OK_FIELDS,
        ...bypass,
        digest_uri: '/index.htm',
        digest_qop: 'auth',
        digest_nc: '00000001',
        digest_cnonce: GREENBONE_CNONCE,
      }),
    ]);
  });

  it('a refused bypass is an auth failure; a later success wins and is not undone', () => {
    const refused = [...NMAP.slice(0, 3), res(AMT_401)];
    let h = run(refused);
    expect((h.records[1] as HttpRecord).status_code).toBe(401);
    expect(h.facts.auth).toBe('failure');
    h = run([...refused.slice(0, 3), res(AMT_401.replace('Connection: close\r\n', '')), ...BROWSER_LOGIN, NMAP[2] as Step, res(AMT_401)]);
    expect(h.records.map((r) => r.status_code)).toEqual([401, 401, 200, 401]);
    expect(h.facts.auth).toBe('success');
  });

  it('a truncated non-empty digest response', () => {
    const h = run([req(`GET /index.htm HTTP/1.1\r\nAuthorization: Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="/index.htm", response="a", qop=auth, nc=00000001, cnonce="x"\r\n\r\n`)]);
    expect(h.records[0]).toMatchObject({ digest_response_len: 1, digest_response_hex: false, status_code: null, partial: false });
  });
});

describe('other credentials', () => {
  it('Basic: the user name only, never the password', () => {
    const h = run([req('GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nAuthorization: Basic YWRtaW46UEBzc3cwcmQ=\r\n\r\n'), res(page200())]);
    expect(h.records[0]).toMatchObject({ auth_scheme: 'Basic', username: 'admin', basic_credentials: true, digest_response_len: null });
    expect(h.facts).toMatchObject({ user: 'admin', auth: 'success' });
    expect(json(h)).not.toContain('P@ssw0rd');
    expect(json(h)).not.toContain('UEBzc3cwcmQ');
  });

  it('Basic without a colon or not base64: credentials flagged, no user, anomaly', () => {
    const h = run([req('GET / HTTP/1.1\r\nAuthorization: Basic c2VjcmV0\r\n\r\nGET / HTTP/1.1\r\nAuthorization: Basic ***\r\n\r\n')]);
    expect(h.records.map((r) => [r.basic_credentials, r.username])).toEqual([
      [true, null],
      [true, null],
    ]);
    expect(h.anomalies).toEqual(['http.bad_authorization', 'http.bad_authorization']);
    expect(json(h)).not.toContain('secret');
  });

  it('Negotiate (Kerberos): scheme only', () => {
    const h = run([req('POST /wsman HTTP/1.1\r\nAuthorization: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1\r\nContent-Length: 0\r\n\r\n'), res('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n')]);
    expect(h.records[0]).toMatchObject({ auth_scheme: 'Negotiate', username: null, basic_credentials: false, status_code: 401 });
    expect(h.facts).toMatchObject({ user: null, auth: 'failure' });
  });

  it('Server variants set amt_firmware and the firmware fact; AMT alone does not', () => {
    const answer = (server: string): Harness => run([req('GET / HTTP/1.1\r\n\r\n'), res(`HTTP/1.1 303 See Other\r\nLocation: /logon.htm\r\nServer: ${server}\r\nContent-Length: 0\r\n\r\n`)]);
    expect(answer('Intel(R) Standard Manageability 9.0.3').records[0]).toMatchObject({ server: 'Intel(R) Standard Manageability 9.0.3', amt_firmware: '9.0.3' });
    expect(answer('Intel(R) Con. Management Engine 5.0.1').facts.firmware).toBe('5.0.1');
    const amt = answer('AMT');
    expect(amt.records[0]).toMatchObject({ server: 'AMT', amt_firmware: null, status_code: 303 });
    expect(amt.facts.firmware).toBe(null);
  });
});

describe('WS-Management', () => {
  it('CIM_PowerManagementService RequestPowerStateChange PowerState 8 (chunked response)', () => {
    const h = run(WSMAN_POWER);
    expect(h.records).toEqual([
      rec(1, T0, {
        ...simple('POST', '/wsman'),
        request_body_len: POWER_ENVELOPE.length,
        ...AMT_RESPONSE_FIELDS,
        status_code: 200,
        status_msg: 'OK',
        auth_scheme: 'Digest',
        username: 'admin',
        digest_realm: AMT_REALM,
        digest_nonce: AMT_NONCE,
        digest_uri: '/wsman',
        digest_qop: 'auth',
        digest_nc: '00000002',
        digest_cnonce: '8f1a2b3c4d5e6f70',
        digest_response_len: 32,
        digest_response_hex: true,
        wsman_action: 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService/RequestPowerStateChange',
        wsman_resource_uri: 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService',
        wsman_method: 'RequestPowerStateChange',
        wsman_params: ['PowerState=8'],
        response_body_len: POWER_RESPONSE_BODY.length,
      }),
    ]);
    expect(h.anomalies).toEqual([]);
  });

  it('IPS_KVMRedirectionSettingData Put: port 5900 on, consent off, RFB password set but never shown', () => {
    for (const split of ['whole', 'bytes', 7] as const) {
      const h = run(WSMAN_KVM, { split });
      expect(h.records).toHaveLength(1);
      expect(h.records[0]).toMatchObject({
        method: 'POST',
        request_body_len: KVM_PUT_ENVELOPE.length,
        wsman_action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Put',
        wsman_resource_uri: 'http://intel.com/wbem/wscim/1/ips-schema/1/IPS_KVMRedirectionSettingData',
        wsman_method: 'Put',
        wsman_params: ['Is5900PortEnabled=true', 'OptInPolicy=false', 'RFBPassword=<set>', 'SessionTimeout=0'],
        status_code: 200,
        partial: false,
      });
      expect(json(h)).not.toContain(RFB_PASSWORD);
    }
  });

  it('AMT_BootSettingData Put (boot to IDE-R), chunked request body, only the scan prefix buffered', () => {
    const env =
      '<Envelope><Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Put</a:Action>' +
      '<w:ResourceURI>http://intel.com/wbem/wscim/1/amt-schema/1/AMT_BootSettingData</w:ResourceURI></Header>' +
      '<Body><r:AMT_BootSettingData><r:BIOSPause>false</r:BIOSPause><r:BIOSSetup>false</r:BIOSSetup>' +
      '<r:IDERBootDevice>1</r:IDERBootDevice><r:UseIDER>true</r:UseIDER><r:UseSOL>false</r:UseSOL>' +
      '<r:UserPasswordBypass>false</r:UserPasswordBypass></r:AMT_BootSettingData></Body></Envelope>';
    const body = chunked(env, 37);
    const h = run([req(`POST /wsman HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nTransfer-Encoding: chunked\r\n\r\n${body}`), res(wsmanResponse('<x/>'))]);
    expect(h.records[0]).toMatchObject({
      wsman_method: 'Put',
      wsman_resource_uri: 'http://intel.com/wbem/wscim/1/amt-schema/1/AMT_BootSettingData',
      wsman_params: ['BIOSPause=false', 'BIOSSetup=false', 'IDERBootDevice=1', 'UseIDER=true', 'UseSOL=false', 'UserPasswordBypass=false'],
      request_body_len: env.length,
    });
    // Past maxHttpBodyScanBytes nothing is scanned: an Action beyond the prefix is not seen.
    const late = run([req(wsmanPost(' '.repeat(100) + POWER_ENVELOPE)), res(wsmanResponse('<x/>'))], { limits: { maxHttpBodyScanBytes: 100 } });
    expect(late.records[0]).toMatchObject({ wsman_action: null, wsman_params: [], request_body_len: 100 + POWER_ENVELOPE.length, partial: false });
  });

  it('not scanned: GET, POST elsewhere without a SOAP content type', () => {
    const h = run([req(`POST /index.htm HTTP/1.1\r\nContent-Length: ${POWER_ENVELOPE.length}\r\n\r\n${POWER_ENVELOPE}`)]);
    expect(h.records[0]).toMatchObject({ wsman_action: null, request_body_len: POWER_ENVELOPE.length });
    const q = run([req(`POST /wsman?x=1 HTTP/1.1\r\nContent-Length: ${POWER_ENVELOPE.length}\r\n\r\n${POWER_ENVELOPE}`)]);
    expect(q.records[0]).toMatchObject({ wsman_method: 'RequestPowerStateChange' });
  });

  it('string fields are cut to maxFieldChars', () => {
    const h = run(WSMAN_POWER, { limits: { maxFieldChars: 16 } });
    const r = h.records[0] as HttpRecord;
    expect(r.wsman_action).toBe('http://schemas.d');
    expect(r.wsman_method).toBe('RequestPowerStat');
    expect(r.server).toBe('Intel(R) Active ');
    expect(r.wsman_params).toEqual(['PowerState=8']);
    expect(h.anomalies).toContain('http.field_truncated');
    expect(run(WSMAN_POWER).anomalies).not.toContain('http.field_truncated');
    const long = run(WSMAN_POWER.map((s) => s), { limits: { maxFieldChars: 11 } });
    expect((long.records[0] as HttpRecord).wsman_params).toEqual(['PowerState=']);
    for (const rr of long.records) for (const k of PACKET_STRING_FIELDS) expect(((rr[k] as string | null) ?? '').length).toBeLessThanOrEqual(11);
  });
});

describe('message framing', () => {
  it('keep-alive with 3 pipelined requests (HEAD response has no body)', () => {
    const h = run(PIPELINED);
    expect(h.records).toEqual([
      rec(1, T0, { ...simple('GET', '/index.htm'), status_code: 303, status_msg: 'See Other', server: 'AMT' }),
      rec(2, T0, { ...simple('HEAD', '/logo.gif'), status_code: 200, status_msg: 'OK', server: 'AMT' }),
      rec(3, T0, { ...simple('GET', '/styles.css'), status_code: 200, status_msg: 'OK', server: 'AMT', response_body_len: 11 }),
    ]);
    expect(h.facts.firmware).toBe(null);
  });

  it('chunked response with extensions and a trailer, then the next exchange', () => {
    const body = 'x'.repeat(250);
    const h = run([
      req('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
      res(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(body, 100)}HTTP/1.1 204 No Content\r\n\r\n`),
    ]);
    expect(h.records.map((r) => [r.uri, r.status_code, r.response_body_len, r.partial])).toEqual([
      ['/a', 200, 250, false],
      ['/b', 204, 0, false],
    ]);
    expect(h.anomalies).toEqual([]);
  });

  it('interim 100 Continue, 304 without body, body until close', () => {
    const h = run([
      req('POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabcGET /y HTTP/1.1\r\n\r\nGET /z HTTP/1.0\r\n\r\n'),
      res('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the end'),
    ]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.status_code, r.response_body_len, r.partial])).toEqual([
      ['/x', 3, 200, 2, false],
      ['/y', 0, 304, 0, false],
      ['/z', 0, 200, 13, false],
    ]);
    expect((h.records[2] as HttpRecord).version).toBe('1.0');
  });

  it('unanswered requests at end(): status null; a request cut short is partial', () => {
    const h = run([req('GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345')]);
    expect(h.records.map((r) => [r.uri, r.status_code, r.request_body_len, r.partial])).toEqual([
      ['/a', null, 0, false],
      ['/b', null, 5, true],
    ]);
  });

  it('a response without a request (capture started midstream)', () => {
    const h = run([res(page200())]);
    expect(h.records).toEqual([rec(1, T0, { ...OK_FIELDS, partial: true })]);
    expect(h.anomalies).toEqual(['http.unsolicited_response']);
  });

  it('stops after maxHttpTransactions with one anomaly', () => {
    const h = run([req('GET /1 HTTP/1.1\r\n\r\n'.repeat(5)), res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'.repeat(5))], { limits: { maxHttpTransactions: 2 } });
    expect(h.records.map((r) => r.trans_depth)).toEqual([1, 2]);
    expect(h.anomalies).toEqual(['http.too_many_transactions']);
  });

  it('end() twice and data after end() are ignored; empty calls are harmless', () => {
    const h = harness();
    const a = createHttpAnalyzer(h.host);
    a.data(0, new Uint8Array(0), 0, 0, T0);
    a.gap(0, 0, T0);
    a.end(T0);
    a.end(T0);
    a.data(0, b('GET / HTTP/1.1\r\n\r\n'), 0, 18, T0);
    expect(h.records).toEqual([]);
  });
});

describe('Content-Length lies and garbage', () => {
  it('larger than the rest of the stream: the body runs to the end, partial', () => {
    const h = run([req('POST /wsman HTTP/1.1\r\nContent-Length: 5000\r\n\r\n<a:Action>x</a:Action>'), res('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort')]);
    expect(h.records).toEqual([
      rec(1, T0, { method: 'POST', uri: '/wsman', version: '1.1', request_body_len: 22, status_code: 200, status_msg: 'OK', response_body_len: 5, wsman_action: 'x', wsman_method: 'x', partial: true }),
    ]);
    expect(h.anomalies).toEqual([]);
  });

  it('99999999999999999999: anomaly, the body is skipped to the next request line', () => {
    const h = run([
      req('POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\nBODY BYTES\r\nGET /next HTTP/1.1\r\n\r\n'),
      res('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.status_code, r.partial])).toEqual([
      ['/a', 12, 400, true],
      ['/next', 0, 200, false],
    ]);
    expect(h.anomalies).toEqual(['http.content_length_too_large']);
  });

  it('-1 in a response: anomaly, skipped to the next status line', () => {
    const h = run([
      req('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n<html>\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    ]);
    expect(h.records.map((r) => [r.uri, r.status_code, r.response_body_len, r.partial])).toEqual([
      ['/a', 200, 7, true],
      ['/b', 200, 2, true], // answered after the first response lost its framing: not certain
    ]);
    expect(h.anomalies).toEqual(['http.bad_content_length']);
  });

  it('two conflicting values: anomaly, partial', () => {
    // Resync looks at line starts only: the body is skipped through the end of its line.
    const h = run([req('POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello\r\nGET /b HTTP/1.1\r\n\r\n')]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.partial])).toEqual([
      ['/a', 7, true],
      ['/b', 0, false],
    ]);
    expect(h.anomalies).toEqual(['http.content_length_conflict']);
  });

  it('Transfer-Encoding with Content-Length, unknown codings, bad chunk sizes', () => {
    let h = run([req('POST /a HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /b HTTP/1.1\r\n\r\n')]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.partial])).toEqual([
      ['/a', 3, false],
      ['/b', 0, false],
    ]);
    expect(h.anomalies).toEqual(['http.content_length_and_transfer_encoding']);
    h = run([req('POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxxxx\r\nGET /b HTTP/1.1\r\n\r\n')]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.partial])).toEqual([
      ['/a', 6, true],
      ['/b', 0, false],
    ]);
    expect(h.anomalies).toEqual(['http.bad_transfer_encoding']);
    h = run([req('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'), res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]);
    expect(h.records.map((r) => [r.uri, r.status_code, r.partial])).toEqual([
      ['/a', 200, true],
      ['/b', 200, true],
    ]);
    expect(h.anomalies).toEqual(['http.bad_chunk_size']);
  });
});

describe('limits on heads', () => {
  it('a head over maxHttpHeaderBytes: anomaly, the record keeps what fit, then resync', () => {
    const big = `GET /big HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nCookie: ${'c'.repeat(300)}\r\nUser-Agent: late\r\n\r\nGET /next HTTP/1.1\r\n\r\n`;
    for (const split of ['whole', 'bytes'] as const) {
      const h = run([req(big), res('HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')], { limits: { maxHttpHeaderBytes: 200 }, split });
      expect(h.records.map((r) => [r.uri, r.host, r.user_agent, r.status_code, r.partial])).toEqual([
        ['/big', '10.0.0.10:16992', null, 431, true],
        ['/next', null, null, 200, false],
      ]);
      expect(h.anomalies).toEqual(['http.head_too_long']);
    }
  });

  it('a request line over the limit: method and the start of the URI, paired with its answer', () => {
    for (const split of ['whole', 'bytes'] as const) {
      const h = run([req(`GET /${'A'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n\r\n`), res('HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n' + page200())], { split });
      expect(h.records.map((r) => [r.method, r.uri?.length, r.version, r.status_code, r.partial])).toEqual([
        ['GET', 1024, '1.1', 414, true], // version: the request's was not seen, the response's
        ['GET', 5, '1.1', 200, false],
      ]);
      expect((h.records[0] as HttpRecord).uri).toBe('/' + 'A'.repeat(1023));
      expect(h.anomalies).toEqual(['http.head_too_long', 'http.field_truncated']);
    }
  });

  it('too many header fields: anomaly and partial, and the fields after the limit still read', () => {
    const h = run([req(`GET / HTTP/1.1\r\n${'X: 1\r\n'.repeat(5)}Host: h\r\nAuthorization: Digest username="admin", response=""\r\n\r\n`)], {
      limits: { maxHttpHeaders: 3 },
    });
    expect(h.records[0]).toMatchObject({ uri: '/', host: 'h', partial: true, auth_scheme: 'Digest', username: 'admin', digest_response_len: 0 });
    expect(h.anomalies).toEqual(['http.too_many_headers']);
  });

  it('not HTTP at all (TLS to the cleartext port): rejected from the first bytes, nothing buffered', () => {
    for (const split of ['whole', 'bytes'] as const) {
      const h = run([reqBytes(Uint8Array.of(0x16, 3, 1, 0, 5, 1, 0, 0, 1, 3)), resBytes(Uint8Array.of(0x15, 3, 1, 0, 2, 2, 40))], { split });
      expect(h.records).toEqual([]);
      expect(h.anomalies).toEqual(['http.bad_request_line', 'http.bad_status_line']);
    }
  });

  it('garbage before a request: one anomaly, then the request is found', () => {
    const h = run([req('\x16\x03\x01\x00\x05hello\r\nmore junk\nGET /x HTTP/1.1\r\n\r\n')]);
    expect(h.records.map((r) => r.uri)).toEqual(['/x']);
    expect(h.anomalies).toEqual(['http.bad_request_line']);
  });
});

describe('gaps', () => {
  const kvmPost = wsmanPost(KVM_PUT_ENVELOPE);
  const headLen = kvmPost.length - KVM_PUT_ENVELOPE.length;

  it('in the middle of a body: absorbed by count; the scanned prefix still gives the action', () => {
    const cut = headLen + 500;
    const h = run([
      req(kvmPost.slice(0, cut)),
      gap(0, 300),
      req(kvmPost.slice(cut + 300) + 'GET /index.htm HTTP/1.1\r\n\r\n'),
      res(wsmanResponse('<x/>') + page200()),
    ]);
    expect(h.records.map((r) => [r.uri, r.request_body_len, r.wsman_method, r.wsman_params, r.status_code, r.partial])).toEqual([
      ['/wsman', KVM_PUT_ENVELOPE.length, 'Put', [], 200, true],
      ['/index.htm', 0, null, [], 200, false],
    ]);
    expect(json(h)).not.toContain(RFB_PASSWORD);
  });

  it('from a body into the next head: resync on the next request', () => {
    const cut = headLen + 500;
    const h = run([
      req(kvmPost.slice(0, cut)),
      gap(0, KVM_PUT_ENVELOPE.length - 500 + 10),
      req('1.1\r\nHost: lost\r\n\r\nGET /after HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n'),
      res(wsmanResponse('<x/>') + page200()),
    ]);
    expect(h.records.map((r) => [r.uri, r.host, r.status_code, r.partial])).toEqual([
      ['/wsman', '10.0.0.10:16992', 200, true],
      ['/after', '10.0.0.10:16992', 200, false],
    ]);
    expect(h.anomalies).toEqual([]);
  });

  it('in the middle of a head: a partial record from the complete lines, resync on the next request', () => {
    const h = run([
      req('GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nUser-Ag'),
      gap(0, 40),
      req('ent-tail\r\nAccept: */*\r\n\r\nGET /next.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n'),
      res(AMT_401.replace('Connection: close\r\n', '') + page200()),
    ]);
    expect(h.records).toEqual([
      rec(1, stepTs(0), { ...simple('GET', '/index.htm'), ...CHALLENGE_FIELDS, partial: true }),
      rec(2, stepTs(2), { ...simple('GET', '/next.htm'), ...OK_FIELDS }),
    ]);
    expect(h.anomalies).toEqual([]);
  });

  it('a head that starts right after a gap may have lost its first bytes: partial (the "ET" of a lost "G")', () => {
    const h = run([req('GET /a HTTP/1.1\r\n\r\n'), gap(0, 1), req('ET /index.htm HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n\r\n'), res(page200() + page200() + page200())]);
    expect(h.records.map((r) => [r.method, r.uri, r.partial])).toEqual([
      ['GET', '/a', false],
      ['ET', '/index.htm', true],
      ['GET', '/b', false],
    ]);
  });

  it('in a response head: the pending transaction is partial; the next status line is found', () => {
    const h = run([
      req('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nServer: AMT\r\nCont'),
      gap(1, 100),
      res('ent\r\n\r\nbody\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(h.records.map((r) => [r.uri, r.status_code, r.server, r.partial])).toEqual([
      ['/a', 200, 'AMT', true],
      ['/b', 404, null, true],
    ]);
  });

  it('a gap in a body read until close only counts', () => {
    const h = run([req('GET / HTTP/1.0\r\n\r\n'), res('HTTP/1.0 200 OK\r\n\r\nabc'), gap(1, 1000), res('def')]);
    expect(h.records[0]).toMatchObject({ response_body_len: 1006, partial: true });
  });
});

describe('WebSocket upgrade (/ws-redirection)', () => {
  const upgradeRecord = (): Partial<HttpRecord> => ({ uri: '/ws-redirection', status_code: 101, status_msg: 'Switching Protocols', websocket: true, partial: false });

  it('feeds the unmasked payload of binary frames, split anywhere, to the inner analyzer', () => {
    for (const split of ['whole', 'bytes', 2, 3, 5, 7, 13, 64] as const) {
      const inner = new FakeInner();
      const h = run(WEBSOCKET, { split, onUpgrade: (host) => (expect(host).toBeDefined(), inner) });
      expect(h.records).toHaveLength(1);
      expect(h.records[0]).toMatchObject(upgradeRecord());
      expect(inner.get(0)).toEqual(WS_CLIENT_PAYLOAD);
      expect(inner.get(1)).toEqual(REDIR_REPLY);
      expect(inner.gaps).toEqual([[], []]);
      expect(inner.ended).toBe(1);
      expect(h.anomalies).toEqual([]);
      expect(h.facts).toMatchObject({ user: 'admin', auth: 'success' });
    }
  });

  it('the inner analyzer gets the same host (its records join the session)', () => {
    let seen: unknown = null;
    const h = harness();
    const a = createHttpAnalyzer(h.host, {
      onUpgrade: (host) => {
        seen = host;
        return new FakeInner();
      },
    });
    a.data(0, b(WS_UPGRADE_REQ), 0, WS_UPGRADE_REQ.length, T0);
    a.data(1, b(WS_UPGRADE_RES), 0, WS_UPGRADE_RES.length, T0);
    expect(seen).toBe(h.host);
  });

  it('client frames seen before the 101 are held and delivered after it', () => {
    const inner = new FakeInner();
    run([req(WS_UPGRADE_REQ), reqBytes(WS_CLIENT_FRAMES), res(WS_UPGRADE_RES), resBytes(WS_SERVER_FRAMES)], { onUpgrade: () => inner });
    expect(inner.get(0)).toEqual(WS_CLIENT_PAYLOAD);
    expect(inner.get(1)).toEqual(REDIR_REPLY);
  });

  it('held client frames, then a gap before the 101: what was held is delivered, then the gap', () => {
    const inner = new FakeInner();
    const f1 = wsFrame(2, REDIR_START_KVM, { mask: Uint8Array.of(1, 2, 3, 4) });
    run([req(WS_UPGRADE_REQ), reqBytes(f1), gap(0, 25), res(WS_UPGRADE_RES), reqBytes(wsFrame(2, b('late'), { mask: Uint8Array.of(1, 2, 3, 4) })), resBytes(WS_SERVER_FRAMES)], { onUpgrade: () => inner });
    expect(inner.get(0)).toEqual(REDIR_START_KVM);
    expect(inner.gaps[0]).toEqual([25]);
    expect(inner.get(1)).toEqual(REDIR_REPLY);
  });

  it('more held client bytes than the hold limit: anomaly, the held prefix is still delivered', () => {
    const inner = new FakeInner();
    const big = payload(3000, 3);
    const h = run([req(WS_UPGRADE_REQ), reqBytes(wsFrame(2, big, { mask: Uint8Array.of(7, 7, 7, 7) })), res(WS_UPGRADE_RES)], {
      onUpgrade: () => inner,
      limits: { maxHttpHeaderBytes: 1024 },
    });
    expect(h.anomalies).toEqual(['http.upgrade_hold_overflow']);
    expect(inner.get(0)).toEqual(big.subarray(0, 1024 - 8));
    expect(inner.gaps[0]).toEqual([3000 + 8 - 1024]);
  });

  it('a refused upgrade: the held bytes are HTTP again', () => {
    const inner = new FakeInner();
    const h = run([req(WS_UPGRADE_REQ + 'GET /after HTTP/1.1\r\n\r\n'), res(AMT_401.replace('Connection: close\r\n', '') + page200())], { onUpgrade: () => inner });
    expect(h.records.map((r) => [r.uri, r.status_code, r.websocket])).toEqual([
      ['/ws-redirection', 401, false],
      ['/after', 200, false],
    ]);
    expect(inner.calls).toBe(0);
  });

  it('64-bit frame lengths; masked server frames (anomaly) are still unmasked', () => {
    const big = payload(70_000, 9);
    const inner = new FakeInner();
    const h = run(
      [req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(wsFrame(2, big, { mask: Uint8Array.of(9, 8, 7, 6) })), resBytes(wsFrame(2, REDIR_REPLY, { mask: Uint8Array.of(1, 2, 3, 4) }))],
      { split: 1000, onUpgrade: () => inner },
    );
    expect(inner.get(0)).toEqual(big);
    expect(inner.get(1)).toEqual(REDIR_REPLY);
    expect(h.anomalies).toEqual(['http.ws.mask_violation']);
    expect(inner.ended).toBe(1); // at end()
  });

  it('text and control frames are not fed; compressed (RSV) frames become gaps', () => {
    const inner = new FakeInner();
    const mask = Uint8Array.of(0x11, 0x22, 0x33, 0x44);
    const client = concat(
      wsFrame(1, b('text'), { mask }),
      wsFrame(10, b('pong'), { mask }),
      wsFrame(2, b('zzzz'), { mask, rsv: 4 }),
      wsFrame(2, Uint8Array.of(1, 2, 3), { mask }),
      wsFrame(9, new Uint8Array(126), { mask }),
    );
    const h = run([req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(client)], { onUpgrade: () => inner });
    expect(inner.get(0)).toEqual(Uint8Array.of(1, 2, 3));
    expect(inner.gaps[0]).toEqual([4]);
    expect(h.anomalies).toEqual(['http.ws.rsv_set', 'http.ws.bad_control_frame']);
  });

  it('a gap inside a frame payload is passed on; a gap over a frame header gives the direction up', () => {
    const mask = Uint8Array.of(5, 6, 7, 8);
    const f1 = wsFrame(2, payload(100, 1), { mask });
    const f2 = wsFrame(2, payload(10, 2), { mask });
    let inner = new FakeInner();
    run([req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(f1.subarray(0, 50)), gap(0, 30), reqBytes(f1.subarray(80)), reqBytes(f2)], { onUpgrade: () => inner });
    expect(inner.gaps[0]).toEqual([30]);
    expect(inner.get(0)).toEqual(concat(payload(100, 1).subarray(0, 44), payload(100, 1).subarray(74), payload(10, 2)));
    inner = new FakeInner();
    run([req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(f1.subarray(0, 50)), gap(0, 60), reqBytes(f2)], { onUpgrade: () => inner });
    expect(inner.gaps[0]).toEqual([60]);
    expect(inner.get(0)).toEqual(payload(100, 1).subarray(0, 44));
  });

  it('a reserved opcode gives that direction up; no inner factory leaves the upgrade opaque', () => {
    const inner = new FakeInner();
    const h = run([req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(concat(Uint8Array.of(0x83, 0x80, 0, 0, 0, 0), wsFrame(2, b('x'), { mask: Uint8Array.of(1, 1, 1, 1) })))], { onUpgrade: () => inner });
    expect(h.anomalies).toEqual(['http.ws.bad_opcode']);
    expect(inner.get(0)).toEqual(new Uint8Array(0));
    const opaque = run(WEBSOCKET);
    expect(opaque.records).toHaveLength(1);
    expect(opaque.records[0]).toMatchObject(upgradeRecord());
  });

  it('101 without a WebSocket upgrade request: anomaly, opaque afterwards', () => {
    const h = run([req('GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n'), res('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n\x00\x00\x12\x04'), req('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')]);
    expect(h.records.map((r) => [r.status_code, r.websocket])).toEqual([[101, false]]);
    expect(h.anomalies).toEqual(['http.upgrade_not_websocket']);
  });
});

// ---------------------------------------------------------------- whole-conversation properties

function totalBytes(steps: Step[]): number {
  return steps.reduce((n, s) => n + ('data' in s ? s.data.length : 0), 0);
}

/** The first `n` payload bytes of a conversation (gaps kept as they are). */
function prefix(steps: Step[], n: number): Step[] {
  const out: Step[] = [];
  let left = n;
  for (const s of steps) {
    if (!('data' in s)) {
      out.push(s);
      continue;
    }
    if (left <= 0) break;
    out.push({ dir: s.dir, data: s.data.subarray(0, Math.min(left, s.data.length)) });
    left -= s.data.length;
  }
  return out;
}

const RESPONSE_FIELDS = new Set(['status_msg', 'server', 'amt_firmware', 'challenge_realm', 'challenge_nonce']);

function checkFromBytes(h: Harness, steps: Step[]): void {
  const sent = ['', ''];
  for (const s of steps) if ('data' in s) sent[s.dir] += latin1(s.data);
  for (const r of h.records) {
    for (const k of PACKET_STRING_FIELDS) {
      const v = r[k];
      if (v === null) continue;
      const inOrig = (sent[0] as string).includes(v);
      const inResp = (sent[1] as string).includes(v);
      if (k === 'version') expect(inOrig || inResp, `${k}=${v}`).toBe(true);
      else if (RESPONSE_FIELDS.has(k)) expect(inResp, `${k}=${v}`).toBe(true);
      else expect(inOrig, `${k}=${v}`).toBe(true);
    }
    if (r.username !== null && r.auth_scheme === 'Digest') expect(sent[0]).toContain(r.username);
    for (const p of r.wsman_params) {
      const v = p.slice(p.indexOf('=') + 1);
      if (v !== '<set>') expect(sent[0]).toContain(`>${v}<`);
    }
    expect(r.request_body_len).toBeLessThanOrEqual((sent[0] as string).length);
    expect(r.response_body_len).toBeLessThanOrEqual((sent[1] as string).length);
  }
  expect(json(h)).not.toContain(RFB_PASSWORD.slice(0, 5));
}

describe('truncation sweep', () => {
  for (const [name, conv] of Object.entries(CONVERSATIONS)) {
    it(`every prefix of ${name} followed by end(): no throw, only fields from the bytes`, () => {
      const total = totalBytes(conv);
      for (let n = 0; n <= total; n++) {
        const steps = prefix(conv, n);
        const inner = new FakeInner();
        const h = run(steps, { onUpgrade: () => inner });
        checkFromBytes(h, steps);
        for (const r of h.records) expect(r.trans_depth).toBeGreaterThan(0);
      }
    });
  }
});

describe('delivery independence', () => {
  for (const [name, conv] of Object.entries(CONVERSATIONS)) {
    it(`${name}: byte at a time and odd chunk sizes give the same records as one chunk`, () => {
      const i0 = new FakeInner();
      const whole = run(conv, { onUpgrade: () => i0 });
      for (const split of ['bytes', 2, 3, 11, 97] as const) {
        const i1 = new FakeInner();
        const h = run(conv, { split, onUpgrade: () => i1 });
        expect(h.records).toEqual(whole.records);
        expect(h.anomalies).toEqual(whole.anomalies);
        expect(h.facts).toEqual(whole.facts);
        expect(i1.get(0)).toEqual(i0.get(0));
        expect(i1.get(1)).toEqual(i0.get(1));
      }
    });
  }
});

describe('robustness', () => {

  it('random bytes, mutated conversations, random gaps: never throws, bounded output', () => {
    const r = rng(0xa11ce);
    const seeds = Object.values(CONVERSATIONS);
    for (let iter = 0; iter < 400; iter++) {
      const base = seeds[iter % seeds.length] as Step[];
      const steps: Step[] = base.map((s) => {
        if (!('data' in s)) return s;
        const d = Uint8Array.from(s.data);
        const flips = r() % 8;
        for (let k = 0; k < flips; k++) d[r() % d.length] = r() & 0xff;
        return { dir: s.dir, data: d };
      });
      if (iter % 5 === 0) steps.splice(r() % (steps.length + 1), 0, gap((r() & 1) as 0 | 1, 1 + (r() % 2000)));
      if (iter % 7 === 0) steps.push({ dir: (r() & 1) as 0 | 1, data: Uint8Array.from({ length: r() % 3000 }, () => r() & 0xff) });
      const inner = new FakeInner();
      const h = run(steps, { split: 1 + (r() % 50), onUpgrade: () => inner, limits: { maxHttpHeaderBytes: 64 + (r() % 2048), maxFieldChars: 8 + (r() % 64) } });
      for (const rec of h.records) {
        expect(Object.keys(rec)).toEqual(HTTP_FIELDS.map((f) => f.key));
        for (const k of PACKET_STRING_FIELDS) expect(((rec[k] as string | null) ?? '').length).toBeLessThanOrEqual(72);
      }
      expect(json(h)).not.toContain(RFB_PASSWORD);
    }
  });

  it('a head trickling in one byte at a time never holds more than the limit', () => {
    const h = harness({ maxHttpHeaderBytes: 1024 });
    const a = createHttpAnalyzer(h.host);
    a.data(0, b('GET / HTTP/1.1\r\n'), 0, 16, T0);
    const x = b('X');
    for (let i = 0; i < 100_000; i++) a.data(0, x, 0, 1, T0);
    a.end(T0);
    expect(h.anomalies).toEqual(['http.head_too_long']);
    expect(h.records).toHaveLength(1);
  });
});
