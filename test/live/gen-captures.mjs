// Deterministic generators of the big captures the live tests and the live benchmark replay.
// They are written to /tmp (never committed): classic pcap, Ethernet, microsecond timestamps, with
// correct IP and TCP checksums, every frame addressed to a MAC nobody owns (02:00:00:00:bb:02) so the
// receiving namespace's stack ignores them. Addresses are documentation prefixes only
// (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).
//
//   node test/live/gen-captures.mjs synflood N FILE     N SYNs to [2001:db8:a::10]:16992 from N distinct
//                                                       IPv6 sources (2001:db8:5000::/48)
//   node test/live/gen-captures.mjs mixed FILE          1,000,000 frames, 2,000 of them AMT (0.2 %):
//                                                       250 eight-frame AMT sessions spread through
//                                                       HTTPS/HTTP background
//   node test/live/gen-captures.mjs amtonly FILE        300,000 frames, all AMT: 15,000 eight-frame
//                                                       sessions interleaved with 180,000 flood SYNs
//   node test/live/gen-captures.mjs vlan FILE           AMT sessions with and without an 802.1Q tag
//                                                       (VID 100) and tagged non-AMT decoys
import { closeSync, openSync, writeSync } from 'node:fs';

const DST_MAC = [0x02, 0, 0, 0, 0xbb, 0x02];
const SRC_MAC = [0x02, 0, 0, 0, 0xaa, 0x01];

/** mulberry32: a small deterministic PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sum16(buf, off, len, init = 0) {
  let s = init;
  let i = 0;
  for (; i + 1 < len; i += 2) s += (buf[off + i] << 8) | buf[off + i + 1];
  if (i < len) s += buf[off + i] << 8;
  return s;
}
function fold(s) {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * Writes one Ethernet frame into `out` at `off`; returns its length.
 * p: { v6, src (bytes), dst (bytes), sport, dport, seq, ack, flags, payload (Uint8Array|null), vlan (VID|undefined), padTo }
 */
export function writeFrame(out, off, p) {
  let o = off;
  out.set(DST_MAC, o);
  out.set(SRC_MAC, o + 6);
  o += 12;
  if (p.vlan !== undefined) {
    out[o] = 0x81;
    out[o + 1] = 0x00;
    out[o + 2] = (p.vlan >> 8) & 0x0f;
    out[o + 3] = p.vlan & 0xff;
    o += 4;
  }
  const payload = p.payload ?? EMPTY;
  const tcpLen = 20 + payload.length;
  out[o] = p.v6 ? 0x86 : 0x08;
  out[o + 1] = p.v6 ? 0xdd : 0x00;
  o += 2;
  const ip = o;
  let pseudo;
  if (p.v6) {
    out[o] = 0x60;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    out[o + 4] = tcpLen >> 8;
    out[o + 5] = tcpLen & 0xff;
    out[o + 6] = 6;
    out[o + 7] = 64;
    out.set(p.src, o + 8);
    out.set(p.dst, o + 24);
    o += 40;
    pseudo = sum16(out, ip + 8, 32, tcpLen + 6);
  } else {
    const total = 20 + tcpLen;
    out[o] = 0x45;
    out[o + 1] = 0;
    out[o + 2] = total >> 8;
    out[o + 3] = total & 0xff;
    out[o + 4] = 0;
    out[o + 5] = 0;
    out[o + 6] = 0x40;
    out[o + 7] = 0;
    out[o + 8] = 64;
    out[o + 9] = 6;
    out[o + 10] = 0;
    out[o + 11] = 0;
    out.set(p.src, o + 12);
    out.set(p.dst, o + 16);
    const c = fold(sum16(out, ip, 20));
    out[o + 10] = c >> 8;
    out[o + 11] = c & 0xff;
    o += 20;
    pseudo = sum16(out, ip + 12, 8, tcpLen + 6);
  }
  const t = o;
  out[t] = p.sport >> 8;
  out[t + 1] = p.sport & 0xff;
  out[t + 2] = p.dport >> 8;
  out[t + 3] = p.dport & 0xff;
  const w32 = (v, at) => {
    out[at] = (v >>> 24) & 0xff;
    out[at + 1] = (v >>> 16) & 0xff;
    out[at + 2] = (v >>> 8) & 0xff;
    out[at + 3] = v & 0xff;
  };
  w32(p.seq >>> 0, t + 4);
  w32(p.ack >>> 0, t + 8);
  out[t + 12] = 0x50;
  out[t + 13] = p.flags;
  out[t + 14] = 0xfa;
  out[t + 15] = 0xf0;
  out[t + 16] = 0;
  out[t + 17] = 0;
  out[t + 18] = 0;
  out[t + 19] = 0;
  out.set(payload, t + 20);
  o = t + 20 + payload.length;
  const c = fold(sum16(out, t, tcpLen, pseudo));
  out[t + 16] = c >> 8;
  out[t + 17] = c & 0xff;
  const min = p.padTo ?? 60;
  while (o - off < min) out[o++] = 0;
  return o - off;
}
const EMPTY = new Uint8Array(0);

