/**
 * Differential test against tshark (an independent TCP dissector): for every fixture, the AMT
 * sessions amtwatch reports are exactly the TCP conversations tshark sees whose server port is an
 * AMT port — same 4-tuples, same packets in each direction (tshark -q -z conv,tcp) and, where no
 * byte was lost or retransmitted, the same payload bytes in each direction (sum of tcp.len).
 * The server side is judged from tshark's own fields: the receiver of the first SYN, the sender of
 * a first SYN-ACK, or else the AMT-port side unless the other port is a well-known one.
 * Fixtures read with --extended-ports (test/helpers/fixtures.ts EXTENDED_PORT_FIXTURES) are compared
 * the same way with the extended server ports: TCP 623 and 664 are AMT ports, and a TCP 5900
 * conversation is an AMT session exactly when tshark's VNC dissector reads the desktop name
 * `Intel(r) AMT KVM` in it (vnc.desktop_name), the rule amtwatch applies.
 */
import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFiles, readsWithExtendedPorts } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const PCAPS = resolve(__dirname, '../pcaps');
const HAVE_TSHARK = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/** Fixtures tshark and amtwatch read differently by design (with the reason). */
const EXCLUDED: Record<string, string> = {
  'synthetic/ipv4-options-fragments.pcap': 'tshark reassembles IP fragments; amtwatch counts them as an anomaly',
  'synthetic/ipv6-ext-headers.pcap': 'contains an IPv6 fragment (tshark reassembles)',
  'synthetic/lying-lengths.pcap': 'frames with lying length fields, which tshark decodes best-effort',
};

const isAmt = (p: number) => p >= 16992 && p <= 16995;
/** With --extended-ports: the server ports of the role rule (5900's sessions are then judged by name). */
const isAmtExt = (p: number) => isAmt(p) || p === 623 || p === 664 || p === 5900;

interface Dir {
  pkts: number;
  bytes: number;
}
interface Conv {
  key: string; // "client:port>server:port"
  c2s: Dir;
  s2c: Dir;
}

