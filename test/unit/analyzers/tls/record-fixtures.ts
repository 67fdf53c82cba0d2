/**
 * Regenerates fixtures/openssl-exchanges.json (not a test; run by hand, needs openssl, tshark and,
 * for a real capture, tcpdump on lo):
 *
 *   npx tsx test/unit/analyzers/tls/record-fixtures.ts
 *
 * Three exchanges through the recording relay with one throwaway EC P-256 certificate: TLS 1.2
 * with SNI and ALPN, TLS 1.3 with SNI and ALPN, TLS 1.2 without either. The oracle values stored
 * beside the bytes come from `openssl x509` and from tshark on the capture of the same exchange.

 */
import { writeFileSync } from 'node:fs';
import { killAll, makeCert, opensslX509, removeDir, runExchanges, tempDir, tsharkFields } from './openssl-harness.js';

const dir = tempDir();
try {
  const cert = makeCert(dir, '/C=US/ST=Oregon/O=Intel AMT stand-in/OU=Lab\\, Unit 7/CN=amt10.lab.example');
  const out = {
    source:
      'Recorded by the relay in openssl-harness.ts (OpenSSL 3.0 s_server -www / s_client, 127.0.0.1), throwaway EC P-256 certificate; oracle values from `openssl x509 -noout -subject -issuer -serial -dates -fingerprint -sha256 -nameopt RFC2253,-esc_msb -dateopt iso_8601` and tshark 4.0 (tls.handshake.ja3 / ja3s) on a tcpdump capture of the same exchange. Regenerate with record-fixtures.ts.',
    cert_der: Buffer.from(cert.der).toString('hex'),
    openssl_x509: opensslX509(cert.cert),
    exchanges: [] as unknown[],
  };
  const runs = [
    { name: 'tls12', version: '1.2', servername: 'amt10.lab.example', alpn: 'amt,http/1.1', serverAlpn: 'http/1.1' },
    { name: 'tls13', version: '1.3', servername: 'amt10.lab.example', alpn: 'amt,http/1.1', serverAlpn: 'http/1.1' },
    { name: 'tls12_nosni', version: '1.2' },
  ] as const;
  for (const r of runs) {
    const sa = 'serverAlpn' in r ? { serverAlpn: r.serverAlpn } : {};
    const client = 'servername' in r ? { servername: r.servername, alpn: r.alpn } : {};
    const [ex] = await runExchanges({ dir, cert, version: r.version, ...sa, clients: [client], capture: true });
    if (!ex) throw new Error('no exchange');
    const ch = tsharkFields(ex.pcapPath, ex.pcapPort, ['tls.handshake.ja3', 'tls.handshake.ja3_full'], 'tls.handshake.type==1');
    const sh = tsharkFields(ex.pcapPath, ex.pcapPort, ['tls.handshake.ja3s', 'tls.handshake.ja3s_full'], 'tls.handshake.type==2');
    out.exchanges.push({
      name: r.name,
      version: r.version,
      servername: 'servername' in r ? r.servername : null,
      alpn: 'alpn' in r ? r.alpn : null,
      captured: ex.captured,
      tshark: { ja3: ch[0]?.[0], ja3_full: ch[0]?.[1], ja3s: sh[0]?.[0], ja3s_full: sh[0]?.[1] },
      chunks: ex.chunks.map((c) => [c.dir, Buffer.from(c.data).toString('hex')]),
    });
  }
  writeFileSync(new URL('./fixtures/openssl-exchanges.json', import.meta.url), JSON.stringify(out, null, 1));
} finally {
  killAll();
  removeDir(dir);
}
