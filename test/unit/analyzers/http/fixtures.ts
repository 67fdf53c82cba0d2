/**
 * HTTP conversations on AMT port 16992 used by the analyzer tests and as fuzz seeds. Shapes follow
 * ../shared/amt-protocol.md: the AMT 11.8.50 401 challenge (2.2), a browser digest login (2.2), the
 * nmap / Metasploit / Greenbone CVE-2017-5689 requests (3.3) and MeshCommander-style WS-Man SOAP (2.4).
 */
import { Buffer } from 'node:buffer';

export type Dir = 0 | 1;
export type Step = { dir: Dir; data: Uint8Array } | { dir: Dir; gap: number };

/** latin1 bytes of a string (one byte per char, so raw high bytes can be written as \xNN). */
export const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export const req = (s: string): Step => ({ dir: 0, data: b(s) });
export const res = (s: string): Step => ({ dir: 1, data: b(s) });
export const reqBytes = (data: Uint8Array): Step => ({ dir: 0, data });
export const resBytes = (data: Uint8Array): Step => ({ dir: 1, data });
export const gap = (dir: Dir, n: number): Step => ({ dir, gap: n });

export const AMT_SERVER = 'Intel(R) Active Management Technology 11.8.50.3425';
export const AMT_REALM = 'Digest:A4070000000000000000000000000000';
export const AMT_NONCE = 'wlbEK1EtAAAAAAAAWW5aUHFp+mQQ1j63';
export const AMT_WWW_AUTH = `Digest realm="${AMT_REALM}", nonce="${AMT_NONCE}",stale="false",qop="auth"`;

/** The "Log on failed" page, padded to the 690 bytes of the real response's Content-Length. */
export const LOGON_FAILED_BODY = (() => {
  const page =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" >\n' +
    '<html><head><link rel=stylesheet href=/styles.css>\n' +
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
    '<title>Intel&reg; Active Management Technology</title></head>\n' +
    '<body>\n<table class=header>\n<tr><td valign=top nowrap>\n' +
    '<p class=top1>Intel<font class=r><sup>&reg;</sup></font> Active Management Technology\n' +
    '<td valign="top"><img src="logo.gif" align="right" alt="Intel">\n</table>\n<br />\n' +
    '<h2 class=warn>Log on failed. Incorrect user name or password, or user account temporarily locked.</h2>\n' +
    '\n<p>\n<form METHOD="GET" action="index.htm"><h2><input type=submit value="Try again">\n</h2></form>\n<p>\n\n</body>\n</html>\n';
  return page + ' '.repeat(690 - page.length);
})();

/** amt-protocol.md 2.2, byte for byte (head), with the 690-byte body. */
export const AMT_401 =
  'HTTP/1.1 401 Unauthorized\r\n' +
  `WWW-Authenticate: ${AMT_WWW_AUTH}\r\n` +
  'Content-Type: text/html\r\n' +
  `Server: ${AMT_SERVER}\r\n` +
  'Content-Length: 690\r\n' +
  'Connection: close\r\n' +
  '\r\n' +
  LOGON_FAILED_BODY;

export const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0';

export const PAGE_200_BODY = '<html><body><p>System ID</p><p>Computer model</p></body></html>\n';
export const page200 = (server = AMT_SERVER): string =>
  'HTTP/1.1 200 OK\r\n' +
  'Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n' +
  `Server: ${server}\r\n` +
  'Content-Type: text/html\r\n' +
  `Content-Length: ${PAGE_200_BODY.length}\r\n` +
  '\r\n' +
  PAGE_200_BODY;

/** GET /index.htm without credentials, answered by the real AMT 401 (Connection: close). */
export const CHALLENGE: Step[] = [
  req(
    'GET /index.htm HTTP/1.1\r\n' +
      'Host: 10.0.0.10:16992\r\n' +
      `User-Agent: ${BROWSER_UA}\r\n` +
      'Referer: http://10.0.0.10:16992/logon.htm\r\n' +
      'Connection: keep-alive\r\n' +
      '\r\n',
  ),
  res(AMT_401),
];

export const BROWSER_REALM = 'Digest:72C40000000000000000000000000000';
export const BROWSER_NONCE = 'WT7ZAQsLAABEyoVgz4/+bFmvwKIRUvUI';
export const BROWSER_RESPONSE = '6629fae49393a05397450978507c4ef1';
export const BROWSER_CNONCE = '0a4f113b4e7d8c21';
/** A browser's digest login (amt-protocol.md 2.2 comment shape: qop=auth, nc=00000001 unquoted). */
export const BROWSER_LOGIN: Step[] = [
  req(
    'GET /index.htm HTTP/1.1\r\n' +
      'Host: 10.0.0.10:16992\r\n' +
      `User-Agent: ${BROWSER_UA}\r\n` +
      'Referer: http://10.0.0.10:16992/logon.htm\r\n' +
      `Authorization: Digest username="admin", realm="${BROWSER_REALM}", nonce="${BROWSER_NONCE}", uri="/index.htm", response="${BROWSER_RESPONSE}", qop=auth, nc=00000001, cnonce="${BROWSER_CNONCE}"\r\n` +
      '\r\n',
  ),
  res(page200()),
];

