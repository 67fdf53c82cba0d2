/**
 * The pure hello/certificate-list parsers on real messages (FoxIO pcaps, openssl exchanges), and
 * lying lengths at every nesting level: message >= body fields >= extension block >= extension >=
 * the lists inside it. A nested length larger than its parent is an anomaly, never a clamp.
 */
import { describe, expect, it } from 'vitest';
import { anomalyName } from '../../../../src/core/anomaly.js';
import { HRR_RANDOM, cipherName, knownCipherSuites, versionName } from '../../../../src/analyzers/tls/constants.js';
import {
  parseCertificateList,
  parseClientHello,
  parseServerHello,
  parseSslv2ClientHello,
  type ClientHello,
  type ServerHello,
} from '../../../../src/analyzers/tls/parser.js';
import { hex } from './host.js';
import { chLayout, get16, get24, messages, put16, put24, streams } from './tls-bytes.js';

/** The recorded openssl TLS 1.3 ClientHello (SNI + ALPN + supported_versions ...) as a body. */
function foxBody(_i = 0): Uint8Array {
  const rec = streams('tls13').client;
  const len = get24(rec, 6);
  return rec.slice(9, 9 + len);
}

function name(r: unknown): string {
  return typeof r === 'number' ? anomalyName(-r) : 'ok';
}

function okCh(r: ClientHello | number): ClientHello {
  if (typeof r === 'number') throw new Error(`parse failed: ${anomalyName(-r)}`);
  return r;
}

function okSh(r: ServerHello | number): ServerHello {
  if (typeof r === 'number') throw new Error(`parse failed: ${anomalyName(-r)}`);
  return r;
}

