/**
 * The TLS records of the lab captures (openssl s_client and the stand-in AMT firmware over TLS
 * 1.2 and 1.3) against what tshark decodes from the same captures: SNI, negotiated version and
 * cipher, JA3 and JA3S, and the server certificate's serial and SHA-256.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cipherName, versionName } from '../src/analyzers/tls/constants.js';
import { PCAPS } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const LAB = join(PCAPS, 'lab');

interface Hs {
  client: string; // "addr:port" of the client
  sni?: string;
  ja3?: string;
  ja3s?: string;
  cipher?: number;
  version?: number;
  serial?: string;
  certSha256?: string;
}

function tshark(file: string): Map<string, Hs> {
  const r = spawnSync(
    'tshark',
    [
      '-n', '-r', file, '-d', 'tcp.port==16993,tls', '-d', 'tcp.port==16995,tls', '-Y', 'tls.handshake.type==1 || tls.handshake.type==2 || tls.handshake.type==11',
      '-T', 'fields', '-E', 'separator=|',
      '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport',
      '-e', 'tls.handshake.type', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.ja3', '-e', 'tls.handshake.ja3s',
      '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.version', '-e', 'tls.handshake.extensions.supported_version',
      '-e', 'x509af.serialNumber', '-e', 'tls.handshake.certificate',
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const out = new Map<string, Hs>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [s4, s6, sp, d4, d6, dp, types, sni, ja3, ja3s, cipher, ver, sver, serial, cert] = line.split('|');
    const types_ = (types ?? '').split(',').map(Number);
    const fromClient = types_.includes(1);
    const client = fromClient ? `${s4 || s6}:${sp}` : `${d4 || d6}:${dp}`;
    const h = out.get(client) ?? { client };
    if (fromClient) {
      if (sni) h.sni = sni;
      if (ja3) h.ja3 = ja3;
    }
    if (types_.includes(2)) {
      if (ja3s) h.ja3s = ja3s;
      if (cipher) h.cipher = parseInt(cipher.split(',')[0] ?? '', 16);
      h.version = parseInt((sver || ver || '0').split(',')[0] ?? '0', 16);
    }
    if (types_.includes(11)) {
      const first = (v: string | undefined) => (v ?? '').split(',')[0] ?? '';
      if (serial) h.serial = first(serial).replaceAll(':', '').toLowerCase();
      if (cert) h.certSha256 = createHash('sha256').update(Buffer.from(first(cert).replaceAll(':', ''), 'hex')).digest('hex');
    }
    out.set(client, h);
  }
  return out;
}

describe.skipIf(!HAVE_TSHARK)('TLS records = tshark on the same capture', () => {
  for (const f of ['tls12-sni.pcap', 'tls13-redir.pcap', 'amt-lab.pcap']) {
    it(f, async () => {
      const r = await runCapture({ inputs: [join(LAB, f)], config: join(LAB, 'amtwatch.yaml') });
      const tls = r.lines.filter((l) => l.event_type === 'tls');
      expect(tls.length).toBeGreaterThan(0);
      const ts = tshark(join(LAB, f));
      for (const t of tls) {
        const h = ts.get(`${String(t['id.orig_h'])}:${String(t['id.orig_p'])}`);
        expect(h, `tshark saw ${String(t['id.orig_p'])}`).toBeDefined();
        expect(t.server_name ?? undefined).toBe(h?.sni);
        expect(t.ja3 ?? undefined).toBe(h?.ja3);
        expect(t.ja3s ?? undefined).toBe(h?.ja3s);
        expect(t.cipher).toBe(cipherName(h?.cipher as number));
        expect(t.version).toBe(versionName(h?.version as number));
        if (h?.certSha256 !== undefined) {
          expect(t.cert_sha256).toBe(h.certSha256);
          expect(t.cert_serial).toBe(h.serial);
        } else expect(t.cert_sha256).toBeNull(); // TLS 1.3: the certificate is encrypted
      }
    });
  }
});
