import { describe, expect, it } from 'vitest';
import {
  A_HTTP_BAD_CHUNK_SIZE,
  A_HTTP_BAD_CHUNK_TERMINATOR,
  A_HTTP_BAD_REQUEST_LINE,
  A_HTTP_BAD_STATUS_LINE,
  A_HTTP_CHUNK_LINE_TOO_LONG,
  A_HTTP_HEAD_TOO_LONG,
  A_HTTP_TRAILER_TOO_LONG,
  A_HTTP_WS_BAD_LENGTH,
  DIGEST_CNONCE,
  DIGEST_NC,
  DIGEST_NONCE,
  DIGEST_QOP,
  DIGEST_REALM,
  DIGEST_RESPONSE,
  DIGEST_URI,
  DIGEST_USERNAME,
  MAX_WSMAN_PARAMS,
  WSMAN_PARAM_NAMES,
} from '../../../../src/analyzers/http/constants.js';
import {
  AUTH_BASIC,
  AUTH_DIGEST,
  AUTH_NONE,
  AUTH_OTHER,
  AuthInfo,
  CH_DATA,
  CH_DONE,
  CL_BAD,
  CL_CONFLICT,
  CL_TOO_LARGE,
  ChunkState,
  HeadInfo,
  HeadScan,
  KIND_REQUEST,
  KIND_RESPONSE,
  Span,
  StartLine,
  TE_CHUNKED,
  TE_NONE,
  TE_OTHER,
  WsFrame,
  WsmanScan,
  decodeBasicUser,
  isHex32,
  lastPathElement,
  listHasToken,
  looksLikeMessageStart,
  parseAmtFirmware,
  parseAuthorization,
  parseChunkFraming,
  parseContentLength,
  parseHeaders,
  parseRequestLine,
  parseStatusLine,
  parseWsFrameHeader,
  scanHead,
  scanWsman,
  unmask,
} from '../../../../src/analyzers/http/parser.js';
import { AMT_401, AMT_WWW_AUTH, KVM_PUT_ENVELOPE, POWER_ENVELOPE, b, wsFrame } from './fixtures.js';
import { latin1 } from './helpers.js';

const s = (u: Uint8Array, a: number, e: number): string | null => (a < 0 ? null : latin1(u.subarray(a, e)));

function reqLine(text: string): { r: number; l: StartLine; u: Uint8Array } {
  const u = b(text);
  const l = new StartLine();
  return { r: parseRequestLine(u, 0, u.indexOf(10), l), l, u };
}

function statusLine(text: string): { r: number; l: StartLine; u: Uint8Array } {
  const u = b(text);
  const l = new StartLine();
  return { r: parseStatusLine(u, 0, u.indexOf(10), l), l, u };
}