describe('ClientHello', () => {
  it('parses a real ClientHello completely', () => {
    const b = foxBody();
    const ch = okCh(parseClientHello(b, 0, b.length));
    expect(ch.version).toBe(0x0303);
    expect(ch.sni).toBe('amt10.lab.example');
    expect(ch.alpn).toEqual(['amt', 'http/1.1']);
    expect(ch.supportedVersions).toContain(0x0304);
    expect(ch.extTypes.length).toBe(chLayout(b, 0).exts.length);
    expect(ch.anomalies).toEqual([]);
    expect(ch.sigAlgs.length).toBeGreaterThan(0);
    expect(ch.groups.length).toBeGreaterThan(0);
  });

  it('works inside a larger buffer at any offset and never reads outside [off, end)', () => {
    const b = foxBody();
    const big = new Uint8Array(b.length + 40).fill(0x41);
    big.set(b, 20);
    const ch = okCh(parseClientHello(big, 20, 20 + b.length));
    expect(ch.sni).toBe('amt10.lab.example');
    // a body cut by one byte must not borrow the byte after `end`
    expect(name(parseClientHello(big, 20, 20 + b.length - 1))).toBe('tls.client_hello.ext_overflow');
    expect(name(parseClientHello(big, 20, 10))).toBe('tls.client_hello.bad_length');
    expect(name(parseClientHello(big, -1, 5))).toBe('tls.client_hello.bad_length');
    expect(name(parseClientHello(big, 0, big.length + 1))).toBe('tls.client_hello.bad_length');
  });

  it('every prefix of the body is rejected or parsed without inventing values', () => {
    const b = foxBody();
    for (let n = 0; n < b.length; n++) {
      const r = parseClientHello(b, 0, n);
      if (typeof r !== 'number') {
        // only a prefix ending exactly after the compression methods is a valid (extension-less) hello
        expect(r.hasExtensions, `prefix ${n}`).toBe(false);
        expect(r.sni).toBeNull();
      }
    }
  });

  const lie = (mut: (b: Uint8Array, l: ReturnType<typeof chLayout>) => void): ClientHello | number => {
    const b = foxBody();
    mut(b, chLayout(b, 0));
    return parseClientHello(b, 0, b.length);
  };

  it('session id: length past the message, and over 32', () => {
    const b = foxBody();
    const l = chLayout(b, 0);
    // a 32-byte session id in a message that ends 16 bytes after the length
    b[l.sidLenOff] = 32;
    expect(name(parseClientHello(b, 0, l.sidLenOff + 1 + 16))).toBe('tls.client_hello.bad_length');
    // 33 with enough bytes after it: a value error, not a length error
    b[l.sidLenOff] = 33;
    expect(name(parseClientHello(b, 0, b.length))).toBe('tls.client_hello.bad_session_id');
  });

  it('cipher list: odd length, empty, and past the message', () => {
    expect(name(lie((b, l) => put16(b, l.csLenOff, get16(b, l.csLenOff) - 1)))).toBe('tls.client_hello.bad_cipher_list');
    expect(name(lie((b, l) => put16(b, l.csLenOff, 0)))).toBe('tls.client_hello.bad_cipher_list');
    expect(name(lie((b, l) => put16(b, l.csLenOff, 0xfffe)))).toBe('tls.client_hello.bad_length');
  });

  it('compression list past the message; a longer one swallows the extensions, caught below', () => {
    const b = foxBody();
    const l = chLayout(b, 0);
    b[l.cmLenOff] = 255;
    expect(name(parseClientHello(b, 0, l.cmLenOff + 1 + 100))).toBe('tls.client_hello.bad_length');
    // 255 compression methods reach past this hello's end (bad length) or into its extensions (overflow)
    expect(name(parseClientHello(b, 0, b.length))).toBe(l.cmLenOff + 1 + 255 > b.length ? 'tls.client_hello.bad_length' : 'tls.client_hello.ext_overflow');
  });

  it('extension block: longer than the message, shorter than its extensions', () => {
    expect(name(lie((b, l) => put16(b, l.extBlockLenOff, get16(b, l.extBlockLenOff) + 1)))).toBe('tls.client_hello.ext_overflow');
    // one byte short: the last extension now runs past the block
    expect(name(lie((b, l) => put16(b, l.extBlockLenOff, get16(b, l.extBlockLenOff) - 1)))).toBe('tls.client_hello.ext_overflow');
  });

  it('one extension longer than the block', () => {
    expect(name(lie((b, l) => put16(b, l.exts[0]!.lenOff, 0xffff)))).toBe('tls.client_hello.ext_overflow');
    expect(name(lie((b, l) => put16(b, l.exts[l.exts.length - 1]!.lenOff, l.exts[l.exts.length - 1]!.len + 1)))).toBe(
      'tls.client_hello.ext_overflow',
    );
  });

  it('SNI list / SNI name / ALPN list / ALPN entry / groups lying: value dropped, type kept, anomaly listed', () => {
    const check = (type: number, at: number, v: number, width: 1 | 2, field: 'sni' | 'alpn' | 'groups') => {
      const b = foxBody();
      const l = chLayout(b, 0);
      const e = l.exts.find((x) => x.type === type)!;
      if (width === 2) put16(b, e.bodyOff + at, v);
      else b[e.bodyOff + at] = v;
      const ch = okCh(parseClientHello(b, 0, b.length));
      expect(ch.anomalies.map(anomalyName)).toEqual(['tls.client_hello.ext_malformed']);
      expect(ch.extTypes).toContain(type);
      if (field === 'sni') expect(ch.sni).toBeNull();
      if (field === 'alpn') {
        expect(ch.alpn).toEqual([]);
        expect(ch.alpnFirst).toBeNull();
      }
      if (field === 'groups') expect(ch.groups).toEqual([]);
    };
    const b = foxBody();
    const l = chLayout(b, 0);
    const sni = l.exts.find((x) => x.type === 0)!;
    const alpn = l.exts.find((x) => x.type === 16)!;
    check(0, 0, get16(b, sni.bodyOff) + 1, 2, 'sni'); // ServerNameList longer than the extension
    check(0, 3, 0xff, 1, 'sni'); // HostName length (high byte) past the list
    check(16, 0, get16(b, alpn.bodyOff) + 2, 2, 'alpn'); // ProtocolNameList longer than the extension
    check(16, 2, 200, 1, 'alpn'); // first ProtocolName past the list
    check(10, 0, 3, 2, 'groups'); // odd group list
  });

  it('bytes after the extension block are flagged but the hello is kept', () => {
    const b = foxBody();
    const big = new Uint8Array(b.length + 3);
    big.set(b);
    const ch = okCh(parseClientHello(big, 0, big.length));
    expect(ch.anomalies.map(anomalyName)).toEqual(['tls.client_hello.trailing_bytes']);
    expect(ch.sni).toBe('amt10.lab.example');
  });

  it('a hello without extensions (SSLv3 style) parses', () => {
    const b = foxBody();
    const l = chLayout(b, 0);
    const ch = okCh(parseClientHello(b, 0, l.extBlockLenOff));
    expect(ch.hasExtensions).toBe(false);
    expect(ch.extTypes).toEqual([]);
    expect(ch.ciphers.length).toBe(get16(b, l.csLenOff) / 2);
  });
});

describe('SSLv2-compatible ClientHello', () => {
  // msg_type 1, version 3.1, 3 cipher specs (one SSLv2-only), no session id, 16-byte challenge
  const v2 = hex('01 0301 0009 0000 0010 010080 00002f 000035' + '11'.repeat(16));

  it('parses the TLS-mappable cipher specs', () => {
    const ch = okCh(parseSslv2ClientHello(v2, 0, v2.length));
    expect(ch.sslv2).toBe(true);
    expect(ch.version).toBe(0x0301);
    expect(ch.ciphers).toEqual([0x002f, 0x0035]);
  });

  it('lengths that do not add up are malformed', () => {
    for (let n = 0; n < v2.length; n++) expect(name(parseSslv2ClientHello(v2, 0, n))).toBe('tls.client_hello.sslv2_malformed');
    const odd = v2.slice();
    odd[4] = 8; // cipher_spec_length not a multiple of 3
    expect(name(parseSslv2ClientHello(odd, 0, odd.length))).toBe('tls.client_hello.sslv2_malformed');
  });
});