const challengeNoClose =
  'HTTP/1.1 401 Unauthorized\r\n' +
  `WWW-Authenticate: ${AMT_WWW_AUTH}\r\n` +
  'Content-Type: text/html\r\n' +
  `Server: ${AMT_SERVER}\r\n` +
  `Content-Length: ${LOGON_FAILED_BODY.length}\r\n` +
  '\r\n' +
  LOGON_FAILED_BODY;

export const NMAP_UA = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';
export const NMAP_CNONCE = 'kqdhrwtxyb';
/** nmap http-vuln-cve2017-5689: uri="index.htm" without slash, nc=1, qop="auth", no space before cnonce. */
export const NMAP: Step[] = [
  req(`GET /index.htm HTTP/1.1\r\nConnection: close\r\nUser-Agent: ${NMAP_UA}\r\nHost: 10.0.0.10:16992\r\n\r\n`),
  res(challengeNoClose),
  req(
    'GET /index.htm HTTP/1.1\r\n' +
      'Connection: close\r\n' +
      `User-Agent: ${NMAP_UA}\r\n` +
      'Host: 10.0.0.10:16992\r\n' +
      `Authorization: Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="index.htm",cnonce="${NMAP_CNONCE}", nc=1, qop="auth", response=""\r\n` +
      '\r\n',
  ),
  res(page200()),
];

/** Rex::Text.rand_text(10): raw bytes (here with a NUL, a BEL and high bytes, no quote or CR/LF). */
export const MSF_CNONCE = '\x8f\x00\xd3\x07Za\xe1~\xfe1';
export const MSF_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
/** Metasploit intel_amt_digest_bypass: GET /hw-sys.htm twice on one connection (send_request_raw). */
export const METASPLOIT: Step[] = [
  req(`GET /hw-sys.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nUser-Agent: ${MSF_UA}\r\n\r\n`),
  res(challengeNoClose),
  req(
    'GET /hw-sys.htm HTTP/1.1\r\n' +
      'Host: 10.0.0.10:16992\r\n' +
      `User-Agent: ${MSF_UA}\r\n` +
      `Authorization: Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="/hw-sys.htm", cnonce="${MSF_CNONCE}", nc=1, qop="auth", response=""\r\n` +
      '\r\n',
  ),
  res(page200()),
];

export const GREENBONE_CNONCE = 'Hm7vQ2pXz9';
export const GREENBONE_UA = 'Mozilla/5.0 [en] (X11, U; Greenbone OS 22.04.4)';
/** Greenbone INTEL-SA-00075 active check: response="" first, then qop=auth, nc=00000001 unquoted. */
export const GREENBONE: Step[] = [
  req(`GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\nUser-Agent: ${GREENBONE_UA}\r\nAccept-Encoding: identity\r\nAccept: */*\r\n\r\n`),
  res(challengeNoClose),
  req(
    'GET /index.htm HTTP/1.1\r\n' +
      'Host: 10.0.0.10:16992\r\n' +
      `User-Agent: ${GREENBONE_UA}\r\n` +
      `Authorization: Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="/index.htm", response="", qop=auth, nc=00000001, cnonce="${GREENBONE_CNONCE}"\r\n` +
      'Accept-Encoding: identity\r\nAccept: */*\r\n' +
      '\r\n',
  ),
  res(page200()),
];

// ---------------------------------------------------------------- WS-Management

export const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
export const IPS = 'http://intel.com/wbem/wscim/1/ips-schema/1/';
export const XFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/';

/** MeshCommander-style envelope (default SOAP namespace, a: addressing, w: wsman). */
export const POWER_ENVELOPE =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">' +
  `<Header><a:Action>${CIM}CIM_PowerManagementService/RequestPowerStateChange</a:Action>` +
  '<a:To>/wsman</a:To>' +
  `<w:ResourceURI>${CIM}CIM_PowerManagementService</w:ResourceURI>` +
  '<a:MessageID>1</a:MessageID><a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
  '<w:OperationTimeout>PT60S</w:OperationTimeout></Header>' +
  `<Body><r:RequestPowerStateChange_INPUT xmlns:r="${CIM}CIM_PowerManagementService">` +
  '<r:PowerState>8</r:PowerState>' +
  '<r:ManagedElement><Address xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2004/08/addressing</Address>' +
  '<ReferenceParameters xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
  `<ResourceURI xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">${CIM}CIM_ComputerSystem</ResourceURI>` +
  '<SelectorSet xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><Selector Name="CreationClassName">CIM_ComputerSystem</Selector>' +
  '<Selector Name="Name">ManagedSystem</Selector></SelectorSet></ReferenceParameters></r:ManagedElement>' +
  '</r:RequestPowerStateChange_INPUT></Body></Envelope>';