function tsharkLines(file: string, args: string[]): string[] {
  // tshark exits non-zero on a damaged file after printing what it could read: keep that part
  const r = spawnSync('tshark', ['-n', '-r', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Per TCP stream: both endpoints, who sent the first SYN / SYN-ACK, packets and payload per direction. */
function tsharkSessions(file: string, extended = false): Map<string, Conv> {
  const rows = tsharkLines(file, [
    '-T', 'fields', '-E', 'separator=|',
    '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport',
    '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tcp.len', '-e', 'tcp.flags',
    ...(extended ? ['-e', 'vnc.desktop_name'] : []),
    '-Y', 'tcp',
  ]);
  const serverPort = extended ? isAmtExt : isAmt;
  /** Streams in which tshark read the AMT KVM server's desktop name. */
  const amtKvm = new Set<string>();
  interface S {
    first: [string, string] | null; // [client endpoint, server endpoint]
    pk: Map<string, Dir>; // by sender endpoint
  }
  const streams = new Map<string, S>();
  for (const r of rows) {
    const [stream, s4, s6, sp, d4, d6, dp, len, flags, desktop] = r.split('|');
    if (stream === undefined || stream === '') continue;
    if (desktop === 'Intel(r) AMT KVM') amtKvm.add(stream);
    const src = `${(s4 || s6 || '').split(',')[0]}:${sp}`;
    const dst = `${(d4 || d6 || '').split(',')[0]}:${dp}`;
    let st = streams.get(stream);
    if (!st) {
      st = { first: null, pk: new Map() };
      streams.set(stream, st);
    }
    const f = parseInt(flags ?? '0', 16);
    const syn = (f & 0x02) !== 0;
    const ack = (f & 0x10) !== 0;
    if (st.first === null) {
      if (syn && !ack) st.first = [src, dst];
      else if (syn && ack) st.first = [dst, src];
    }
    const d = st.pk.get(src) ?? { pkts: 0, bytes: 0 };
    d.pkts++;
    d.bytes += Number(len ?? 0);
    st.pk.set(src, d);
    if (!st.pk.has(dst)) st.pk.set(dst, { pkts: 0, bytes: 0 });
  }
  const out = new Map<string, Conv>();
  for (const [id, st] of streams) {
    const eps = [...st.pk.keys()];
    if (eps.length !== 2) continue;
    let client: string;
    let server: string;
    if (st.first) [client, server] = st.first;
    else {
      const [a, b] = eps as [string, string];
      const pa = Number(a.slice(a.lastIndexOf(':') + 1));
      const pb = Number(b.slice(b.lastIndexOf(':') + 1));
      if (serverPort(pb) && !serverPort(pa)) [client, server] = pa < 1024 ? [b, a] : [a, b];
      else if (serverPort(pa) && !serverPort(pb)) [client, server] = pb < 1024 ? [a, b] : [b, a];
      else [client, server] = [a, b];
    }
    const sport = Number(server.slice(server.lastIndexOf(':') + 1));
    if (!serverPort(sport)) continue;
    if (sport === 5900 && !amtKvm.has(id)) continue; // ordinary VNC: not an AMT session
    const key = `${client}>${server}`;
    const prev = out.get(key);
    const c2s = st.pk.get(client) as Dir;
    const s2c = st.pk.get(server) as Dir;
    if (prev) {
      prev.c2s.pkts += c2s.pkts;
      prev.c2s.bytes += c2s.bytes;
      prev.s2c.pkts += s2c.pkts;
      prev.s2c.bytes += s2c.bytes;
    } else out.set(key, { key, c2s: { ...c2s }, s2c: { ...s2c } });
  }
  return out;
}

/**
 * Frames sent by each endpoint per endpoint pair from `-z conv,tcp`, summed over the pair's
 * conversations (tshark lists a reused 4-tuple once per TCP stream, in either column order).
 */
function tsharkConv(file: string): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  for (const l of tsharkLines(file, ['-q', '-z', 'conv,tcp'])) {
    const x = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+[\d,]+\s+\S+\s+(\d+)\s+[\d,]+\s+\S+/.exec(l);
    if (!x) continue;
    const a = x[1] as string;
    const b = x[2] as string;
    const k = [a, b].sort().join('|');
    const per = m.get(k) ?? new Map<string, number>();
    per.set(b, (per.get(b) ?? 0) + Number(x[3])); // "<-": frames from the right-hand endpoint
    per.set(a, (per.get(a) ?? 0) + Number(x[4])); // "->": frames from the left-hand endpoint
    m.set(k, per);
  }
  return m;
}

const ep = (h: unknown, p: unknown) => `${String(h)}:${String(p)}`;

describe.skipIf(!HAVE_TSHARK)('differential: amtwatch vs tshark', () => {
  const files = fixtureFiles().filter((f) => !(relative(PCAPS, f) in EXCLUDED));
  for (const f of files) {
    const rel = relative(PCAPS, f);
    it(rel, async () => {
      const extended = readsWithExtendedPorts(f);
      const r = await runCapture({ inputs: [f], ...(extended ? { extendedPorts: true } : {}) });
      if (r.summary.unreadableInputs > 0) return; // nothing to compare (broken input; covered elsewhere)
      const ours = new Map<string, Conv & { exact: boolean }>();
      for (const l of r.lines) {
        if (l.event_type !== 'conn') continue;
        const key = `${ep(l['id.orig_h'], l['id.orig_p'])}>${ep(l['id.resp_h'], l['id.resp_p'])}`;
        const hist = String(l.history);
        const exact = Number(l.missed_bytes) === 0 && !/[tT]/.test(hist);
        const prev = ours.get(key);
        const c2s = { pkts: Number(l.orig_pkts), bytes: Number(l.orig_bytes) };
        const s2c = { pkts: Number(l.resp_pkts), bytes: Number(l.resp_bytes) };
        if (prev) {
          prev.c2s.pkts += c2s.pkts;
          prev.c2s.bytes += c2s.bytes;
          prev.s2c.pkts += s2c.pkts;
          prev.s2c.bytes += s2c.bytes;
          prev.exact &&= exact;
        } else ours.set(key, { key, c2s, s2c, exact });
      }
      const theirs = tsharkSessions(f, extended);
      expect([...ours.keys()].sort(), 'AMT session 4-tuples').toEqual([...theirs.keys()].sort());
      const conv = tsharkConv(f);
      for (const [k, o] of ours) {
        const t = theirs.get(k) as Conv;
        expect({ k, c2s: o.c2s.pkts, s2c: o.s2c.pkts }, 'packets per direction').toEqual({ k, c2s: t.c2s.pkts, s2c: t.s2c.pkts });
        if (o.exact) expect({ k, c2s: o.c2s.bytes, s2c: o.s2c.bytes }, 'payload bytes per direction').toEqual({ k, c2s: t.c2s.bytes, s2c: t.s2c.bytes });
        // and the same counts from tshark's conversation table
        const [c, s] = k.split('>') as [string, string];
        const cv = conv.get([c, s].sort().join('|'));
        expect(cv, `conv,tcp has ${k}`).toBeDefined();
        expect({ k, c2s: cv?.get(c), s2c: cv?.get(s) }, 'conv,tcp frames').toEqual({ k, c2s: o.c2s.pkts, s2c: o.s2c.pkts });
      }
    });
  }
});