describe('ServerHello', () => {
  const sh12 = () => {
    const s = streams('tls12').server;
    const m = messages(s).find((x) => x.type === 2)!;
    return s.slice(m.bodyOff, m.end);
  };
  const sh13 = () => {
    const s = streams('tls13').server;
    const m = messages(s).find((x) => x.type === 2)!;
    return s.slice(m.bodyOff, m.end);
  };

  it('TLS 1.2: version, cipher, extensions, ALPN selected', () => {
    const b = sh12();
    const sh = okSh(parseServerHello(b, 0, b.length));
    expect(sh.version).toBe(0x0303);
    expect(sh.selectedVersion).toBeNull();
    expect(cipherName(sh.cipher)).toBe('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(sh.alpn).toBe('http/1.1');
    expect(sh.helloRetry).toBe(false);
    expect(sh.extTypes).toEqual([65281, 11, 35, 16, 23]);
  });

  it('TLS 1.3: supported_versions selects 0x0304', () => {
    const b = sh13();
    const sh = okSh(parseServerHello(b, 0, b.length));
    expect(sh.version).toBe(0x0303);
    expect(sh.selectedVersion).toBe(0x0304);
    expect(versionName(sh.selectedVersion!)).toBe('TLSv13');
  });

  it('a HelloRetryRequest is recognised by its random', () => {
    const b = sh13();
    b.set(HRR_RANDOM, 2);
    expect(okSh(parseServerHello(b, 0, b.length)).helloRetry).toBe(true);
  });

  it('lying lengths: session id, extension block, one extension, ALPN inside', () => {
    const b = sh12();
    const sidOff = 34;
    const extBlockOff = sidOff + 1 + b[sidOff]! + 3;
    let x = b.slice();
    x[sidOff] = 200;
    expect(name(parseServerHello(x, 0, x.length))).toBe('tls.server_hello.bad_length');
    x = b.slice();
    put16(x, extBlockOff, get16(x, extBlockOff) + 1);
    expect(name(parseServerHello(x, 0, x.length))).toBe('tls.server_hello.ext_overflow');
    x = b.slice();
    put16(x, extBlockOff + 4, 0x7fff); // first extension's length
    expect(name(parseServerHello(x, 0, x.length))).toBe('tls.server_hello.ext_overflow');
    // ALPN (type 16) list length lies inside a well-bounded extension
    x = b.slice();
    let p = extBlockOff + 2;
    while (get16(x, p) !== 16) p += 4 + get16(x, p + 2);
    put16(x, p + 4, get16(x, p + 4) + 1);
    const sh = okSh(parseServerHello(x, 0, x.length));
    expect(sh.alpn).toBeNull();
    expect(sh.anomalies.map(anomalyName)).toEqual(['tls.server_hello.ext_malformed']);
    for (let n = 0; n < b.length; n++) {
      const r = parseServerHello(b, 0, n);
      if (typeof r !== 'number') expect(r.hasExtensions).toBe(false);
    }
  });
});

describe('Certificate list', () => {
  const certMsg = () => {
    const s = streams('tls12').server;
    const m = messages(s).find((x) => x.type === 11)!;
    return s.slice(m.bodyOff, m.end);
  };

  it('lists the chain', () => {
    const b = certMsg();
    const l = parseCertificateList(b, 0, b.length);
    expect(l).toEqual([6, b.length]);
  });

  it('list length and entry length lies', () => {
    const b = certMsg();
    let x = b.slice();
    put24(x, 0, get24(x, 0) + 1);
    expect(name(parseCertificateList(x, 0, x.length))).toBe('tls.certificate.bad_length');
    x = b.slice();
    put24(x, 0, get24(x, 0) - 1);
    expect(name(parseCertificateList(x, 0, x.length))).toBe('tls.certificate.bad_length');
    x = b.slice();
    put24(x, 3, get24(x, 3) + 1);
    expect(name(parseCertificateList(x, 0, x.length))).toBe('tls.certificate.bad_length');
    x = b.slice();
    put24(x, 3, get24(x, 3) - 1); // entry shorter: a 1-byte remainder cannot be an entry
    expect(name(parseCertificateList(x, 0, x.length))).toBe('tls.certificate.bad_length');
    for (let n = 0; n < b.length; n++) expect(typeof parseCertificateList(b, 0, n)).toBe('number');
  });
});

describe('constants', () => {
  it('names', () => {
    expect(versionName(0x0301)).toBe('TLSv10');
    expect(versionName(0x0300)).toBe('SSLv3');
    expect(versionName(0x7f17)).toBe('TLSv13-draft23');
    expect(versionName(0x1234)).toBe('unknown-4660');
    expect(cipherName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(cipherName(0x000a)).toBe('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(cipherName(0x0005)).toBe('TLS_RSA_WITH_RC4_128_SHA');
    expect(cipherName(0xc012)).toBe('TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(cipherName(0xabcd)).toBe('0xabcd');
    expect(cipherName(0x0a0a)).toBe('0x0a0a');
    expect(knownCipherSuites().size).toBeGreaterThan(200);
  });
});
