/**
 * The TLS analyzer on real handshakes (recorded openssl exchanges in fixtures/, and live ones made
 * by openssl s_server/s_client through a recording relay), compared with `openssl x509` and
 * tshark; then truncation sweeps, lying lengths at the record/handshake/certificate levels,
 * gaps, re-framing, odd record types, limits and garbage.
 */
import { describe, expect, it } from 'vitest';
import { TLS_FIELDS, type TlsRecord } from '../../../../src/records/index.js';
import { run, type Run, type Step } from './host.js';
import { OSSL, get16, get24, messages, put16, put24, records, streams, derTree, chLayout } from './tls-bytes.js';

type Chunks = { dir: 0 | 1; data: Uint8Array }[];

const steps = (chunks: Chunks): Step[] => chunks.map((c) => ({ dir: c.dir, data: c.data }));

/** Comparable view of a record (Uint8Array addresses as arrays). */
function view(r: TlsRecord): Record<string, unknown> {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v))) as Record<string, unknown>;
}

function isoMicros(s: string): number {
  return Date.parse(s.replace(' ', 'T')) * 1000;
}

/** Deterministic PRNG (mulberry32) for chunkings and garbage. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const X = OSSL.openssl_x509;

describe('recorded TLS 1.2 exchange (SNI, ALPN)', () => {
  const s = streams('tls12');
  const fx = OSSL.exchanges.find((e) => e.name === 'tls12')!;

  it('reports every field, equal to openssl x509 and tshark on the same exchange', () => {
    const { rec, host } = run(steps(s.chunks));
    expect(host.anomalies).toEqual([]);
    expect(rec.event_type).toBe('tls');
    expect(rec.uid).toBe('CTLS0000000000001');
    expect(rec.version).toBe('TLSv12');
    expect(rec.client_version).toBe('TLSv12');
    expect(rec.cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(rec.server_name).toBe('amt10.lab.example');
    expect(rec.alpn).toEqual(['amt', 'http/1.1']);
    expect(rec.alpn_selected).toBe('http/1.1');
    expect(rec.established).toBe(true);
    expect(rec.resumed).toBe(false);
    expect(rec.ja3).toBe(fx.tshark.ja3);
    expect(rec.ja3s).toBe(fx.tshark.ja3s);
    expect(rec.ja4).toMatch(/^t12d2808at_[0-9a-f]{12}_[0-9a-f]{12}$/);
    expect(rec.cert_subject).toBe(X['subject']);
    expect(rec.cert_issuer).toBe(X['issuer']);
    expect(rec.cert_serial?.toUpperCase()).toBe(X['serial']);
    expect(rec.cert_not_before).toBe(isoMicros(X['notBefore']!));
    expect(rec.cert_not_after).toBe(isoMicros(X['notAfter']!));
    expect(rec.cert_sha256).toBe(X['sha256 Fingerprint']!.replace(/:/g, '').toLowerCase());
    expect(rec.cert_chain_len).toBe(1);
    expect(rec.partial).toBe(false);
    expect(host.facts.tlsVersion).toBe('TLSv12');
    expect(host.facts.tlsSni).toBe('amt10.lab.example');
  });

  it('emits exactly the TLS_FIELDS keys, in that order', () => {
    const { rec } = run(steps(s.chunks));
    expect(Object.keys(rec)).toEqual(TLS_FIELDS.map((f) => f.key));
    expect(Object.keys(run([]).rec)).toEqual(TLS_FIELDS.map((f) => f.key));
  });

  it('the same record whatever the delivery: byte at a time, one side first, random chunks', () => {
    const ref = view(run(steps(s.chunks)).rec);
    expect(view(run(steps(s.chunks), { piece: 1 }).rec)).toEqual(ref);
    expect(view(run([{ dir: 0, data: s.client }, { dir: 1, data: s.server }]).rec)).toEqual(ref);
    expect(view(run([{ dir: 1, data: s.server }, { dir: 0, data: s.client }]).rec)).toEqual(ref);
    const rnd = prng(7);
    for (let round = 0; round < 20; round++) {
      const st: Step[] = [];
      let ci = 0;
      let si = 0;
      while (ci < s.client.length || si < s.server.length) {
        const dir: 0 | 1 = ci >= s.client.length ? 1 : si >= s.server.length ? 0 : rnd() < 0.5 ? 0 : 1;
        const src = dir === 0 ? s.client : s.server;
        const at = dir === 0 ? ci : si;
        const n = Math.min(src.length - at, 1 + Math.floor(rnd() * 300));
        st.push({ dir, data: src.subarray(at, at + n) });
        if (dir === 0) ci += n;
        else si += n;
      }
      expect(view(run(st).rec)).toEqual(ref);
    }
  });

  it('the record is emitted as soon as the handshake is established (before end)', () => {
    const { rec } = run(steps(s.chunks), { end: false });
    expect(rec.established).toBe(true);
  });

  it('several handshake messages in one record, or one message over many tiny records: same record', () => {
    const ref = view(run(steps(s.chunks)).rec);
    const msgs = messages(s.server);
    const shd = msgs.find((m) => m.type === 14)!;
    const flight = Uint8Array.from(msgs.filter((m) => m.end <= shd.end).flatMap((m) => Array.from(s.server.subarray(m.hdrOff, m.end))));
    expect(msgs.filter((m) => m.end <= shd.end).map((m) => m.type)).toEqual([2, 11, 12, 14]);
    const rest = s.server.slice(shd.end);
    const frame = (size: number): Uint8Array => {
      const parts: number[] = [];
      for (let o = 0; o < flight.length; o += size) {
        const n = Math.min(size, flight.length - o);
        parts.push(22, 3, 3, n >> 8, n & 0xff, ...flight.subarray(o, o + n));
      }
      return Uint8Array.from(parts);
    };
    for (const size of [flight.length, 1, 3, 4, 7, 100, 1000]) {
      const server = new Uint8Array([...frame(size), ...rest]);
      expect(view(run([{ dir: 0, data: s.client }, { dir: 1, data: server }]).rec), `record size ${size}`).toEqual(ref);
    }
  });
});

describe('recorded TLS 1.3 exchange and TLS 1.2 without SNI', () => {
  it('TLS 1.3: version from supported_versions; certificate encrypted; established from application data', () => {
    const s = streams('tls13');
    const fx = OSSL.exchanges.find((e) => e.name === 'tls13')!;
    const { rec, host } = run(steps(s.chunks));
    expect(host.anomalies).toEqual([]);
    expect(rec.version).toBe('TLSv13');
    expect(rec.client_version).toBe('TLSv13');
    expect(rec.cipher).toBe('TLS_AES_256_GCM_SHA384');
    expect(rec.server_name).toBe('amt10.lab.example');
    expect(rec.alpn).toEqual(['amt', 'http/1.1']);
    expect(rec.alpn_selected).toBeNull(); // in EncryptedExtensions
    expect(rec.established).toBe(true);
    expect(rec.ja3).toBe(fx.tshark.ja3);
    expect(rec.ja3s).toBe(fx.tshark.ja3s);
    expect(rec.ja4).toMatch(/^t13d0411at_/);
    expect(rec.cert_subject).toBeNull();
    expect(rec.cert_chain_len).toBe(0);
    expect(rec.partial).toBe(false);
    const ref = view(rec);
    expect(view(run(steps(s.chunks), { piece: 1 }).rec)).toEqual(ref);
    expect(view(run([{ dir: 0, data: s.client }, { dir: 1, data: s.server }]).rec)).toEqual(ref);
    expect(view(run([{ dir: 1, data: s.server }, { dir: 0, data: s.client }]).rec)).toEqual(ref);
  });

  it('TLS 1.3: a client that only sends an encrypted alert (19 bytes) is not established', () => {
    const s = streams('tls13');
    const recs = records(s.client);
    const ch = recs[0]!;
    const alert = recs[recs.length - 1]!; // close_notify, 19 bytes
    expect(alert.len).toBe(19);
    const client = new Uint8Array([...s.client.subarray(0, ch.bodyOff + ch.len), ...s.client.subarray(alert.off, alert.bodyOff + alert.len)]);
    const { rec } = run([{ dir: 0, data: client }, { dir: 1, data: s.server }]);
    expect(rec.established).toBe(false);
    expect(rec.version).toBe('TLSv13');
  });

  it('TLS 1.2 without SNI or ALPN: JA4 says i and 00', () => {
    const s = streams('tls12_nosni');
    const fx = OSSL.exchanges.find((e) => e.name === 'tls12_nosni')!;
    const { rec } = run(steps(s.chunks));
    expect(rec.server_name).toBeNull();
    expect(rec.alpn).toEqual([]);
    expect(rec.alpn_selected).toBeNull();
    expect(rec.ja3).toBe(fx.tshark.ja3);
    expect(rec.ja3s).toBe(fx.tshark.ja3s);
    expect(rec.ja4).toMatch(/^t12i280600_/);
    expect(rec.established).toBe(true);
  });
});

describe('truncation sweep: every prefix of each side', () => {
  for (const name of ['tls12', 'tls13']) {
    it(`${name} client prefixes: client fields appear exactly when the ClientHello is complete`, () => {
      const s = streams(name);
      const chEnd = messages(s.client)[0]!.end;
      const boundaries = new Set(records(s.client).map((r) => r.off));
      boundaries.add(s.client.length);
      const full = run([{ dir: 0, data: s.client }]).rec;
      for (let k = 0; k <= s.client.length; k++) {
        const { rec, host } = run(k === 0 ? [] : [{ dir: 0, data: s.client.subarray(0, k) }]);
        const complete = k >= chEnd;
        expect(rec.ja3 !== null, `k=${k}`).toBe(complete);
        expect(rec.ja4 !== null).toBe(complete);
        expect(rec.server_name).toBe(complete ? 'amt10.lab.example' : null);
        expect(rec.alpn).toEqual(complete ? ['amt', 'http/1.1'] : []);
        expect(rec.client_version !== null).toBe(complete);
        expect(host.facts.tlsSni).toBe(complete ? 'amt10.lab.example' : null);
        if (complete) expect(rec.ja4).toBe(full.ja4);
        expect(rec.version).toBeNull();
        expect(rec.cipher).toBeNull();
        expect(rec.cert_subject).toBeNull();
        expect(rec.established).toBe(false);
        if (k > 0 && k < chEnd) expect(rec.partial, `k=${k}`).toBe(true);
        if (boundaries.has(k)) expect(rec.partial, `k=${k}`).toBe(false);
      }
    });

    it(`${name} server prefixes (after the whole client side): server fields appear exactly when their message is complete`, () => {
      const s = streams(name);
      const msgs = messages(s.server);
      const shEnd = msgs.find((m) => m.type === 2)!.end;
      const cert = msgs.find((m) => m.type === 11);
      const recs = records(s.server);
      // established: TLS 1.2 at the record after the server's ChangeCipherSpec, TLS 1.3 at its first application_data record
      const ccsIdx = recs.findIndex((r) => r.type === 20);
      const estRec = name === 'tls12' ? recs[ccsIdx + 1]! : recs.find((r) => r.type === 23)!;
      const estAt = estRec.off + 5;
      const boundaries = new Set(recs.map((r) => r.off));
      const full = run([{ dir: 0, data: s.client }, { dir: 1, data: s.server }]).rec;
      for (let k = 0; k <= s.server.length; k++) {
        const st: Step[] = [{ dir: 0, data: s.client }];
        if (k > 0) st.push({ dir: 1, data: s.server.subarray(0, k) });
        const { rec, host } = run(st);
        expect(rec.version !== null, `k=${k}`).toBe(k >= shEnd);
        expect(rec.cipher !== null).toBe(k >= shEnd);
        expect(rec.ja3s !== null).toBe(k >= shEnd);
        expect(host.facts.tlsVersion !== null).toBe(k >= shEnd);
        const haveCert = cert !== undefined && k >= cert.end;
        expect(rec.cert_subject !== null, `k=${k}`).toBe(haveCert);
        expect(rec.cert_sha256 !== null).toBe(haveCert);
        expect(rec.cert_not_after !== null).toBe(haveCert);
        expect(rec.cert_chain_len).toBe(haveCert ? 1 : 0);
        if (haveCert) expect(rec.cert_sha256).toBe(full.cert_sha256);
        expect(rec.established, `k=${k}`).toBe(k >= estAt);
        if (k < estAt && k > 0 && k < shEnd) expect(rec.partial).toBe(true);
        if (boundaries.has(k) || k >= estAt) expect(rec.partial, `k=${k}`).toBe(false);
        expect(rec.ja3).toBe(full.ja3);
      }
    });
  }
});

describe('lying lengths through the analyzer', () => {
  const s = streams('tls12');
  const chRec = records(s.client)[0]!;
  const chOnly = s.client.slice(0, chRec.bodyOff + chRec.len);
  const ref = run([{ dir: 0, data: chOnly }]).rec;

  const client = (mut: (b: Uint8Array) => void): Run => {
    const b = chOnly.slice();
    mut(b);
    return run([{ dir: 0, data: b }]);
  };

  it('record length over 2^14+2048: tls.record.bad_length, the direction stops', () => {
    const r = client((b) => put16(b, 3, 16384 + 2048 + 1));
    expect(r.host.anomalies).toEqual(['tls.record.bad_length']);
    expect(r.rec.ja3).toBeNull();
    expect(r.rec.partial).toBe(true);
  });

  it('record version and type that are not TLS', () => {
    expect(client((b) => (b[1] = 2)).host.anomalies).toEqual(['tls.record.bad_version']);
    expect(client((b) => (b[0] = 25)).host.anomalies).toEqual(['tls.record.bad_type']);
    expect(client((b) => (b[0] = 0x47)).host.anomalies).toEqual(['tls.record.bad_type']); // "GET ..."
  });

  it('record longer than what follows: the stream ends inside it (truncated, partial)', () => {
    const r = client((b) => put16(b, 3, chRec.len + 50));
    // the ClientHello itself is bounded by its own length and complete
    expect(r.rec.ja3).toBe(ref.ja3);
    expect(r.host.anomalies).toEqual(['tls.handshake.truncated']);
    expect(r.rec.partial).toBe(true);
  });

  it('record shorter than its handshake message: the next "header" is ClientHello bytes', () => {
    const r = client((b) => put16(b, 3, chRec.len - 10));
    expect(r.rec.ja3).toBeNull();
    expect(r.rec.partial).toBe(true);
    expect(r.host.anomalies.length).toBeGreaterThan(0);
  });

  it('handshake length longer than the record (and nothing follows): truncated', () => {
    const r = client((b) => put24(b, 6, get24(b, 6) + 1));
    expect(r.rec.ja3).toBeNull();
    expect(r.host.anomalies).toEqual(['tls.handshake.truncated']);
    expect(r.rec.partial).toBe(true);
  });

  it('handshake length shorter than its body: the body is malformed and a stray byte remains', () => {
    const r = client((b) => put24(b, 6, get24(b, 6) - 1));
    expect(r.rec.ja3).toBeNull();
    expect(r.host.anomalies).toEqual(['tls.client_hello.ext_overflow', 'tls.handshake.truncated']);
  });

  it('handshake message over limits.maxTlsHandshakeBytes: too_large, skipped by length', () => {
    const r = run([{ dir: 0, data: s.client }, { dir: 1, data: s.server }], { limits: { maxTlsHandshakeBytes: 200 } });
    expect(r.host.anomalies).toContain('tls.handshake.too_large');
    expect(r.rec.ja3).toBeNull(); // the 224-byte ClientHello
    expect(r.rec.version).toBe('TLSv12'); // the 76-byte ServerHello
    expect(r.rec.cert_subject).toBeNull(); // the 569-byte Certificate
    expect(r.rec.partial).toBe(true);
    expect(r.rec.established).toBe(true);
  });

  const body = 9; // record header 5 + handshake header 4
  const lay = chLayout(chOnly, body);
  const field = (f: (b: Uint8Array) => void, anomaly: string, expectJa3: boolean) => {
    const r = client(f);
    expect(r.host.anomalies).toEqual([anomaly]);
    expect(r.rec.ja3 !== null).toBe(expectJa3);
  };

  it('session id, cipher list, extension block, one extension: the ClientHello is rejected', () => {
    field((b) => (b[lay.sidLenOff] = 33), 'tls.client_hello.bad_session_id', false);
    field((b) => put16(b, lay.csLenOff, get16(b, lay.csLenOff) - 1), 'tls.client_hello.bad_cipher_list', false);
    field((b) => put16(b, lay.extBlockLenOff, get16(b, lay.extBlockLenOff) + 1), 'tls.client_hello.ext_overflow', false);
    field((b) => put16(b, lay.exts[2]!.lenOff, 0x4000), 'tls.client_hello.ext_overflow', false);
  });

  it('SNI list and ALPN list lying inside their extension: values dropped, fingerprints kept', () => {
    const sni = lay.exts.find((e) => e.type === 0)!;
    const alpn = lay.exts.find((e) => e.type === 16)!;
    let r = client((b) => put16(b, sni.bodyOff, get16(b, sni.bodyOff) + 1));
    expect(r.host.anomalies).toEqual(['tls.client_hello.ext_malformed']);
    expect(r.rec.server_name).toBeNull();
    expect(r.host.facts.tlsSni).toBeNull();
    expect(r.rec.ja3).toBe(ref.ja3);
    expect(r.rec.ja4).toBe(ref.ja4); // 'd': the extension is there
    r = client((b) => put16(b, alpn.bodyOff, get16(b, alpn.bodyOff) + 1));
    expect(r.host.anomalies).toEqual(['tls.client_hello.ext_malformed']);
    expect(r.rec.alpn).toEqual([]);
    expect(r.rec.ja4?.slice(8, 10)).toBe('00');
  });

  const server = (mut: (b: Uint8Array) => void): Run => {
    const b = s.server.slice();
    mut(b);
    return run([{ dir: 0, data: s.client }, { dir: 1, data: b }]);
  };
  const certMsg = messages(s.server).find((m) => m.type === 11)!;

  it('certificate list and entry lengths: tls.certificate.bad_length, no certificate fields', () => {
    for (const [at, delta] of [
      [0, 1],
      [0, -1],
      [3, 1],
      [3, -2],
    ] as const) {
      const r = server((b) => put24(b, certMsg.bodyOff + at, get24(b, certMsg.bodyOff + at) + delta));
      expect(r.host.anomalies, `${at} ${delta}`).toEqual(['tls.certificate.bad_length']);
      expect(r.rec.cert_subject).toBeNull();
      expect(r.rec.cert_sha256).toBeNull();
      expect(r.rec.version).toBe('TLSv12');
      expect(r.rec.established).toBe(true);
    }
  });

  it('certificate DER inner lengths: tls.x509.malformed, chain still counted', () => {
    const derOff = certMsg.bodyOff + 6;
    const derLen = get24(s.server, certMsg.bodyOff + 3);
    const t = derTree(s.server, derOff, derOff + derLen)[0]!;
    const tbs = t.kids[0]!;
    const issuer = tbs.kids[3]!;
    const subject = tbs.kids[5]!;
    for (const node of [tbs, issuer, issuer.kids[0]!, subject.kids[0]!.kids[0]!]) {
      const r = server((b) => {
        // a length one byte past the parent's end (short form: 127 when that is past it)
        if (node.lenBytes === 1) b[node.lenOff] = 0x7f;
        else put16(b, node.lenOff + 1, get16(b, node.lenOff + 1) + 0x100);
      });
      expect(r.host.anomalies).toEqual(['tls.x509.malformed']);
      expect(r.rec.cert_subject).toBeNull();
      expect(r.rec.cert_chain_len).toBe(1);
      expect(r.rec.cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    }
  });
});

describe('gaps', () => {
  const s = streams('tls12');

  it('a gap before the ClientHello: client side not analysed, server side still is', () => {
    const { rec, host } = run([
      { dir: 0, gap: 10 },
      { dir: 0, data: s.client.subarray(10) },
      { dir: 1, data: s.server },
    ]);
    expect(rec.ja3).toBeNull();
    expect(rec.ja4).toBeNull();
    expect(rec.server_name).toBeNull();
    expect(host.facts.tlsSni).toBeNull();
    expect(rec.version).toBe('TLSv12');
    expect(rec.cert_subject).toBe(X['subject']);
    expect(rec.established).toBe(false);
    expect(rec.partial).toBe(true);
  });

  it('a gap inside the Certificate: no certificate fields, partial', () => {
    const cert = messages(s.server).find((m) => m.type === 11)!;
    const cut = cert.bodyOff + 100;
    const { rec } = run([
      { dir: 0, data: s.client },
      { dir: 1, data: s.server.subarray(0, cut) },
      { dir: 1, gap: 50 },
      { dir: 1, data: s.server.subarray(cut + 50) },
    ]);
    expect(rec.version).toBe('TLSv12');
    expect(rec.cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(rec.cert_subject).toBeNull();
    expect(rec.cert_chain_len).toBe(0);
    expect(rec.established).toBe(false);
    expect(rec.partial).toBe(true);
    expect(rec.ja3).not.toBeNull();
  });

  it('TLS 1.3: a gap entirely inside an application_data record is harmless; one across records is not', () => {
    const t = streams('tls13');
    const app = records(t.server).find((r) => r.type === 23 && r.len > 100)!;
    const inside = run([
      { dir: 1, data: t.server.subarray(0, app.bodyOff + 10) },
      { dir: 1, gap: app.len - 20 },
      { dir: 1, data: t.server.subarray(app.bodyOff + app.len - 10) },
      { dir: 0, data: t.client },
    ]).rec;
    expect(inside.partial).toBe(false);
    expect(inside.established).toBe(true);
    const across = run([
      { dir: 1, data: t.server.subarray(0, app.bodyOff + 10) },
      { dir: 1, gap: app.len },
      { dir: 1, data: t.server.subarray(app.bodyOff + app.len + 10) },
      { dir: 0, data: t.client },
    ]).rec;
    expect(across.partial).toBe(true);
  });

  it('a gap after the record was emitted changes nothing', () => {
    const a = run(steps(s.chunks)).rec;
    const b = run([...steps(s.chunks), { dir: 1, gap: 1000 }, { dir: 0, gap: 3 }]).rec;
    expect(view(b)).toEqual(view(a));
  });
});

describe('odd inputs', () => {
  const s = streams('tls12');
  const chRec = records(s.client)[0]!;
  const chOnly = s.client.slice(0, chRec.bodyOff + chRec.len);

  it('an SSLv2-compatible ClientHello is recognised (client_version, no JA3/JA4)', () => {
    const msg = [0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, ...new Array<number>(16).fill(0x11)];
    const rec2 = Uint8Array.from([0x80, msg.length, ...msg]);
    const { rec, host } = run([{ dir: 0, data: rec2 }]);
    expect(host.anomalies).toEqual(['tls.client_hello.sslv2']);
    expect(rec.client_version).toBe('TLSv10');
    expect(rec.ja3).toBeNull();
    expect(rec.ja4).toBeNull();
    expect(rec.partial).toBe(false);
    expect(view(run([{ dir: 0, data: rec2 }], { piece: 1 }).rec)).toEqual(view(rec));
  });

  it('a heartbeat before encryption is flagged; the handshake still parses', () => {
    const hb = Uint8Array.from([24, 3, 3, 0, 3, 1, 0x40, 0x00]);
    const { rec, host } = run([{ dir: 0, data: new Uint8Array([...hb, ...chOnly]) }]);
    expect(host.anomalies).toEqual(['tls.record.heartbeat_cleartext']);
    expect(rec.server_name).toBe('amt10.lab.example');
  });

  it('an alert between two fragments of a ClientHello: tls.handshake.interleaved', () => {
    const msg = chOnly.subarray(5);
    const a = msg.subarray(0, 50);
    const b = msg.subarray(50);
    const data = Uint8Array.from([22, 3, 1, 0, a.length, ...a, 21, 3, 3, 0, 2, 1, 0, 22, 3, 1, b.length >> 8, b.length & 0xff, ...b]);
    const { rec, host } = run([{ dir: 0, data }]);
    expect(host.anomalies[0]).toBe('tls.handshake.interleaved');
    expect(rec.ja3).toBeNull();
    expect(rec.partial).toBe(true);
  });

  it('a ClientHello sent by the server: tls.handshake.wrong_direction', () => {
    const { rec, host } = run([{ dir: 1, data: chOnly }]);
    expect(host.anomalies).toEqual(['tls.handshake.wrong_direction']);
    expect(rec.ja3).toBeNull();
  });

  it('values are cut to limits.maxFieldChars', () => {
    const { rec, host } = run(steps(s.chunks), { limits: { maxFieldChars: 5 } });
    expect(rec.server_name).toBe('amt10');
    expect(host.facts.tlsSni).toBe('amt10');
    expect(rec.alpn).toEqual(['amt']);
    expect(rec.cert_subject).toBe('CN=am');
    expect(rec.cert_serial?.length).toBe(5);
    expect(host.anomalies).toContain('tls.field_truncated');
  });

  it('garbage never throws and always yields exactly one record', () => {
    const rnd = prng(1);
    for (let round = 0; round < 50; round++) {
      const st: Step[] = [];
      for (let i = 0; i < 20; i++) {
        const n = Math.floor(rnd() * 400);
        const d = new Uint8Array(n);
        for (let j = 0; j < n; j++) d[j] = Math.floor(rnd() * 256);
        // mostly plausible record headers, to get past the first check
        if (n > 5 && rnd() < 0.7) d.set([20 + Math.floor(rnd() * 5), 3, Math.floor(rnd() * 4), 0, Math.floor(rnd() * 255)]);
        st.push(rnd() < 0.1 ? { dir: (i & 1) as 0 | 1, gap: n } : { dir: (i & 1) as 0 | 1, data: d });
      }
      run(st);
    }
  });

  it('a handshake header announcing the maximum size buffers only what arrives', () => {
    const max = 4096;
    const data = new Uint8Array(5 + 4 + 1000);
    data.set([22, 3, 3, (4 + 1000) >> 8, (4 + 1000) & 0xff, 1, 0, max >> 8, max & 0xff]);
    const { rec, host } = run([{ dir: 0, data }], { limits: { maxTlsHandshakeBytes: max } });
    expect(host.anomalies).toEqual(['tls.handshake.truncated']);
    expect(rec.ja3).toBeNull();
  });

  it('nothing at all: one empty record', () => {
    const { rec } = run([]);
    expect(rec.version).toBeNull();
    expect(rec.ja3).toBeNull();
    expect(rec.established).toBe(false);
    expect(rec.partial).toBe(false);
    expect(rec.alpn).toEqual([]);
  });
});
