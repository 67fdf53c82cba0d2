/**
 * The leaf-certificate reader against `openssl x509` on the same certificates (subject/issuer as
 * `-nameopt RFC2253,-esc_msb`, which is Zeek's x509.log form; serial; dates; SHA-256 fingerprint),
 * plus lying DER lengths at every level and time edge cases.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomalyName } from '../../../../src/core/anomaly.js';
import { escapeDnValue, oidText, parseTime, parseX509, sha256Hex, type X509Info } from '../../../../src/analyzers/tls/x509.js';
import { hex } from './host.js';
import { HAVE_OPENSSL, makeCert, opensslX509, removeDir, tempDir } from './openssl-harness.js';
import { OSSL, bumpDerLen, derTree, type Der } from './tls-bytes.js';

function ok(r: X509Info | number): X509Info {
  if (typeof r === 'number') throw new Error(`parse failed: ${anomalyName(-r)}`);
  return r;
}

/** openssl's `serial=` digits from our tshark-style serial (drop the 00 sign octet, upper case). */
function opensslSerial(s: string): string {
  const t = s.length > 2 && s.startsWith('00') && parseInt(s.slice(2, 4), 16) >= 0x80 ? s.slice(2) : s;
  return t.toUpperCase();
}

function isoMicros(s: string): number {
  return Date.parse(s.replace(' ', 'T')) * 1000;
}

function expectMatchesOpenssl(der: Uint8Array, o: Record<string, string>): void {
  const x = ok(parseX509(der, 0, der.length));
  expect(x.subject).toBe(o['subject']);
  expect(x.issuer).toBe(o['issuer']);
  expect(opensslSerial(x.serial)).toBe(o['serial']);
  expect(x.notBefore).toBe(isoMicros(o['notBefore']!));
  expect(x.notAfter).toBe(isoMicros(o['notAfter']!));
  expect(sha256Hex(der, x.derStart, x.derEnd)).toBe(o['sha256 Fingerprint']!.replace(/:/g, '').toLowerCase());
  expect(x.anomalies).toEqual([]);
}

describe('fixture certificate (recorded with openssl, no tools needed)', () => {
  it('equals what openssl x509 printed for it', () => {
    expectMatchesOpenssl(hex(OSSL.cert_der), OSSL.openssl_x509);
    const x = ok(parseX509(hex(OSSL.cert_der), 0, hex(OSSL.cert_der).length));
    expect(x.subject).toBe('CN=amt10.lab.example,OU=Lab\\, Unit 7,O=Intel AMT stand-in,ST=Oregon,C=US');
  });
});

describe.skipIf(!HAVE_OPENSSL)('certificates made by openssl (skipped: openssl not found)', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => removeDir(dir));

  const cases: { name: string; subj?: string; extra?: string[]; config?: string }[] = [
    { name: 'plain', subj: '/C=US/O=Intel AMT stand-in/CN=amt10.lab.example' },
    { name: 'meshcommander-like', subj: '/ST=None/O=None/CN=amt.lab.example' },
    { name: 'multi-valued RDN', subj: '/CN=a+UID=b/O=x', extra: ['-multivalue-rdn'] },
    { name: 'escapes', subj: '/CN=#lead/O= sp \\,plus\\+x/OU=trail ' },
    { name: 'UTF-8', subj: '/C=DE/CN=Zürich Ω', extra: ['-utf8'] },
    { name: 'DC and email', subj: '/emailAddress=a@b.c/DC=example/DC=com/CN=x' },
    { name: 'control characters', subj: `/CN=a\x01b\x7f/O=tab\tx` },
    { name: 'high-bit serial', subj: '/CN=s', extra: ['-set_serial', '0x80ab'] },
    { name: 'small serial', subj: '/CN=s', extra: ['-set_serial', '5'] },
    { name: 'GeneralizedTime notAfter', subj: '/CN=far', extra: ['-days', '40000'] },
    {
      name: 'unknown attribute type, serialNumber, special characters (config)',
      config: '[req]\nprompt = no\ndistinguished_name = dn\n[dn]\n1.2.3.4 = foo\nserialNumber = 1234\nCN = semi;lt<gt>bs\\\\x\n',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let files;
      if (c.config !== undefined) {
        const cnf = join(dir, `${c.name.length}.cnf`);
        writeFileSync(cnf, c.config);
        const cert = join(dir, 'cfg.crt');
        const r = spawnSync(
          'openssl',
          ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'cfg.key'), '-out', cert, '-days', '30', '-config', cnf],
          { timeout: 20_000 },
        );
        expect(r.status).toBe(0);
        const d = spawnSync('openssl', ['x509', '-in', cert, '-outform', 'DER'], { timeout: 10_000 });
        files = { cert, key: '', der: new Uint8Array(d.stdout) };
      } else files = makeCert(dir, c.subj!, `c${cases.indexOf(c)}`, c.extra ?? []);
      expectMatchesOpenssl(files.der, opensslX509(files.cert));
    });
  }
});