/** Streams pcap records to a file through a 4 MiB buffer. */
export class PcapFile {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.alloc(4 * 1024 * 1024);
    this.pos = 0;
    this.frames = 0;
    this.scratch = Buffer.alloc(2048);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20);
    writeSync(this.fd, h);
  }
  /** Adds a frame built by writeFrame at time `tsUs` (microseconds). */
  add(tsUs, p) {
    const n = writeFrame(this.scratch, 0, p);
    if (this.pos + 16 + n > this.buf.length) this.flush();
    const b = this.buf;
    b.writeUInt32LE(Math.floor(tsUs / 1e6), this.pos);
    b.writeUInt32LE(tsUs % 1e6, this.pos + 4);
    b.writeUInt32LE(n, this.pos + 8);
    b.writeUInt32LE(n, this.pos + 12);
    this.scratch.copy(b, this.pos + 16, 0, n);
    this.pos += 16 + n;
    this.frames++;
  }
  flush() {
    if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
    return this.frames;
  }
}

const T0 = 1_780_000_000_000_000; // 2026-05-28, microseconds
const ACK = 0x10;
const SYN = 0x02;
const FIN = 0x01;
const PSH = 0x08;
const REQ = new TextEncoder().encode('GET /index.htm HTTP/1.1\r\nHost: 192.0.2.10:16992\r\n\r\n');
const RESP = new TextEncoder().encode(
  'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="Digest:A4070000000000000000000000000000", nonce="abcd", qop="auth"\r\nServer: Intel(R) Active Management Technology 11.8.50.3425\r\nContent-Length: 0\r\n\r\n',
);

