/**
 * Live handshakes: openssl s_server and s_client on 127.0.0.1 through a recording relay
 * (openssl-harness.ts), the recorded bytes fed to the analyzer, and the record compared with
 *   - `openssl x509` on the server's certificate (subject, issuer, serial, dates, SHA-256),
 *   - tshark 4.0 on a capture of the same exchange (tcpdump on lo when allowed, else a pcap
 *     synthesized from the relay's bytes): JA3, JA3S, version, cipher, SNI, ALPN, serial, and a
 *     JA4 computed here, independently, from tshark's dissected fields.
 * Skipped with a message when openssl (or, for the tshark comparisons, tshark) is missing.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cipherName } from '../../../../src/analyzers/tls/constants.js';
import type { TlsRecord } from '../../../../src/records/index.js';
import { run, type Step } from './host.js';
import {
  HAVE_OPENSSL,
  HAVE_TSHARK,
  killAll,
  makeCert,
  opensslX509,
  removeDir,
  runExchanges,
  tempDir,
  tsharkFields,
  type CertFiles,
  type Exchange,
  type ExchangeOptions,
} from './openssl-harness.js';

if (!HAVE_OPENSSL) console.warn('live TLS tests skipped: `openssl` not found on PATH');
else if (!HAVE_TSHARK) console.warn('live TLS tests: `tshark` not found, the tshark comparisons are skipped');

const TSHARK_FIELDS = [
  'tcp.stream',
  'tls.handshake.type',
  'tls.handshake.version',
  'tls.handshake.ciphersuite',
  'tls.handshake.extension.type',
  'tls.handshake.sig_hash_alg',
  'tls.handshake.extensions.supported_version',
  'tls.handshake.extensions_alpn_str',
  'tls.handshake.extensions_server_name',
  'tls.handshake.ja3',
  'tls.handshake.ja3s',
  'x509af.serialNumber',
] as const;

type Row = Record<(typeof TSHARK_FIELDS)[number], string>;

function tsharkRows(ex: Exchange): Row[] {
  const rows = tsharkFields(ex.pcapPath, ex.pcapPort, [...TSHARK_FIELDS], `tcp.stream==${ex.stream} && (tls.handshake.type==1 || tls.handshake.type==2 || tls.handshake.type==11)`);
  return rows.map((r) => Object.fromEntries(TSHARK_FIELDS.map((f, i) => [f, r[i] ?? ''])) as Row);
}

const list = (s: string): string[] => (s === '' ? [] : s.split(','));
const GREASE = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

/** JA4 from tshark's fields, written from the spec without the analyzer's code. */
function ja4FromTshark(r: Row): string {
  const num = (x: string) => (x.startsWith('0x') ? parseInt(x, 16) : parseInt(x, 10));
  const ciphers = list(r['tls.handshake.ciphersuite']).map(num).filter((v) => !GREASE(v));
  const exts = list(r['tls.handshake.extension.type']).map(num).filter((v) => !GREASE(v));
  if (exts.includes(50)) throw new Error('signature_algorithms_cert present: tshark merges its values, cannot compute JA4 here');
  const versions = list(r['tls.handshake.extensions.supported_version']).map(num).filter((v) => !GREASE(v));
  const v = versions.length > 0 ? Math.max(...versions) : num(r['tls.handshake.version']);
  const vs = ({ 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3' } as Record<number, string>)[v] ?? '00';
  const alpn0 = list(r['tls.handshake.extensions_alpn_str'])[0] ?? '';
  const alpn = alpn0 === '' ? '00' : alpn0[0]! + alpn0[alpn0.length - 1]!; // openssl sends ASCII names
  const h4 = (x: number) => x.toString(16).padStart(4, '0');
  const sha = (s: string) => (s === '' ? '000000000000' : createHash('sha256').update(s).digest('hex').slice(0, 12));
  const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const a = `t${vs}${exts.includes(0) ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpn}`;
  const b = ciphers.map(h4).sort().join(',');
  const sigs = list(r['tls.handshake.sig_hash_alg']).map((x) => h4(num(x)));
  const e = exts.filter((x) => x !== 0 && x !== 16).map(h4).sort().join(',');
  return `${a}_${sha(b)}_${sha(sigs.length > 0 ? `${e}_${sigs.join(',')}` : e)}`;
}

function feed(ex: Exchange, piece?: number): { rec: TlsRecord; anomalies: string[]; facts: { tlsVersion: string | null; tlsSni: string | null } } {
  const steps: Step[] = ex.chunks.map((c) => ({ dir: c.dir, data: c.data }));
  const r = run(steps, piece === undefined ? {} : { piece });
  return { rec: r.rec, anomalies: r.host.anomalies, facts: r.host.facts };
}

function isoMicros(s: string): number {
  return Date.parse(s.replace(' ', 'T')) * 1000;
}

/** Everything the record says about the certificate equals what openssl x509 says about the file. */
function expectCertMatches(rec: TlsRecord, cert: CertFiles): void {
  const o = opensslX509(cert.cert);
  expect(rec.cert_subject).toBe(o['subject']);
  expect(rec.cert_issuer).toBe(o['issuer']);
  const serial = rec.cert_serial ?? '';
  const trimmed = serial.startsWith('00') && parseInt(serial.slice(2, 4), 16) >= 0x80 ? serial.slice(2) : serial;
  expect(trimmed.toUpperCase()).toBe(o['serial']);
  expect(rec.cert_not_before).toBe(isoMicros(o['notBefore']!));
  expect(rec.cert_not_after).toBe(isoMicros(o['notAfter']!));
  expect(rec.cert_sha256).toBe(o['sha256 Fingerprint']!.replace(/:/g, '').toLowerCase());
  expect(rec.cert_chain_len).toBe(1);
}

/** The record's hello-derived fields equal tshark's view of the first ClientHello and the (last) ServerHello. */
function expectTsharkAgrees(rec: TlsRecord, ex: Exchange): void {
  if (!HAVE_TSHARK) return;
  const rows = tsharkRows(ex);
  const ch = rows.find((r) => r['tls.handshake.type'].split(',').includes('1'))!;
  const shs = rows.filter((r) => r['tls.handshake.type'].split(',').includes('2'));
  const sh = shs[shs.length - 1]!;
  expect(rec.ja3).toBe(ch['tls.handshake.ja3']);
  expect(rec.ja4).toBe(ja4FromTshark(ch));
  expect(rec.server_name).toBe(ch['tls.handshake.extensions_server_name'] || null);
  expect(rec.alpn).toEqual(list(ch['tls.handshake.extensions_alpn_str']));
  expect(rec.ja3s).toBe(sh['tls.handshake.ja3s'].split(',')[0]);
  const shCipher = parseInt(list(sh['tls.handshake.ciphersuite'])[0]!, 16);
  expect(rec.cipher).toBe(cipherName(shCipher));
  const sv = sh['tls.handshake.extensions.supported_version'];
  const ver = parseInt(sv !== '' ? sv : list(sh['tls.handshake.version'])[0]!, 16);
  expect(rec.version).toBe(({ 0x0304: 'TLSv13', 0x0303: 'TLSv12', 0x0302: 'TLSv11', 0x0301: 'TLSv10' } as Record<number, string>)[ver]);
  const certRow = rows.find((r) => r['x509af.serialNumber'] !== '');
  if (certRow) expect(rec.cert_serial).toBe(certRow['x509af.serialNumber'].split(',')[0]);
  else expect(rec.cert_serial).toBeNull();
}

describe.skipIf(!HAVE_OPENSSL)('live openssl handshakes (skipped: openssl not found)', () => {
  let dir = '';
  let ec: CertFiles;
  let rsa: CertFiles;
  beforeAll(() => {
    dir = tempDir();
    ec = makeCert(dir, '/C=US/O=Intel AMT stand-in/CN=amt10.lab.example', 'ec');
    rsa = makeCert(dir, '/ST=None/O=None/CN=amt.lab.example', 'rsa', ['-set_serial', '0x8f00000000000001'], true);
  }, 60_000);
  afterAll(() => {
    killAll();
    removeDir(dir);
  });

  const exchange = (o: Omit<ExchangeOptions, 'dir' | 'capture'>, capture = true): Promise<Exchange[]> => runExchanges({ ...o, dir, capture });

  it('TLS 1.2 with -servername and -alpn', async () => {
    const [ex] = await exchange({ cert: ec, version: '1.2', serverAlpn: 'http/1.1', clients: [{ servername: 'amt10.lab.example', alpn: 'amt,http/1.1' }] });
    const { rec, anomalies, facts } = feed(ex!);
    expect(anomalies).toEqual([]);
    expect(rec.version).toBe('TLSv12');
    expect(rec.server_name).toBe('amt10.lab.example');
    expect(rec.alpn).toEqual(['amt', 'http/1.1']);
    expect(rec.alpn_selected).toBe('http/1.1');
    expect(rec.established).toBe(true);
    expect(rec.resumed).toBe(false);
    expect(rec.partial).toBe(false);
    expect(facts).toMatchObject({ tlsVersion: 'TLSv12', tlsSni: 'amt10.lab.example' });
    expectCertMatches(rec, ec);
    expectTsharkAgrees(rec, ex!);
    expect(feed(ex!, 1).rec).toEqual(rec);
  });

  it('TLS 1.2 compared through a pcap synthesized from the relay bytes (the path used without tcpdump)', async () => {
    const [ex] = await exchange({ cert: ec, version: '1.2', serverAlpn: 'http/1.1', clients: [{ servername: 'amt10.lab.example', alpn: 'amt,http/1.1' }] }, false);
    expect(ex!.captured).toBe(false);
    const { rec } = feed(ex!);
    expect(rec.established).toBe(true);
    expectCertMatches(rec, ec);
    expectTsharkAgrees(rec, ex!);
  });

  it('TLS 1.3 with -servername and -alpn', async () => {
    const [ex] = await exchange({ cert: ec, version: '1.3', serverAlpn: 'http/1.1', clients: [{ servername: 'amt10.lab.example', alpn: 'amt,http/1.1' }] });
    const { rec, anomalies } = feed(ex!);
    expect(anomalies).toEqual([]);
    expect(rec.version).toBe('TLSv13');
    expect(rec.established).toBe(true);
    expect(rec.cert_subject).toBeNull();
    expect(rec.partial).toBe(false);
    expectTsharkAgrees(rec, ex!);
    expect(feed(ex!, 1).rec).toEqual(rec);
  });

  it('TLS 1.2, RSA certificate and RSA key exchange, no SNI (an old AMT console)', async () => {
    const [ex] = await exchange({ cert: rsa, version: '1.2', clients: [{ args: ['-cipher', 'AES128-SHA'] }] });
    const { rec } = feed(ex!);
    expect(rec.cipher).toBe('TLS_RSA_WITH_AES_128_CBC_SHA');
    expect(rec.server_name).toBeNull();
    expect(rec.ja4?.[3]).toBe('i');
    expect(rec.cert_serial).toBe('008f00000000000001');
    expect(rec.established).toBe(true);
    expectCertMatches(rec, rsa);
    expectTsharkAgrees(rec, ex!);
  });

  it('TLS 1.0 (AMT 11 and older), at security level 0', async (ctx) => {
    let exs: Exchange[];
    try {
      exs = await exchange({
        cert: rsa,
        version: '1.0',
        serverArgs: ['-cipher', 'DEFAULT:@SECLEVEL=0'],
        clients: [{ args: ['-cipher', 'AES256-SHA:@SECLEVEL=0'] }],
      });
    } catch (e) {
      ctx.skip(`this openssl refuses TLS 1.0: ${String(e).slice(0, 200)}`);
      return;
    }
    const { rec } = feed(exs[0]!);
    if (rec.version === null) {
      ctx.skip('this openssl build has no TLS 1.0');
      return;
    }
    expect(rec.version).toBe('TLSv10');
    expect(rec.client_version).toBe('TLSv10');
    expect(rec.cipher).toBe('TLS_RSA_WITH_AES_256_CBC_SHA');
    expect(rec.ja4?.slice(0, 3)).toBe('t10');
    expect(rec.established).toBe(true);
    expectCertMatches(rec, rsa);
    expectTsharkAgrees(rec, exs[0]!);
  });

  for (const version of ['1.2', '1.3'] as const) {
    it(`TLS ${version} session resumption is reported`, async () => {
      const sess = `${dir}/sess-${version}.pem`;
      const exs = await exchange({
        cert: ec,
        version,
        clients: [{ servername: 'amt10.lab.example', args: ['-sess_out', sess] }, { servername: 'amt10.lab.example', args: ['-sess_in', sess] }],
      });
      const first = feed(exs[0]!).rec;
      const second = feed(exs[1]!).rec;
      expect(first.resumed).toBe(false);
      expect(second.resumed).toBe(true);
      expect(second.established).toBe(true);
      expect(second.version).toBe(version === '1.2' ? 'TLSv12' : 'TLSv13');
      if (version === '1.2') expect(second.cert_subject).toBeNull(); // abbreviated handshake: no Certificate
      expectTsharkAgrees(second, exs[1]!);
    });
  }

  it('TLS 1.3 HelloRetryRequest: fingerprints from the first ClientHello, version from the ServerHello', async () => {
    const [ex] = await exchange({
      cert: ec,
      version: '1.3',
      serverArgs: ['-groups', 'P-256'],
      clients: [{ servername: 'amt10.lab.example', args: ['-groups', 'X25519:P-256'] }],
    });
    const { rec, anomalies } = feed(ex!);
    expect(anomalies).toEqual([]);
    expect(rec.version).toBe('TLSv13');
    expect(rec.established).toBe(true);
    expect(rec.partial).toBe(false);
    expectTsharkAgrees(rec, ex!);
    // client stream first: the second ClientHello follows a ChangeCipherSpec before the server is known
    const c = ex!.chunks.filter((x) => x.dir === 0).map((x) => x.data);
    const s = ex!.chunks.filter((x) => x.dir === 1).map((x) => x.data);
    const cat = (a: Uint8Array[]) => Uint8Array.from(a.flatMap((x) => Array.from(x)));
    expect(run([{ dir: 0, data: cat(c) }, { dir: 1, data: cat(s) }]).rec).toEqual(rec);
    expect(run([{ dir: 1, data: cat(s) }, { dir: 0, data: cat(c) }]).rec).toEqual(rec);
  });
});
