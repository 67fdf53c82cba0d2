/** Generated captures for the prefilter tests (test/unit/io/prefilter.test.ts, test/cli/launch.test.ts). */
import { ACK, ETH_IPV4, PSH, SYN, TcpConversation, ethernet, ipv4, tcpFrame } from '../../pcaps/gen/lib/packets.js';
import type { CaptureRecord } from '../../pcaps/gen/lib/pcap-writer.js';

const T0 = 1_700_000_000_000_000_000n; // ns

/**
 * A SPAN-like mix: `n` ordinary web frames (dropped by the fast path), every `every`-th slot an
 * AMT frame of one of several sessions (complete HTTP exchanges, SYN-only probes that time out),
 * frames the fast path must not drop (UDP, VLAN, IP options, fragments, short frames), and time
 * advancing by `stepUs` per frame so that sweeps and idle timeouts fall inside runs of dropped frames.
 */
export function mix(n: number, every: number, stepUs: number): CaptureRecord[] {
  const recs: CaptureRecord[] = [];
  let ts = T0;
  const amtQueue: Uint8Array[] = [];
  let sessions = 0;
  const refill = (): void => {
    const k = sessions++;
    const client = `10.1.${(k >> 8) & 255}.${k & 255}`;
    if (k % 3 === 2) {
      // a probe that never gets an answer: S0, ended by the idle timeout
      amtQueue.push(new TcpConversation(client, '192.0.2.10', 40000 + (k % 20000), 16992).c(SYN));
      return;
    }
    const c = new TcpConversation(client, '192.0.2.10', 40000 + (k % 20000), k % 2 === 0 ? 16992 : 16994);
    amtQueue.push(...c.handshake());
    if (k % 2 === 0) {
      amtQueue.push(c.c(PSH | ACK, 'GET /index.htm HTTP/1.1\r\nHost: 192.0.2.10:16992\r\n\r\n'));
      amtQueue.push(c.s(PSH | ACK, 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="Digest:A3829B3827DE4D33D4449B366831FD01", nonce="abc", qop="auth"\r\nContent-Length: 0\r\nServer: Intel(R) Active Management Technology 11.8.50.3425\r\n\r\n'));
    } else {
      amtQueue.push(c.c(PSH | ACK, Uint8Array.of(0x10, 0, 0, 0, 0x53, 0x4f, 0x4c, 0x20)));
    }
    amtQueue.push(...c.close());
  };
  const web = (i: number): Uint8Array =>
    tcpFrame({ src: `172.16.${(i >> 8) & 255}.${i & 255}`, dst: '198.51.100.7', sport: 30000 + (i % 30000), dport: 443, flags: ACK, seq: i, ack: 1 });
  const odd = (i: number): Uint8Array => {
    switch (i % 5) {
      case 0: // UDP (not TCP)
        return ethernet({ type: ETH_IPV4, payload: ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 17, payload: new Uint8Array(20) }) });
      case 1: // VLAN-tagged ordinary frame
        return tcpFrame({ src: '172.16.0.3', dst: '198.51.100.7', sport: 33333, dport: 80, flags: ACK, vlans: [{ vid: 7 }] });
      case 2: // a short frame (an anomaly, never dropped unseen)
        return web(i).subarray(0, 40);
      case 3: // IPv6
        return tcpFrame({ src: '2001:db8::1', dst: '2001:db8::2', sport: 5555, dport: 443, flags: ACK });
      default: {
        // IPv4 fragment of a TCP segment
        const f = Uint8Array.from(web(i));
        f[20] = 0x20; // MF
        return f;
      }
    }
  };
  for (let i = 0; i < n; i++) {
    let data: Uint8Array;
    if (i % every === 0) {
      if (amtQueue.length === 0) refill();
      data = amtQueue.shift() as Uint8Array;
    } else if (i % 997 === 0) data = odd(i / 997);
    else data = web(i);
    recs.push({ tsNs: ts, data });
    ts += BigInt(stepUs) * 1000n;
  }
  return recs;
}