const v4 = (a, b, c, d) => Uint8Array.of(a, b, c, d);
function v6(groups) {
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = (g >> 8) & 0xff;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The 8 frames of a short AMT session (SYN .. last ACK), as writeFrame parameters. */
export function amtSession(c, s, cport, sport, isn, vlan) {
  const v6 = c.length === 16;
  const base = { v6, vlan };
  const ci = isn >>> 0;
  const si = (isn * 7 + 12345) >>> 0;
  const q = REQ.length;
  const r = RESP.length;
  return [
    { ...base, src: c, dst: s, sport: cport, dport: sport, seq: ci, ack: 0, flags: SYN },
    { ...base, src: s, dst: c, sport, dport: cport, seq: si, ack: ci + 1, flags: SYN | ACK },
    { ...base, src: c, dst: s, sport: cport, dport: sport, seq: ci + 1, ack: si + 1, flags: ACK },
    { ...base, src: c, dst: s, sport: cport, dport: sport, seq: ci + 1, ack: si + 1, flags: PSH | ACK, payload: REQ },
    { ...base, src: s, dst: c, sport, dport: cport, seq: si + 1, ack: ci + 1 + q, flags: PSH | ACK, payload: RESP },
    { ...base, src: c, dst: s, sport: cport, dport: sport, seq: ci + 1 + q, ack: si + 1 + r, flags: FIN | ACK },
    { ...base, src: s, dst: c, sport, dport: cport, seq: si + 1 + r, ack: ci + 2 + q, flags: FIN | ACK },
    { ...base, src: c, dst: s, sport: cport, dport: sport, seq: ci + 2 + q, ack: si + 2 + r, flags: ACK },
  ];
}

/** n SYNs from n distinct IPv6 sources to [2001:db8:a::10]:16992, 1 µs apart. Returns frames written. */
export function writeSynFlood(path, n, seed = 1) {
  const f = new PcapFile(path);
  const rnd = prng(seed);
  const dst = v6([0x2001, 0xdb8, 0xa, 0, 0, 0, 0, 0x10]);
  for (let i = 0; i < n; i++) {
    const src = v6([0x2001, 0xdb8, 0x5000, (i >>> 16) & 0xffff, i & 0xffff, 0, 0, 1]);
    f.add(T0 + i, { v6: true, src, dst, sport: 1024 + Math.floor(rnd() * 60000), dport: 16992, seq: Math.floor(rnd() * 2 ** 32), ack: 0, flags: SYN });
  }
  return f.close();
}

/** Mixed: 1,000,000 frames, 250 AMT sessions (2,000 frames) spread evenly through background traffic. */
export function writeMixed(path, total = 1_000_000, sessions = 250, seed = 2) {
  const f = new PcapFile(path);
  const rnd = prng(seed);
  const amtFrames = sessions * 8;
  const every = Math.floor(total / amtFrames);
  const server = v4(192, 0, 2, 10);
  const web = v4(192, 0, 2, 80);
  let s = 0;
  let pending = [];
  let ts = T0;
  let amtWritten = 0;
  for (let i = 0; i < total; i++) {
    ts += 1;
    if (i % every === every - 1 && amtWritten < amtFrames) {
      if (pending.length === 0) {
        const client = v4(198, 51, 100, 1 + (s % 250));
        pending = amtSession(client, server, 40000 + s, 16992 + (s % 4), 1000 + s * 977);
        s++;
      }
      f.add(ts, pending.shift());
      amtWritten++;
      continue;
    }
    const r = rnd();
    const client = v4(198, 51, 100, 1 + Math.floor(rnd() * 250));
    const cport = 30000 + Math.floor(rnd() * 20000);
    const dport = rnd() < 0.5 ? 443 : 80;
    const len = r < 0.5 ? 0 : r < 0.9 ? 1360 : 146 + Math.floor(rnd() * 550);
    const toServer = rnd() < 0.5;
    f.add(ts, {
      v6: false,
      src: toServer ? client : web,
      dst: toServer ? web : client,
      sport: toServer ? cport : dport,
      dport: toServer ? dport : cport,
      seq: Math.floor(rnd() * 2 ** 32),
      ack: Math.floor(rnd() * 2 ** 32),
      flags: len === 0 ? ACK : PSH | ACK,
      payload: len === 0 ? null : PAYLOAD.subarray(0, len),
    });
  }
  return { frames: f.close(), amtFrames: amtWritten, amtSessions: s };
}
const PAYLOAD = new Uint8Array(1500).map((_, i) => (i * 31) & 0xff);

/** AMT only: 15,000 sessions (120,000 frames) interleaved with 180,000 flood SYNs = 300,000 frames. */
export function writeAmtOnly(path, sessions = 15_000, flood = 180_000, seed = 3) {
  const f = new PcapFile(path);
  const rnd = prng(seed);
  const server = v4(192, 0, 2, 10);
  const floodDst = v4(192, 0, 2, 11);
  let ts = T0;
  // sessions in groups of 10 interleaved frame by frame, flood SYNs between them
  const total = sessions * 8 + flood;
  const floodEvery = total / flood;
  let nextFlood = floodEvery / 2;
  let floodDone = 0;
  let sessDone = 0;
  const active = [];
  const floodSeen = new Set();
  let out = 0;
  while (out < total) {
    ts += 1;
    if (floodDone < flood && (out >= nextFlood || (sessDone >= sessions && active.length === 0))) {
      // distinct (source, port) pairs: every flood SYN is a new session
      let a;
      let sp;
      do {
        a = Math.floor(rnd() * 256);
        sp = 1024 + Math.floor(rnd() * 64000);
      } while (floodSeen.has(a * 65536 + sp));
      floodSeen.add(a * 65536 + sp);
      const src = v4(198, 51, 100, a);
      f.add(ts, { v6: false, src, dst: floodDst, sport: sp, dport: 16992, seq: Math.floor(rnd() * 2 ** 32), ack: 0, flags: SYN });
      floodDone++;
      nextFlood += floodEvery;
      out++;
      continue;
    }
    while (active.length < 10 && sessDone < sessions) {
      const k = sessDone++;
      const client = v4(198, 51, 100, 1 + (k % 250));
      active.push(amtSession(client, server, 10000 + Math.floor(k / 250), 16992 + (k % 4), 5000 + k * 7919));
    }
    if (active.length === 0) continue;
    const i = Math.floor(rnd() * active.length);
    const sess = active[i];
    f.add(ts, sess.shift());
    if (sess.length === 0) active.splice(i, 1);
    out++;
  }
  return { frames: f.close(), amtFrames: total, sessions, flood };
}

/**
 * VLAN: 4 AMT sessions tagged with VID 100, 2 untagged, and 6 tagged sessions on port 443 that the
 * filter must not pass. Frames 1 ms apart.
 */
export function writeVlan(path) {
  const f = new PcapFile(path);
  let ts = T0;
  const server = v4(192, 0, 2, 10);
  const add = (frames) => {
    for (const p of frames) f.add((ts += 1000), p);
  };
  for (let k = 0; k < 4; k++) add(amtSession(v4(198, 51, 100, 20 + k), server, 41000 + k, 16992 + k, 7000 + k * 1000, 100));
  for (let k = 0; k < 2; k++) add(amtSession(v4(198, 51, 100, 30 + k), server, 42000 + k, 16992, 9000 + k * 1000));
  for (let k = 0; k < 6; k++) add(amtSession(v4(198, 51, 100, 40 + k), v4(192, 0, 2, 80), 43000 + k, 443, 11000 + k * 1000, 100));
  return { frames: f.close(), amtFrames: 48, amtSessions: 6, taggedAmtSessions: 4 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [what, a, b] = process.argv.slice(2);
  const t = Date.now();
  let r;
  if (what === 'synflood') r = writeSynFlood(b, Number(a));
  else if (what === 'mixed') r = writeMixed(a);
  else if (what === 'amtonly') r = writeAmtOnly(a);
  else if (what === 'vlan') r = writeVlan(a);
  else {
    process.stderr.write('usage: node test/live/gen-captures.mjs synflood N FILE | mixed FILE | amtonly FILE | vlan FILE\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(r)} in ${Date.now() - t} ms\n`);
}