export const RFB_PASSWORD = 'Xk9#qRfbSecret7';
/** Open-AMT-style envelope (s:/wsa:/wsman: prefixes, attributes on Action). */
export const KVM_PUT_ENVELOPE =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">' +
  '<s:Header>' +
  `<wsa:Action s:mustUnderstand="true">\n  ${XFER}Put\n</wsa:Action>` +
  '<wsa:To s:mustUnderstand="true">/wsman</wsa:To>' +
  `<wsman:ResourceURI s:mustUnderstand="true">${IPS}IPS_KVMRedirectionSettingData</wsman:ResourceURI>` +
  '<wsa:MessageID s:mustUnderstand="true">uuid:00000000-8086-8086-8086-000000000007</wsa:MessageID>' +
  '<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>' +
  '<wsman:OperationTimeout>PT60S</wsman:OperationTimeout></s:Header>' +
  `<s:Body><g:IPS_KVMRedirectionSettingData xmlns:g="${IPS}IPS_KVMRedirectionSettingData">` +
  '<g:ElementName>Intel(r) KVM Redirection Settings</g:ElementName>' +
  '<g:EnabledByMEBx>true</g:EnabledByMEBx>' +
  '<g:InstanceID>Intel(r) KVM Redirection Settings</g:InstanceID>' +
  '<g:Is5900PortEnabled>true</g:Is5900PortEnabled>' +
  '<g:OptInPolicy>false</g:OptInPolicy>' +
  `<g:RFBPassword>${RFB_PASSWORD}</g:RFBPassword>` +
  '<g:SessionTimeout>0</g:SessionTimeout>' +
  '</g:IPS_KVMRedirectionSettingData></s:Body></s:Envelope>';

export const WSMAN_AUTH = `Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="/wsman", response="c1a2a1a0e5ea8f2b4d1e5b3c9c7a1f00", qop=auth, nc=00000002, cnonce="8f1a2b3c4d5e6f70"`;

export const wsmanPost = (envelope: string): string =>
  'POST /wsman HTTP/1.1\r\n' +
  'Host: 10.0.0.10:16992\r\n' +
  `Authorization: ${WSMAN_AUTH}\r\n` +
  'Content-Type: application/soap+xml; charset=utf-8\r\n' +
  `Content-Length: ${envelope.length}\r\n` +
  '\r\n' +
  envelope;

/** Splits `s` into HTTP chunks of at most `size` bytes (with a chunk extension on the first). */
export function chunked(s: string, size: number): string {
  let out = '';
  for (let i = 0; i < s.length; i += size) {
    const part = s.slice(i, i + size);
    out += `${part.length.toString(16)}${i === 0 ? ';ext=1' : ''}\r\n${part}\r\n`;
  }
  return out + '0\r\nX-Trailer: done\r\n\r\n';
}

export const POWER_RESPONSE_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><a:Envelope xmlns:a="http://www.w3.org/2003/05/soap-envelope"><a:Header></a:Header>' +
  '<a:Body><g:RequestPowerStateChange_OUTPUT><g:ReturnValue>0</g:ReturnValue></g:RequestPowerStateChange_OUTPUT></a:Body></a:Envelope>';

/** AMT answers WS-Man with chunked bodies. */
export const wsmanResponse = (body: string): string =>
  'HTTP/1.1 200 OK\r\n' +
  'Date: Thu, 1 Jan 1970 00:00:00 GMT\r\n' +
  `Server: ${AMT_SERVER}\r\n` +
  'X-Frame-Options: DENY\r\n' +
  'Content-Type: application/soap+xml; charset=UTF-8\r\n' +
  'Transfer-Encoding: chunked\r\n' +
  '\r\n' +
  chunked(body, 100);

export const WSMAN_POWER: Step[] = [req(wsmanPost(POWER_ENVELOPE)), res(wsmanResponse(POWER_RESPONSE_BODY))];
export const WSMAN_KVM: Step[] = [req(wsmanPost(KVM_PUT_ENVELOPE)), res(wsmanResponse('<a:Envelope/>'))];