describe('lying DER lengths', () => {
  const der = () => hex(OSSL.cert_der);
  const tree = (b: Uint8Array) => {
    const cert = derTree(b, 0, b.length)[0]!;
    const tbs = cert.kids[0]!;
    const [version, serial, sigAlg, issuer, validity, subject] = tbs.kids as [Der, Der, Der, Der, Der, Der];
    return { cert, tbs, version, serial, sigAlg, issuer, validity, subject };
  };

  it('every strict prefix is malformed; the whole is not', () => {
    const b = der();
    ok(parseX509(b, 0, b.length));
    for (let n = 0; n < b.length; n++) {
      const r = parseX509(b, 0, n);
      expect(typeof r).toBe('number');
      expect(anomalyName(-(r as number))).toBe('tls.x509.malformed');
    }
  });

  const cases: [string, (t: ReturnType<typeof tree>) => Der][] = [
    ['certificate SEQUENCE', (t) => t.cert],
    ['tbsCertificate', (t) => t.tbs],
    ['version [0]', (t) => t.version],
    ['serial INTEGER', (t) => t.serial],
    ['signature AlgorithmIdentifier', (t) => t.sigAlg],
    ['issuer Name', (t) => t.issuer],
    ['issuer RDN SET', (t) => t.issuer.kids[0]!],
    ['issuer AttributeTypeAndValue', (t) => t.issuer.kids[0]!.kids[0]!],
    ['issuer attribute OID', (t) => t.issuer.kids[0]!.kids[0]!.kids[0]!],
    ['issuer attribute value', (t) => t.issuer.kids[0]!.kids[0]!.kids[1]!],
    ['validity', (t) => t.validity],
    ['notBefore', (t) => t.validity.kids[0]!],
    ['subject Name', (t) => t.subject],
    ['subject last RDN SET', (t) => t.subject.kids[t.subject.kids.length - 1]!],
  ];
  for (const [what, pick] of cases) {
    it(`${what} longer than its parent -> tls.x509.malformed (never a clamp)`, () => {
      const b = der();
      const n = pick(tree(b));
      // replace the node's length field by a 4-byte length far past every parent's end
      const x = new Uint8Array(b.length - n.lenBytes + 5);
      x.set(b.subarray(0, n.lenOff));
      x.set([0x84, 0x00, 0x10, 0x00, 0x00], n.lenOff);
      x.set(b.subarray(n.lenOff + n.lenBytes), n.lenOff + 5);
      const r = parseX509(x, 0, x.length);
      expect(typeof r).toBe('number');
      expect(anomalyName(-(r as number))).toBe('tls.x509.malformed');
      // and exactly one byte past the parent, for the two outer SEQUENCEs (long-form lengths)
      if (what === 'certificate SEQUENCE' || what === 'tbsCertificate') {
        const y = b.slice();
        const t = tree(y);
        const parentEnd = what === 'tbsCertificate' ? t.cert.end : y.length;
        bumpDerLen(y, n, parentEnd - n.end + 1);
        expect(derTree(y, 0, y.length)[0]!.end).toBeGreaterThanOrEqual(what === 'tbsCertificate' ? 0 : y.length + 1);
        const r2 = parseX509(y, 0, y.length);
        expect(anomalyName(-(r2 as number))).toBe('tls.x509.malformed');
      }
    });
  }

  it('an invalid time is reported, the rest is kept', () => {
    const b = der();
    const t = tree(b);
    const nb = t.validity.kids[0]!;
    b[nb.start + 2] = 0x31; // month 1x
    b[nb.start + 3] = 0x33; // -> 13
    const x = ok(parseX509(b, 0, b.length));
    expect(x.notBefore).toBeNull();
    expect(x.notAfter).not.toBeNull();
    expect(x.anomalies.map(anomalyName)).toEqual(['tls.x509.bad_time']);
    expect(x.subject).toContain('CN=amt10.lab.example');
  });

  it('single-byte corruptions never throw', () => {
    const base = der();
    for (let i = 0; i < base.length; i++) {
      for (const v of [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff]) {
        const b = base.slice();
        b[i] = v;
        const r = parseX509(b, 0, b.length);
        if (typeof r !== 'number') expect(r.derEnd).toBeLessThanOrEqual(b.length);
      }
    }
  });
});

describe('time and name helpers', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const t = (tag: number, s: string) => parseTime(enc(s), tag, 0, s.length);
  it('UTCTime pivot at 50, GeneralizedTime with fraction, invalid dates', () => {
    expect(t(0x17, '491231235959Z')).toBe(Date.UTC(2049, 11, 31, 23, 59, 59) * 1000);
    expect(t(0x17, '500101000000Z')).toBe(Date.UTC(1950, 0, 1) * 1000);
    expect(t(0x18, '20500101000000Z')).toBe(Date.UTC(2050, 0, 1) * 1000);
    expect(t(0x18, '20240229120000.25Z')).toBe(Date.UTC(2024, 1, 29, 12) * 1000 + 250_000);
    expect(new Date(t(0x18, '00500101000000Z')! / 1000).getUTCFullYear()).toBe(50);
    for (const bad of ['230230000000Z', '231301000000Z', '230101240000Z', '2301010000Z', '230101000000', '23010100000aZ', '230101000060Z']) {
      expect(t(0x17, bad), bad).toBeNull();
    }
    expect(t(0x18, '20230101000000.Z')).toBeNull();
    expect(t(0x18, '20230101000000+0100')).toBeNull();
    expect(t(0x04, '230101000000Z')).toBeNull();
  });

  it('OIDs and RFC 2253 escapes', () => {
    expect(oidText(hex('550403'), 0, 3)).toBe('2.5.4.3');
    expect(oidText(hex('2a864886f70d010901'), 0, 9)).toBe('1.2.840.113549.1.9.1');
    expect(oidText(hex('8801'), 0, 2)).toBe('2.945');
    expect(oidText(hex('2a80'), 0, 2)).toBeNull();
    expect(oidText(hex('2a86'), 0, 2)).toBeNull();
    expect(escapeDnValue('#a, b+c"d\\e<f>g;h ')).toBe('\\#a\\, b\\+c\\"d\\\\e\\<f\\>g\\;h\\ ');
    expect(escapeDnValue(' x')).toBe('\\ x');
    expect(escapeDnValue('a\u0001\u007f')).toBe('a\\01\\7F');
  });
});