describe('start lines', () => {
  it('parses a request line (CRLF or bare LF)', () => {
    for (const t of ['GET /index.htm HTTP/1.1\r\n', 'GET /index.htm HTTP/1.1\n']) {
      const { r, l, u } = reqLine(t);
      expect(r).toBe(1);
      expect(s(u, l.methodS, l.methodE)).toBe('GET');
      expect(s(u, l.uriS, l.uriE)).toBe('/index.htm');
      expect(s(u, l.verS, l.verE)).toBe('1.1');
    }
  });

  it('rejects what is not HTTP/1.x', () => {
    for (const t of [
      'GET /\r\n',
      'GET  / HTTP/1.1\r\n',
      ' GET / HTTP/1.1\r\n',
      'GET / HTTP/1.1 \r\n',
      'GET / HTTP/11\r\n',
      'GET / HTTPS/1.1\r\n',
      'G(T / HTTP/1.1\r\n',
      'GET /a\x00b HTTP/1.1\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\n',
      '\r\n',
    ]) {
      expect(reqLine(t).r, JSON.stringify(t)).toBe(-A_HTTP_BAD_REQUEST_LINE);
    }
  });

  it('parses status lines, with and without a reason', () => {
    let x = statusLine('HTTP/1.1 401 Unauthorized\r\n');
    expect(x.r).toBe(1);
    expect(x.l.status).toBe(401);
    expect(s(x.u, x.l.reasonS, x.l.reasonE)).toBe('Unauthorized');
    expect(s(x.u, x.l.verS, x.l.verE)).toBe('1.1');
    x = statusLine('HTTP/1.0 200\r\n');
    expect(x.r).toBe(1);
    expect(x.l.status).toBe(200);
    expect(s(x.u, x.l.reasonS, x.l.reasonE)).toBe('');
    x = statusLine('HTTP/1.1 303 See Other\n');
    expect(s(x.u, x.l.reasonS, x.l.reasonE)).toBe('See Other');
    for (const t of ['HTTP/1.1 20 OK\r\n', 'HTTP/1.1 2000 OK\r\n', 'HTTP/1.1  200 OK\r\n', 'HTTP 200 OK\r\n', 'ICY 200 OK\r\n']) {
      expect(statusLine(t).r, t).toBe(-A_HTTP_BAD_STATUS_LINE);
    }
  });

  it('probes message starts like Suricata', () => {
    const t = (kind: 0 | 1, x: string): boolean => {
      const u = b(x);
      return looksLikeMessageStart(kind, u, 0, u.length);
    };
    expect(t(KIND_REQUEST, 'GET / HTTP/1.1')).toBe(true);
    expect(t(KIND_REQUEST, 'M-SEARCH * HTTP/1.1')).toBe(true);
    expect(t(KIND_REQUEST, 'POS')).toBe(true); // undecided: too short
    expect(t(KIND_REQUEST, 'get / HTTP/1.1')).toBe(false);
    expect(t(KIND_REQUEST, ' GET')).toBe(false);
    expect(t(KIND_REQUEST, '<xml>')).toBe(false);
    expect(t(KIND_REQUEST, 'A'.repeat(40) + ' /')).toBe(false);
    expect(t(KIND_RESPONSE, 'HTTP/1.1 200 OK')).toBe(true);
    expect(t(KIND_RESPONSE, 'HTT')).toBe(true);
    expect(t(KIND_RESPONSE, 'HTTX')).toBe(false);
    expect(t(KIND_RESPONSE, '')).toBe(false);
  });
});

