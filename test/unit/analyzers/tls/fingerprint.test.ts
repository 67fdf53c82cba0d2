/**
 * JA3 / JA3S / JA4 against their specifications and reference outputs:
 *   - the worked examples of FoxIO-LLC/ja4 technical_details/JA4.md (hash inputs, ALPN rules);
 *   - real openssl exchanges with tshark's JA3/JA3S (fixtures/openssl-exchanges.json).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GREASE_VALUES, isGrease } from '../../../../src/analyzers/tls/constants.js';
import { deriveJa3, deriveJa3s, deriveJa4, ja3String, ja4Alpn, ja4Raw } from '../../../../src/analyzers/tls/fingerprint.js';
import { parseClientHello, parseServerHello, type ClientHello } from '../../../../src/analyzers/tls/parser.js';
import { hex } from './host.js';
import { OSSL } from './tls-bytes.js';

const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

function ch(over: Partial<ClientHello>): ClientHello {
  return {
    sslv2: false,
    version: 0x0303,
    sessionId: new Uint8Array(0),
    ciphers: [],
    compressions: [0],
    hasExtensions: true,
    extTypes: [],
    sni: null,
    groups: [],
    pointFormats: [],
    sigAlgs: [],
    alpn: [],
    alpnFirst: null,
    supportedVersions: [],
    anomalies: [],
    ...over,
  };
}

/** The JA4.md example ClientHello. */
const SPEC_CH = ch({
  ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extTypes: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
  sigAlgs: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  supportedVersions: [0x0304, 0x0303],
  alpn: ['h2', 'http/1.1'],
  alpnFirst: new TextEncoder().encode('h2'),
  sni: 'example.com',
});

describe('JA4 specification examples (technical_details/JA4.md)', () => {
  it('hash inputs and the example fingerprint', () => {
    expect(sha12('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9')).toBe('8daaf6152771');
    expect(sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601')).toBe(
      'e5627efa2ab1',
    );
    expect(sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01')).toBe('6d807ffa2a79');
    const r = ja4Raw(SPEC_CH);
    expect(r.a).toBe('t13d1516h2');
    expect(r.b).toBe('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9');
    expect(r.c).toBe('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
    expect(deriveJa4(SPEC_CH)).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('no signature algorithms: no trailing underscore', () => {
    expect(deriveJa4({ ...SPEC_CH, sigAlgs: [] }).split('_')[2]).toBe('6d807ffa2a79');
  });

  it('empty lists hash to 000000000000', () => {
    const c = ch({ ciphers: [0x0a0a], extTypes: [0x0000, 0x0010, 0x1a1a] });
    expect(deriveJa4(c)).toBe('t12d000200_000000000000_000000000000');
  });

  it('ALPN first/last characters, including the non-alphanumeric examples', () => {
    const b = (...x: number[]) => Uint8Array.from(x);
    const cases: [Uint8Array | null, string][] = [
      [null, '00'],
      [b(), '00'],
      [new TextEncoder().encode('h2'), 'h2'],
      [new TextEncoder().encode('http/1.1'), 'h1'],
      [new TextEncoder().encode('x'), 'xx'],
      [b(0xab), 'ab'],
      [b(0x20), '20'],
      [b(0xab, 0xcd), 'ad'],
      [b(0x20, 0x61), '21'],
      [b(0x30, 0xab), '3b'],
      [b(0x61, 0x20), '60'],
      [b(0x30, 0x31, 0xab, 0xcd), '3d'],
      [b(0x30, 0xab, 0xcd, 0x31), '01'],
    ];
    for (const [alpn, want] of cases) expect(ja4Alpn(alpn), String(alpn)).toBe(want);
  });

  it('version: highest non-GREASE supported_versions, else legacy version; unknown 00', () => {
    const v = (c: Partial<ClientHello>) => ja4Raw(ch(c)).a.slice(1, 3);
    expect(v({ supportedVersions: [0x2a2a, 0x0304, 0x0303] })).toBe('13');
    expect(v({ supportedVersions: [0x0303, 0x0302] })).toBe('12');
    expect(v({ version: 0x0301 })).toBe('10');
    expect(v({ version: 0x0300 })).toBe('s3');
    expect(v({ version: 0x0002 })).toBe('s2');
    expect(v({ version: 0x1234 })).toBe('00');
    expect(v({ supportedVersions: [0xfafa], version: 0x0302 })).toBe('11');
  });

  it('counts ignore GREASE, cap at 99, and count SNI/ALPN; d only with the SNI extension', () => {
    const many = Array.from({ length: 120 }, (_, i) => 0x0100 + i);
    const r = ja4Raw(ch({ ciphers: [0x0a0a, ...many], extTypes: [0x3a3a, 0x0010, ...many] }));
    expect(r.a).toBe('t12i999900');
  });
});

describe('GREASE', () => {
  it('is exactly the 16 RFC 8701 values', () => {
    let n = 0;
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) n++;
    expect(n).toBe(16);
    expect(GREASE_VALUES.every(isGrease)).toBe(true);
    expect(GREASE_VALUES[0]).toBe(0x0a0a);
    expect(GREASE_VALUES[15]).toBe(0xfafa);
  });
});

describe('real openssl exchanges: JA3/JA3S strings and hashes = tshark', () => {
  for (const e of OSSL.exchanges) {
    it(e.name, () => {
      const client = e.chunks.filter((c) => c[0] === 0).map((c) => c[1]).join('');
      const server = e.chunks.filter((c) => c[0] === 1).map((c) => c[1]).join('');
      const cb = hex(client);
      const sb = hex(server);
      // first handshake record of each side holds the hello
      const chLen = (cb[6]! << 16) | (cb[7]! << 8) | cb[8]!;
      const c = parseClientHello(cb, 9, 9 + chLen);
      const shLen = (sb[6]! << 16) | (sb[7]! << 8) | sb[8]!;
      const s = parseServerHello(sb, 9, 9 + shLen);
      if (typeof c === 'number' || typeof s === 'number') throw new Error('parse failed');
      expect(ja3String(c)).toBe(e.tshark.ja3_full);
      expect(deriveJa3(c)).toBe(e.tshark.ja3);
      expect(deriveJa3s(s)).toBe(e.tshark.ja3s);
    });
  }
});