/** Three pipelined requests in one segment, three answers in one segment (keep-alive). */
export const PIPELINED: Step[] = [
  req(
    'GET /index.htm HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n' +
      'HEAD /logo.gif HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n' +
      'GET /styles.css HTTP/1.1\r\nHost: 10.0.0.10:16992\r\n\r\n',
  ),
  res(
    'HTTP/1.1 303 See Other\r\nLocation: /logon.htm\r\nServer: AMT\r\nContent-Length: 0\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nServer: AMT\r\nContent-Type: image/gif\r\nContent-Length: 1234\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nServer: AMT\r\nContent-Type: text/css\r\nContent-Length: 11\r\n\r\nbody{a:b;}\n',
  ),
];

// ---------------------------------------------------------------- WebSocket (/ws-redirection)

export const WS_UPGRADE_REQ =
  'GET /ws-redirection HTTP/1.1\r\n' +
  'Host: 10.0.0.10:16992\r\n' +
  'Connection: Upgrade\r\n' +
  'Upgrade: websocket\r\n' +
  'Origin: http://10.0.0.10:16992\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  `Authorization: Digest username="admin", realm="${AMT_REALM}", nonce="${AMT_NONCE}", uri="/ws-redirection", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000003, cnonce="1234567890abcdef"\r\n` +
  '\r\n';
export const WS_UPGRADE_RES =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
  `Server: ${AMT_SERVER}\r\n` +
  '\r\n';

/** One WebSocket frame (RFC 6455); a mask key makes it a client frame. */
export function wsFrame(opcode: number, payload: Uint8Array, opts: { fin?: boolean; mask?: Uint8Array; rsv?: number } = {}): Uint8Array {
  const fin = opts.fin ?? true;
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const mk = opts.mask;
  const out = new Uint8Array(2 + ext + (mk ? 4 : 0) + n);
  out[0] = (fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  out[1] = (mk ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  let p = 2;
  if (ext === 2) {
    out[2] = n >> 8;
    out[3] = n & 0xff;
    p = 4;
  } else if (ext === 8) {
    const hi = Math.floor(n / 0x100000000);
    out.set([(hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff], 2);
    p = 10;
  }
  if (mk) {
    out.set(mk, p);
    p += 4;
    for (let i = 0; i < n; i++) out[p + i] = (payload[i] as number) ^ (mk[i & 3] as number);
  } else out.set(payload, p);
  return out;
}

export const REDIR_START_KVM = Uint8Array.of(0x10, 0x01, 0x00, 0x00, 0x4b, 0x56, 0x4d, 0x52);
export const REDIR_REPLY = Uint8Array.of(0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0b, 0x08, 0x57, 0x01, 0x00, 0x00, 0x00);
export const REDIR_AUTH_QUERY = Uint8Array.of(0x13, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A payload of `n` bytes that is not all zeros (so a missing unmask shows). */
export function payload(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i * 13) & 0xff;
  return out;
}

const MASK1 = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const MASK2 = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
const MASK3 = Uint8Array.of(0x01, 0x80, 0x7f, 0xff);
export const WS_BIG = payload(300, 5);

/** Client frames: start KVM (binary), a ping, auth query as a fragmented message, a 300-byte frame. */
export const WS_CLIENT_FRAMES = concat(
  wsFrame(2, REDIR_START_KVM, { mask: MASK1 }),
  wsFrame(9, b('ping'), { mask: MASK2 }),
  wsFrame(2, REDIR_AUTH_QUERY.subarray(0, 4), { fin: false, mask: MASK2 }),
  wsFrame(0, REDIR_AUTH_QUERY.subarray(4), { mask: MASK3 }),
  wsFrame(2, WS_BIG, { mask: MASK3 }),
);
export const WS_CLIENT_PAYLOAD = concat(REDIR_START_KVM, REDIR_AUTH_QUERY, WS_BIG);
/** Server frames: the 0x11 reply (unmasked), then a close. */
export const WS_SERVER_FRAMES = concat(wsFrame(2, REDIR_REPLY), wsFrame(8, Uint8Array.of(0x03, 0xe8)));

export const WEBSOCKET: Step[] = [req(WS_UPGRADE_REQ), res(WS_UPGRADE_RES), reqBytes(WS_CLIENT_FRAMES), resBytes(WS_SERVER_FRAMES)];

/** Every conversation above, for sweeps and fuzz seeds. */
export const CONVERSATIONS: Record<string, Step[]> = {
  challenge: CHALLENGE,
  browser_login: BROWSER_LOGIN,
  nmap: NMAP,
  metasploit: METASPLOIT,
  greenbone: GREENBONE,
  wsman_power: WSMAN_POWER,
  wsman_kvm: WSMAN_KVM,
  pipelined: PIPELINED,
  websocket: WEBSOCKET,
};
