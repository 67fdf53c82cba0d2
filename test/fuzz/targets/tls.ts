/**
 * Fuzz targets for the TLS analyzer: the ClientHello parser (TLS and SSLv2-compatible forms, plus
 * the fingerprints computed from what it returns), the ServerHello parser (+ JA3S), the X.509 leaf
 * reader (+ the certificate list around it), and the whole analyzer fed an input split into two
 * directions. Seeds are real messages: ClientHellos from FoxIO-LLC/ja4's pcaps and openssl 3
 * exchanges (TLS 1.2, TLS 1.3, TLS 1.2 without SNI) recorded by test/unit/analyzers/tls.
 */
import { createTlsAnalyzer } from '../../../src/analyzers/tls/analyzer.js';
import { deriveJa3, deriveJa3s, deriveJa4 } from '../../../src/analyzers/tls/fingerprint.js';
import { parseCertificateList, parseClientHello, parseServerHello, parseSslv2ClientHello } from '../../../src/analyzers/tls/parser.js';
import { parseX509, sha256Hex } from '../../../src/analyzers/tls/x509.js';
import type { AnalyzerHost } from '../../../src/analyzers/types.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { emptyConnFacts } from '../../../src/records/index.js';
import { hex } from '../../unit/analyzers/tls/host.js';
import { OSSL, messages, streams } from '../../unit/analyzers/tls/tls-bytes.js';
import type { FuzzTarget } from '../types.js';

const EXCHANGES = OSSL.exchanges.map((e) => e.name);

/** Handshake message bodies of one type, from the recorded exchanges. */
function bodies(type: number, dir: 0 | 1): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const n of EXCHANGES) {
    const s = streams(n);
    const b = dir === 0 ? s.client : s.server;
    for (const m of messages(b)) if (m.type === type) out.push(b.slice(m.bodyOff, m.end));
  }
  return out;
}

function clientHelloSeeds(): Uint8Array[] {
  const out = bodies(1, 0);
  // an SSLv2-compatible CLIENT-HELLO message (starts with msg_type 1, which a TLS body never does
  // in its first byte here: the target tries both parsers on every input)
  out.push(hex('01 0301 0009 0000 0010 010080 00002f 000035' + '11'.repeat(16)));
  return out;
}

/** Analyzer input: records of [ctl][len lo][len hi][bytes]; ctl bit 0 = direction, bit 7 = a gap of len bytes. */
export function encodeSteps(chunks: { dir: 0 | 1; data: Uint8Array }[], gapAt = -1): Uint8Array {
  const parts: number[] = [];
  chunks.forEach((c, i) => {
    if (i === gapAt) parts.push(0x80 | c.dir, 10, 0);
    for (let o = 0; o < c.data.length; o += 0xffff) {
      const d = c.data.subarray(o, Math.min(c.data.length, o + 0xffff));
      parts.push(c.dir, d.length & 0xff, d.length >> 8, ...d);
    }
  });
  return Uint8Array.from(parts);
}

function analyzerSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const n of EXCHANGES) {
    const s = streams(n);
    out.push(encodeSteps(s.chunks));
    out.push(encodeSteps(s.chunks, 1));
    // byte-at-a-time-ish: the first 300 bytes of each side in 7-byte pieces
    const pieces: { dir: 0 | 1; data: Uint8Array }[] = [];
    for (const [dir, b] of [
      [0, s.client],
      [1, s.server],
    ] as const) {
      for (let o = 0; o < Math.min(300, b.length); o += 7) pieces.push({ dir, data: b.subarray(o, Math.min(b.length, o + 7)) });
    }
    out.push(encodeSteps(pieces));
  }
  return out;
}

function fuzzHost(): { host: AnalyzerHost; count: () => number } {
  let n = 0;
  const host: AnalyzerHost = {
    session: { uid: 'CFUZZ', startTs: 0, origH: new Uint8Array(4), origP: 1, respH: new Uint8Array(4), respP: 16993, vlan: null },
    // small limits so the fuzzer reaches the cut paths
    limits: { ...DEFAULT_LIMITS, maxTlsHandshakeBytes: 1024, maxFieldChars: 32 },
    options: { extract: false },
    facts: emptyConnFacts(),
    emit: () => void n++,
    anomaly: () => undefined,
  };
  return { host, count: () => n };
}

export const targets: FuzzTarget[] = [
  {
    name: 'tls.client_hello',
    seeds: clientHelloSeeds(),
    run(input) {
      const ch = parseClientHello(input, 0, input.length);
      if (typeof ch !== 'number') {
        deriveJa3(ch);
        deriveJa4(ch);
      }
      const v2 = parseSslv2ClientHello(input, 0, input.length);
      if (typeof v2 !== 'number' && v2.ciphers.length * 3 > input.length) throw new Error('sslv2: more ciphers than bytes');
    },
  },
  {
    name: 'tls.server_hello',
    seeds: bodies(2, 1),
    run(input) {
      const sh = parseServerHello(input, 0, input.length);
      if (typeof sh !== 'number') deriveJa3s(sh);
    },
  },
  {
    name: 'tls.x509',
    seeds: [hex(OSSL.cert_der), ...bodies(11, 1)],
    run(input) {
      const x = parseX509(input, 0, input.length);
      if (typeof x !== 'number') {
        if (x.derEnd > input.length || x.derStart < 0) throw new Error('x509: DER range outside the input');
        sha256Hex(input, x.derStart, x.derEnd);
      }
      // the same bytes as a TLS Certificate body
      const list = parseCertificateList(input, 0, input.length);
      if (typeof list !== 'number') {
        for (let i = 0; i + 1 < list.length; i += 2) {
          const s = list[i]!;
          const e = list[i + 1]!;
          if (s < 0 || e > input.length || s >= e) throw new Error('certificate list: entry outside the input');
          parseX509(input, s, e);
        }
      }
    },
  },
  {
    name: 'tls.analyzer',
    seeds: analyzerSeeds(),
    run(input) {
      const { host, count } = fuzzHost();
      const a = createTlsAnalyzer(host);
      let p = 0;
      let t = 0;
      while (p < input.length) {
        const ctl = input[p] as number;
        const dir = (ctl & 1) as 0 | 1;
        if (p + 3 > input.length) {
          a.data(0, input, p, input.length, t);
          break;
        }
        const len = (input[p + 1] as number) | ((input[p + 2] as number) << 8);
        p += 3;
        t += 1000;
        if (ctl & 0x80) {
          a.gap(dir, len, t);
          continue;
        }
        const end = Math.min(input.length, p + len);
        a.data(dir, input, p, end, t);
        p = end;
      }
      a.end(t + 1);
      a.end(t + 2);
      if (count() !== 1) throw new Error(`tls analyzer emitted ${count()} records`);
    },
  },
];