describe('scanHead', () => {
  const head = 'GET /index.htm HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\nBODY';

  it('finds the end of a head in one call', () => {
    const u = b(head);
    const st = new HeadScan();
    expect(scanHead(u, 0, u.length, KIND_REQUEST, 1000, st, new StartLine())).toBe(head.indexOf('BODY'));
  });

  it('gives the same answer when the bytes arrive one at a time (each byte scanned once)', () => {
    const u = b(head);
    const st = new HeadScan();
    const line = new StartLine();
    let r = 0;
    let calls = 0;
    for (let e = 1; e <= u.length && r === 0; e++) {
      r = scanHead(u, 0, e, KIND_REQUEST, 1000, st, line);
      calls++;
    }
    expect(r).toBe(head.indexOf('BODY'));
    expect(calls).toBe(head.indexOf('BODY'));
    expect(st.firstEol).toBe(24);
  });

  it('accepts bare LF line ends', () => {
    const u = b('HTTP/1.1 200 OK\nA: b\n\nrest');
    expect(scanHead(u, 0, u.length, KIND_RESPONSE, 1000, new HeadScan(), new StartLine())).toBe(22);
  });

  it('reports a bad start line at its LF, and a head over the limit', () => {
    let u = b('xyz\r\nHost: a\r\n\r\n');
    const st = new HeadScan();
    expect(scanHead(u, 0, u.length, KIND_REQUEST, 1000, st, new StartLine())).toBe(-A_HTTP_BAD_REQUEST_LINE);
    expect(st.firstEol).toBe(-1); // rejected from its first bytes
    u = b('GET /x HTTP/2\r\nHost: a\r\n\r\n');
    const st1 = new HeadScan();
    expect(scanHead(u, 0, u.length, KIND_REQUEST, 1000, st1, new StartLine())).toBe(-A_HTTP_BAD_REQUEST_LINE);
    expect(st1.firstEol).toBe(14);
    u = b('\x16\x03\x01');
    expect(scanHead(u, 0, u.length, KIND_RESPONSE, 1000, new HeadScan(), new StartLine())).toBe(-A_HTTP_BAD_STATUS_LINE);
    expect(scanHead(u, 0, 0, KIND_RESPONSE, 1000, new HeadScan(), new StartLine())).toBe(0);
    u = b('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(100) + '\r\n\r\n');
    const st2 = new HeadScan();
    expect(scanHead(u, 0, u.length, KIND_REQUEST, 64, st2, new StartLine())).toBe(-A_HTTP_HEAD_TOO_LONG);
    expect(st2.lineStart).toBe(16); // the complete lines end here
    expect(scanHead(u, 0, 50, KIND_REQUEST, 64, new HeadScan(), new StartLine())).toBe(0);
  });

  it('a head exactly at the limit is accepted', () => {
    const u = b('GET / HTTP/1.1\r\n\r\n');
    expect(scanHead(u, 0, u.length, KIND_REQUEST, u.length, new HeadScan(), new StartLine())).toBe(u.length);
    expect(scanHead(u, 0, u.length, KIND_REQUEST, u.length - 1, new HeadScan(), new StartLine())).toBe(-A_HTTP_HEAD_TOO_LONG);
  });
});

describe('parseHeaders', () => {
  const parse = (text: string, max = 100): { h: HeadInfo; u: Uint8Array } => {
    const u = b(text);
    const h = new HeadInfo();
    h.reset();
    parseHeaders(u, 0, u.length, max, h);
    return { h, u };
  };

  it('keeps the headers it looks for, by name bytes in any case, first occurrence', () => {
    const { h, u } = parse(
      'hOsT: 10.0.0.10:16992\r\nUSER-AGENT:  ua 1  \r\nX-Other: 1\r\nHost: second\r\nServer: AMT\r\n' +
        `www-authenticate: Negotiate\r\nWWW-Authenticate: ${AMT_WWW_AUTH}\r\nContent-Type: application/soap+xml\r\n\r\nHost: body\r\n`,
    );
    expect(s(u, h.host.s, h.host.e)).toBe('10.0.0.10:16992');
    expect(s(u, h.userAgent.s, h.userAgent.e)).toBe('ua 1');
    expect(s(u, h.server.s, h.server.e)).toBe('AMT');
    expect(s(u, h.wwwDigest.s, h.wwwDigest.e)).toBe(AMT_WWW_AUTH);
    expect(s(u, h.contentType.s, h.contentType.e)).toBe('application/soap+xml');
    expect(h.count).toBe(8);
    expect(h.authorization.s).toBe(-1);
  });

  it('Content-Length: value, identical repeats, conflicts, garbage, too large', () => {
    expect(parse('Content-Length: 690\r\n').h.clValue).toBe(690);
    let { h } = parse('Content-Length: 5\r\nContent-Length: 5\r\n');
    expect([h.clState, h.clValue]).toEqual([1, 5]);
    expect(parse('Content-Length: 5\r\nContent-Length: 6\r\n').h.clState).toBe(CL_CONFLICT);
    expect(parse('Content-Length: 5, 6\r\n').h.clState).toBe(CL_CONFLICT);
    expect(parse('Content-Length: -1\r\n').h.clState).toBe(CL_BAD);
    expect(parse('Content-Length: 99999999999999999999\r\n').h.clState).toBe(CL_TOO_LARGE);
    h = parse('Content-Length: 5\r\nContent-Length: x\r\n').h;
    expect(h.clState).toBe(CL_BAD);
  });

  it('Transfer-Encoding: final coding decides; Upgrade tokens', () => {
    expect(parse('Transfer-Encoding: chunked\r\n').h.teState).toBe(TE_CHUNKED);
    expect(parse('Transfer-Encoding: gzip, Chunked ; x=1\r\n').h.teState).toBe(TE_CHUNKED);
    expect(parse('Transfer-Encoding: chunked, gzip\r\n').h.teState).toBe(TE_OTHER);
    expect(parse('Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n').h.teState).toBe(TE_OTHER);
    expect(parse('X: 1\r\n').h.teState).toBe(TE_NONE);
    expect(parse('Upgrade: h2c, WebSocket\r\n').h.upgradeWebsocket).toBe(true);
    const { h } = parse('Upgrade: h2c\r\n');
    expect([h.upgrade, h.upgradeWebsocket]).toEqual([true, false]);
  });

  it('counts malformed lines, flags the header limit but reads on, ignores an unterminated last line', () => {
    let { h } = parse('Host: a\r\nno colon here\r\n folded\r\nBad Name: x\r\n: empty\r\nServer: AMT\r\n');
    expect(h.badLines).toBe(4);
    expect(h.count).toBe(2);
    const late = parse('A: 1\r\nB: 2\r\nC: 3\r\nHost: late\r\n', 3);
    h = late.h;
    expect(h.tooMany).toBe(true);
    expect(s(late.u, h.host.s, h.host.e)).toBe('late');
    h = parse('Host: a\r\nServer: Intel(R) Act').h;
    expect(h.server.s).toBe(-1);
  });

  it('listHasToken', () => {
    const u = b('keep-alive, Upgrade');
    expect(listHasToken(u, 0, u.length, b('upgrade'))).toBe(true);
    expect(listHasToken(u, 0, u.length, b('keep'))).toBe(false);
  });
});

describe('parseContentLength', () => {
  const cl = (t: string): number => {
    const u = b(t);
    return parseContentLength(u, 0, u.length);
  };
  it('accepts digits and lists of equal values only', () => {
    expect(cl('0')).toBe(0);
    expect(cl('000000000000000000000012')).toBe(12);
    expect(cl('999999999999999')).toBe(999999999999999);
    expect(cl('1000000000000000')).toBe(CL_TOO_LARGE);
    expect(cl('12 , 12')).toBe(12);
    for (const bad of ['', ' ', '-1', '+1', '1e3', '0x10', '12;', '1 2', ',', '12,']) expect(cl(bad), bad).toBe(CL_BAD);
  });
});

describe('Authorization', () => {
  const auth = (value: string): { a: AuthInfo; u: Uint8Array; r: number } => {
    const u = b(value);
    const a = new AuthInfo();
    return { a, u, r: parseAuthorization(u, 0, u.length, a) };
  };
  const p = (x: { a: AuthInfo; u: Uint8Array }, k: number): string | null => s(x.u, x.a.ps[k] as number, x.a.pe[k] as number);

  it('nmap shape: uri without slash, no space before cnonce, nc=1, qop quoted, response=""', () => {
    const x = auth('Digest username="admin", realm="Digest:A4070000000000000000000000000000", nonce="n0nce", uri="index.htm",cnonce="kqdhrwtxyb", nc=1, qop="auth", response=""');
    expect(x.r).toBe(AUTH_DIGEST);
    expect(s(x.u, x.a.schemeS, x.a.schemeE)).toBe('Digest');
    expect(p(x, DIGEST_USERNAME)).toBe('admin');
    expect(p(x, DIGEST_REALM)).toBe('Digest:A4070000000000000000000000000000');
    expect(p(x, DIGEST_NONCE)).toBe('n0nce');
    expect(p(x, DIGEST_URI)).toBe('index.htm');
    expect(p(x, DIGEST_CNONCE)).toBe('kqdhrwtxyb');
    expect(p(x, DIGEST_NC)).toBe('1');
    expect(p(x, DIGEST_QOP)).toBe('auth');
    expect(p(x, DIGEST_RESPONSE)).toBe('');
    expect(x.a.bad).toBe(false);
  });

  it('browser shape: unquoted qop and nc in any order, escapes kept raw, first occurrence wins', () => {
    const x = auth('digest  qop=auth,nc=00000001 , response="0123456789ABCDEF0123456789abcdef",username="a\\"b", username="second", realm=""');
    expect(x.r).toBe(AUTH_DIGEST);
    expect(p(x, DIGEST_QOP)).toBe('auth');
    expect(p(x, DIGEST_NC)).toBe('00000001');
    expect(p(x, DIGEST_USERNAME)).toBe('a\\"b');
    expect(p(x, DIGEST_REALM)).toBe('');
    expect(p(x, DIGEST_NONCE)).toBe(null);
    const rs = x.a.ps[DIGEST_RESPONSE] as number;
    expect(isHex32(x.u, rs, x.a.pe[DIGEST_RESPONSE] as number)).toBe(true);
  });

  it('credentials: a bare token or junk is flagged and skipped, the parameters after it still read', () => {
    const cred = (v: string): { a: AuthInfo; u: Uint8Array; r: number } => {
      const u = b(v);
      const a = new AuthInfo();
      return { a, u, r: parseAuthorization(u, 0, u.length, a, true) };
    };
    let x = cred('Digest username="admin", uri="/index.htm", x, response=""');
    expect([x.r, x.a.bad, p(x, DIGEST_RESPONSE), p(x, DIGEST_URI)]).toEqual([AUTH_DIGEST, true, '', '/index.htm']);
    x = cred('Digest username="admin", @@, junk "a,b" , response="", nc=1');
    expect([x.a.bad, p(x, DIGEST_USERNAME), p(x, DIGEST_RESPONSE), p(x, DIGEST_NC)]).toEqual([true, 'admin', '', '1']);
    // a challenge stops at a bare token: it starts the next challenge of the header
    x = auth('Digest realm="r", Basic nonce="n"');
    expect([p(x, DIGEST_REALM), p(x, DIGEST_NONCE)]).toEqual(['r', null]);
  });

  it('flags unterminated quotes and junk, keeping nothing from an unterminated value', () => {
    let x = auth('Digest username="admin, realm="r"');
    expect(x.a.bad).toBe(true);
    expect(p(x, DIGEST_USERNAME)).toBe('admin, realm=');
    x = auth('Digest username="admin" realm="r"');
    expect(x.a.bad).toBe(true);
    x = auth('Digest response="abc');
    expect(x.a.bad).toBe(true);
    expect(p(x, DIGEST_RESPONSE)).toBe(null);
  });

  it('Basic, Negotiate, empty', () => {
    let x = auth('Basic YWRtaW46UEBzc3cwcmQ=');
    expect(x.r).toBe(AUTH_BASIC);
    expect(s(x.u, x.a.tokenS, x.a.tokenE)).toBe('YWRtaW46UEBzc3cwcmQ=');
    x = auth('Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6iBwMFACAAAACjggSd');
    expect(x.r).toBe(AUTH_OTHER);
    expect(s(x.u, x.a.schemeS, x.a.schemeE)).toBe('Negotiate');
    expect(auth('').r).toBe(AUTH_NONE);
    expect(auth('   ').r).toBe(AUTH_NONE);
  });

  it('WWW-Authenticate challenge: realm and nonce; stops at the next challenge', () => {
    const x = auth(`${AMT_WWW_AUTH}, Negotiate`);
    expect(p(x, DIGEST_REALM)).toBe('Digest:A4070000000000000000000000000000');
    expect(p(x, DIGEST_NONCE)).toBe('wlbEK1EtAAAAAAAAWW5aUHFp+mQQ1j63');
    expect(p(x, DIGEST_QOP)).toBe('auth');
    expect(x.a.bad).toBe(false);
  });

  it('decodeBasicUser decodes only the user name', () => {
    const dec = (tok: string, size = 64): string | number => {
      const u = b(tok);
      const out = new Uint8Array(size);
      const n = decodeBasicUser(u, 0, u.length, out);
      return n < 0 ? n : latin1(out.subarray(0, n));
    };
    expect(dec('YWRtaW46UEBzc3cwcmQ=')).toBe('admin');
    expect(dec(Buffer.from('a:').toString('base64'))).toBe('a');
    expect(dec(Buffer.from(':pw').toString('base64'))).toBe('');
    expect(dec(Buffer.from('üser:x').toString('base64'))).toBe('Ã¼ser'); // raw bytes as latin1
    expect(dec(Buffer.from('administrator:x').toString('base64'), 5)).toBe('admin'); // cut at the scratch size
    expect(dec(Buffer.from('nocolon').toString('base64'))).toBe(-1);
    expect(dec('YWRt*W46')).toBe(-1);
    expect(dec('')).toBe(-1);
  });

  it('isHex32', () => {
    const u = b('0123456789abcdefABCDEF0123456789x');
    expect(isHex32(u, 0, 32)).toBe(true);
    expect(isHex32(u, 1, 33)).toBe(false);
    expect(isHex32(u, 0, 31)).toBe(false);
  });
});

describe('parseAmtFirmware', () => {
  const fw = (server: string): string | null => {
    const u = b(server);
    const sp = new Span();
    return parseAmtFirmware(u, 0, u.length, sp) ? latin1(u.subarray(sp.s, sp.e)) : null;
  };
  it('reads the version of every AMT Server variant (amt-protocol.md 2.1)', () => {
    expect(fw('Intel(R) Active Management Technology 11.8.50.3425')).toBe('11.8.50.3425');
    expect(fw('Intel(R) Active Management Technology 9.1.34')).toBe('9.1.34');
    expect(fw('Intel(R) Active Management Technology 7.1.86')).toBe('7.1.86');
    expect(fw('Intel(R) Standard Manageability 9.0.3')).toBe('9.0.3');
    expect(fw('Intel(R) Con. Management Engine 5.0.1')).toBe('5.0.1');
    expect(fw('intel(r) active management technology  12.0.45.1509 (x)')).toBe('12.0.45.1509');
    expect(fw('Intel(R) Active Management Technology 11.8.')).toBe('11.8');
  });
  it('no version for AMT alone or other servers', () => {
    expect(fw('AMT')).toBe(null);
    expect(fw('Intel(R) Active Management Technology')).toBe(null);
    expect(fw('Intel(R) Active Management Technology v11')).toBe(null);
    expect(fw('Intel(R) Active Management Technology11.8')).toBe(null);
    expect(fw('Apache/2.4.1 Intel(R) Active Management Technology 11.8')).toBe(null);
    expect(fw('')).toBe(null);
  });
});

describe('scanWsman', () => {
  const scan = (xml: string): { action: string | null; res: string | null; params: string[]; overflow: boolean } => {
    const u = b(xml);
    const w = new WsmanScan();
    w.reset();
    scanWsman(u, 0, u.length, w);
    const params: string[] = [];
    for (let k = 0; k < w.nParams; k++) params.push(`${WSMAN_PARAM_NAMES[w.pName[k] as number]}=${s(u, w.pS[k] as number, w.pE[k] as number)}`);
    return { action: s(u, w.action.s, w.action.e), res: s(u, w.resourceUri.s, w.resourceUri.e), params, overflow: w.overflow };
  };

  it('MeshCommander envelope: a:Action, w:ResourceURI (first one), PowerState', () => {
    const r = scan(POWER_ENVELOPE);
    expect(r.action).toBe('http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService/RequestPowerStateChange');
    expect(r.res).toBe('http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_PowerManagementService');
    expect(r.params).toEqual(['PowerState=8']);
  });

  it('wsa:Action with attributes and white space; the parameters in document order', () => {
    const r = scan(KVM_PUT_ENVELOPE);
    expect(r.action).toBe('http://schemas.xmlsoap.org/ws/2004/09/transfer/Put');
    expect(r.res).toBe('http://intel.com/wbem/wscim/1/ips-schema/1/IPS_KVMRedirectionSettingData');
    expect(r.params.map((x) => x.split('=')[0])).toEqual(['Is5900PortEnabled', 'OptInPolicy', 'RFBPassword', 'SessionTimeout']);
  });

  it('no prefix, quoted > in attributes, self-closing, comments; a cut value is not reported', () => {
    expect(scan('<Action a="x>y">urn:A/B</Action>').action).toBe('urn:A/B');
    expect(scan('<!-- <Action>no</Action> --><Action>yes</Action>').action).toBe('yes');
    expect(scan('<?xml version="1.0"?><![CDATA[<Action>no</Action>]]><Action>yes</Action>').action).toBe('yes');
    expect(scan('<!DOCTYPE x><Action>yes</Action>').action).toBe('yes');
    expect(scan('<!-- <Action>no</Action>').action).toBe(null);
    expect(scan('<r:UseIDER/><r:BIOSSetup xsi:nil="true"/>').params).toEqual(['UseIDER=', 'BIOSSetup=']);
    expect(scan('<a:Action>http://x/Get').action).toBe(null);
    expect(scan('<a:Action>http://x/Get<').action).toBe('http://x/Get');
    expect(scan('<a:Action').action).toBe(null);
    expect(scan('<<<>>><a:<:Action>u</a:Action>').action).toBe('u');
    expect(scan('<PowerStateX>1</PowerStateX><xPowerState>2</xPowerState><p:PowerState>3</p:PowerState>').params).toEqual(['PowerState=3']);
  });

  it('caps the parameters kept', () => {
    const r = scan('<PowerState>1</PowerState>'.repeat(MAX_WSMAN_PARAMS + 3));
    expect(r.params.length).toBe(MAX_WSMAN_PARAMS);
    expect(r.overflow).toBe(true);
  });

  it('lastPathElement', () => {
    const u = b('http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull');
    expect(latin1(u.subarray(lastPathElement(u, 0, u.length)))).toBe('Pull');
    const v = b('NoSlash');
    expect(lastPathElement(v, 0, v.length)).toBe(0);
  });
});

describe('parseChunkFraming', () => {
  /** Runs a whole chunked body through the framing parser, collecting the data. */
  const dechunk = (text: string, maxLine = 64, step = text.length): { data: string; result: number; done: boolean } => {
    const u = b(text);
    const st = new ChunkState();
    let data = '';
    let p = 0;
    let end = Math.min(step, u.length);
    for (;;) {
      if (st.phase === CH_DATA) {
        const n = Math.min(end - p, st.remaining);
        data += latin1(u.subarray(p, p + n));
        st.remaining -= n;
        p += n;
        if (st.remaining === 0) st.phase = 4; // CH_DATA_CR
      } else {
        const r = parseChunkFraming(u, p, end, st, maxLine);
        if (r < 0) return { data, result: r, done: false };
        p = r;
        if (st.phase === CH_DONE) return { data, result: p, done: true };
      }
      if (p === end) {
        if (end === u.length) return { data, result: p, done: false };
        end = Math.min(end + step, u.length);
      }
    }
  };

  it('decodes sizes, extensions, trailers; one call or byte by byte', () => {
    const body = '5;name=value\r\nhello\r\n1A\r\n' + 'x'.repeat(26) + '\r\n000\r\nTrailer: 1\r\n\r\nNEXT';
    for (const step of [body.length, 1, 3]) {
      const r = dechunk(body, 64, step);
      expect(r.done).toBe(true);
      expect(r.data).toBe('hello' + 'x'.repeat(26));
      expect(r.result).toBe(body.indexOf('NEXT'));
    }
    expect(dechunk('3\nabc\n0\n\n').data).toBe('abc');
    expect(dechunk('3 \r\nabc\r\n0\r\n\r\n').done).toBe(true);
  });

  it('rejects bad sizes, bad terminators, long lines, long trailers', () => {
    expect(dechunk('g\r\n').result).toBe(-A_HTTP_BAD_CHUNK_SIZE);
    expect(dechunk('\r\n').result).toBe(-A_HTTP_BAD_CHUNK_SIZE);
    expect(dechunk(';x\r\n').result).toBe(-A_HTTP_BAD_CHUNK_SIZE);
    expect(dechunk('-1\r\n').result).toBe(-A_HTTP_BAD_CHUNK_SIZE);
    expect(dechunk('5\rX').result).toBe(-A_HTTP_BAD_CHUNK_SIZE);
    expect(dechunk('10000000000000\r\n').result).toBe(-A_HTTP_BAD_CHUNK_SIZE); // 14 hex digits
    expect(dechunk('0000000000000000000001\r\nx\r\n0\r\n\r\n', 64).done).toBe(true); // leading zeros are free
    expect(dechunk('3\r\nabcd\r\n').result).toBe(-A_HTTP_BAD_CHUNK_TERMINATOR);
    expect(dechunk('3\r\nabc\rX').result).toBe(-A_HTTP_BAD_CHUNK_TERMINATOR);
    expect(dechunk('3;' + 'e'.repeat(100) + '\r\n', 64).result).toBe(-A_HTTP_CHUNK_LINE_TOO_LONG);
    expect(dechunk('0'.repeat(100) + '\r\n', 64).result).toBe(-A_HTTP_CHUNK_LINE_TOO_LONG);
    expect(dechunk('0\r\n' + 'T: x\r\n'.repeat(20), 64).result).toBe(-A_HTTP_TRAILER_TOO_LONG);
  });
});

describe('WebSocket frames', () => {
  const hdr = (u: Uint8Array): { r: number; f: WsFrame } => {
    const f = new WsFrame();
    return { r: parseWsFrameHeader(u, 0, u.length, f), f };
  };
  it('7, 16 and 64-bit lengths, mask key offset, need-more', () => {
    const mask = Uint8Array.of(1, 2, 3, 4);
    let x = hdr(wsFrame(2, new Uint8Array(125), { mask }));
    expect([x.r, x.f.len, x.f.opcode, x.f.fin, x.f.masked, x.f.maskOff]).toEqual([6, 125, 2, true, true, 2]);
    x = hdr(wsFrame(0, new Uint8Array(126), { fin: false }));
    expect([x.r, x.f.len, x.f.opcode, x.f.fin, x.f.masked]).toEqual([4, 126, 0, false, false]);
    x = hdr(wsFrame(2, new Uint8Array(70000), { mask }));
    expect([x.r, x.f.len, x.f.maskOff]).toEqual([14, 70000, 10]);
    x = hdr(wsFrame(1, new Uint8Array(1), { rsv: 4 }));
    expect(x.f.rsv).toBe(4);
    const full = wsFrame(2, new Uint8Array(70000), { mask });
    for (let n = 0; n < 14; n++) expect(parseWsFrameHeader(full, 0, n, new WsFrame())).toBe(0);
  });
  it('rejects 64-bit lengths that are not exact numbers', () => {
    expect(hdr(Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1)).r).toBe(-A_HTTP_WS_BAD_LENGTH);
    expect(hdr(Uint8Array.of(0x82, 127, 0, 0x20, 0, 0, 0, 0, 0, 0)).r).toBe(-A_HTTP_WS_BAD_LENGTH);
    const ok = hdr(Uint8Array.of(0x82, 127, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(ok.f.len).toBe(Number.MAX_SAFE_INTEGER);
  });
  it('unmask continues the key position', () => {
    const key = Uint8Array.of(0x10, 0x20, 0x30, 0x40);
    const src = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const out = new Uint8Array(6);
    unmask(src, 0, 3, key, 0, 0, out, 0);
    unmask(src, 3, 3, key, 0, 3, out, 3);
    expect([...out]).toEqual([0x11, 0x22, 0x33, 0x44, 0x15, 0x26]);
  });
});

it('the real 401 head scans whole', () => {
  const u = b(AMT_401);
  const st = new HeadScan();
  const n = scanHead(u, 0, u.length, KIND_RESPONSE, 16384, st, new StartLine());
  expect(u.length - n).toBe(690);
});
