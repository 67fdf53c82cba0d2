#!/usr/bin/env node
/**
 * `npm run bench`: amtwatch's full offline analysis against tcpdump's BPF filter alone, on the same
 * file, median of 5 runs each (never a timed test; figures go into the README).
 *
 * 1. Builds (once, deterministically, outside the repo: $AMTWATCH_BENCH_DIR or /tmp/amtwatch-bench-offline)
 *    a ~1 GB capture of ordinary TCP traffic with ~0.2% AMT packets (complete 8-packet AMT HTTP
 *    sessions on 16992-16995), as classic pcap and as pcapng, plus a 50 MB slice for tshark.
 * 2. Times, in one run: `tcpdump -r F -w /dev/null 'tcp portrange 16992-16995'`,
 *    `amtwatch read -f ndjson -w /dev/null F` (decode, sessions, analyzers, policy, report),
 *    pcap-parser counting the same file's packets, and tshark with a display filter on the slice
 *    (scaled per byte).
 * 3. Prints the ratios and amtwatch's peak RSS (GNU time %M), and writes bench.json.
 *
 * Usage: npm run build && npm run bench [-- --runs 5 --size-mb 1024]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 5);
const SIZE_MB = opt('size-mb', 1024);
const DIR = process.env.AMTWATCH_BENCH_DIR ?? '/tmp/amtwatch-bench-offline';
const BIN = join(ROOT, 'dist/amtwatch.mjs');

// ------------------------------------------------------------------ deterministic capture

/** xorshift32: the same bytes on every machine. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function frame(len, src, dst, sport, dport, flags, seq, ack, payload) {
  // frames shorter than 60 bytes are padded like a NIC does; the IP length excludes the padding
  const b = Buffer.alloc(Math.max(len, 60));
  b.writeUInt32BE(0x02000000, 0); // dst MAC 02:00:00:00:bb:02
  b.writeUInt16BE(0xbb02, 4);
  b.writeUInt32BE(0x02000000, 6);
  b.writeUInt16BE(0xaa01, 10);
  b.writeUInt16BE(0x0800, 12);
  const ipLen = 40 + (payload ? Math.min(payload.length, len - 54) : 0);
  b[14] = 0x45;
  b.writeUInt16BE(ipLen, 16);
  b.writeUInt16BE(0x4000, 20);
  b[22] = 64;
  b[23] = 6;
  b.writeUInt32BE(src >>> 0, 26);
  b.writeUInt32BE(dst >>> 0, 30);
  b.writeUInt16BE(sport, 34);
  b.writeUInt16BE(dport, 36);
  b.writeUInt32BE(seq >>> 0, 38);
  b.writeUInt32BE(ack >>> 0, 42);
  b[46] = 0x50;
  b[47] = flags;
  b.writeUInt16BE(64240, 48);
  if (payload) payload.copy(b, 54, 0, Math.min(payload.length, len - 54));
  return b;
}

const GET = Buffer.from('GET /index.htm HTTP/1.1\r\nHost: 10.9.0.10:16992\r\nUser-Agent: bench\r\n\r\n');
const RESP = Buffer.from(
  'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="Digest:A4070000000000000000000000000000", nonce="wlbEK1EtAAAAAAAAWW5aUHFp+mQQ1j63",stale="false",qop="auth"\r\nContent-Type: text/html\r\nServer: Intel(R) Active Management Technology 11.8.50.3425\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
);

/** One AMT session: 8 frames. */
function amtSession(n) {
  const c = (0x0a090000 | (n % 60000)) >>> 0; // 10.9.x.y
  const s = 0x0a0a000a;
  const cp = 20000 + (n % 40000);
  const sp = 16992 + (n % 4);
  const ci = 1000;
  const si = 9000;
  return [
    frame(60, c, s, cp, sp, 0x02, ci, 0),
    frame(60, s, c, sp, cp, 0x12, si, ci + 1),
    frame(60, c, s, cp, sp, 0x10, ci + 1, si + 1),
    frame(54 + GET.length, c, s, cp, sp, 0x18, ci + 1, si + 1, GET),
    frame(54 + RESP.length, s, c, sp, cp, 0x18, si + 1, ci + 1 + GET.length, RESP),
    frame(60, c, s, cp, sp, 0x11, ci + 1 + GET.length, si + 1 + RESP.length),
    frame(60, s, c, sp, cp, 0x11, si + 1 + RESP.length, ci + 2 + GET.length),
    frame(60, c, s, cp, sp, 0x10, ci + 2 + GET.length, si + 2 + RESP.length),
  ];
}

function buildCaptures(pcapPath, ngPath, slicePath, targetBytes) {
  const r = rng(0x5eed);
  const ack = frame(60, 0, 0, 0, 0, 0x10, 0, 0);
  const big = frame(1414, 0, 0, 0, 0, 0x18, 0, 0, Buffer.alloc(1360, 0x61));
  const mids = [200, 350, 500, 750].map((l) => frame(l, 0, 0, 0, 0, 0x18, 0, 0, Buffer.alloc(l - 54, 0x62)));
  const fds = { pcap: openSync(pcapPath, 'w'), ng: openSync(ngPath, 'w'), slice: openSync(slicePath, 'w') };
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(262144, 16);
  gh.writeUInt32LE(1, 20);
  writeSync(fds.pcap, gh);
  writeSync(fds.slice, gh);
  // pcapng: SHB + IDB (Ethernet, default microsecond resolution)
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(262144, 12);
  idb.writeUInt32LE(20, 16);
  writeSync(fds.ng, Buffer.concat([shb, idb]));

  const chunkP = [];
  const chunkN = [];
  let chunkBytes = 0;
  let written = 0;
  let sliceWritten = 0;
  let frames = 0;
  let amtFrames = 0;
  let sessions = 0;
  let tsUs = 1_768_471_200_000_000;
  const flush = () => {
    const p = Buffer.concat(chunkP);
    writeSync(fds.pcap, p);
    if (sliceWritten < 50 * 1024 * 1024) {
      writeSync(fds.slice, p);
      sliceWritten += p.length;
    }
    writeSync(fds.ng, Buffer.concat(chunkN));
    chunkP.length = 0;
    chunkN.length = 0;
    chunkBytes = 0;
  };
  const emit = (f) => {
    tsUs += 1 + (r() % 40);
    const sec = Math.floor(tsUs / 1e6);
    const usec = tsUs % 1e6;
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(sec, 0);
    rh.writeUInt32LE(usec, 4);
    rh.writeUInt32LE(f.length, 8);
    rh.writeUInt32LE(f.length, 12);
    chunkP.push(rh, f);
    const pad = (4 - (f.length % 4)) % 4;
    const total = 32 + f.length + pad;
    const eh = Buffer.alloc(28);
    eh.writeUInt32LE(6, 0);
    eh.writeUInt32LE(total, 4);
    eh.writeUInt32LE(0, 8);
    const units = BigInt(tsUs);
    eh.writeUInt32LE(Number(units >> 32n), 12);
    eh.writeUInt32LE(Number(units & 0xffffffffn), 16);
    eh.writeUInt32LE(f.length, 20);
    eh.writeUInt32LE(f.length, 24);
    const tl = Buffer.alloc(4 + pad);
    tl.writeUInt32LE(total, pad);
    chunkN.push(eh, f, tl);
    chunkBytes += 16 + f.length;
    written += 16 + f.length;
    frames++;
    if (chunkBytes > 8 << 20) flush();
  };
  let pendingAmt = [];
  while (written < targetBytes) {
    if (pendingAmt.length === 0 && r() % 4000 < 1) pendingAmt = amtSession(sessions++);
    // interleave: an AMT frame now and then (0.2% overall)
    if (pendingAmt.length > 0 && r() % 64 === 0) {
      emit(pendingAmt.shift());
      amtFrames++;
      continue;
    }
    const k = r() % 10;
    const tmpl = k < 5 ? ack : k < 9 ? big : mids[r() % 4];
    // patch addresses and ports in place: ordinary web traffic on 443/80 between many hosts
    tmpl.writeUInt32BE((0xc0a80000 | (r() & 0xffff)) >>> 0, 26);
    tmpl.writeUInt32BE((0x0a000000 | (r() & 0xffffff)) >>> 0, 30);
    tmpl.writeUInt16BE(1024 + (r() % 60000), 34);
    tmpl.writeUInt16BE(r() % 2 ? 443 : 80, 36);
    tmpl.writeUInt32BE(r(), 38);
    emit(Buffer.from(tmpl));
  }
  while (pendingAmt.length > 0) {
    emit(pendingAmt.shift());
    amtFrames++;
  }
  flush();
  for (const fd of Object.values(fds)) closeSync(fd);
  return { frames, amtFrames, sessions };
}

// ------------------------------------------------------------------ timing

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a command under GNU time: wall seconds and peak RSS (KiB). */
function timed(cmd, argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, rss] = last.split(' ').map(Number);
  if (!(wall >= 0)) throw new Error(`${cmd} failed: ${r.stderr.slice(0, 500)}`);
  return { wall, rssKiB: rss, status: r.status, stdout: r.stdout };
}

function timeMany(label, cmd, argv) {
  timed(cmd, argv); // warm the page cache and the binary
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(timed(cmd, argv));
  const wall = median(runs.map((x) => x.wall));
  const rss = Math.max(...runs.map((x) => x.rssKiB));
  console.log(`  ${label.padEnd(44)} median ${wall.toFixed(3)} s  (runs: ${runs.map((x) => x.wall.toFixed(2)).join(' ')})  peak RSS ${(rss / 1024).toFixed(1)} MB`);
  return { wall, rssMB: rss / 1024, runs: runs.map((x) => x.wall) };
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// ------------------------------------------------------------------ main

if (!existsSync(BIN)) {
  console.error('bench: build first (npm run build)');
  process.exit(1);
}
if (!existsSync('/usr/bin/time')) {
  console.error('bench: needs GNU time for peak RSS (apt-get install time)');
  process.exit(1);
}
mkdirSync(DIR, { recursive: true });
const pcap = join(DIR, `mixed-${SIZE_MB}mb.pcap`);
const ng = join(DIR, `mixed-${SIZE_MB}mb.pcapng`);
const slice = join(DIR, `mixed-${SIZE_MB}mb-slice50.pcap`);
let meta;
const metaPath = join(DIR, `mixed-${SIZE_MB}mb.json`);
if (!existsSync(pcap) || !existsSync(ng) || !existsSync(slice) || !existsSync(metaPath)) {
  console.log(`building ${SIZE_MB} MB captures in ${DIR} ...`);
  meta = buildCaptures(pcap, ng, slice, SIZE_MB * 1024 * 1024);
  writeFileSync(metaPath, JSON.stringify(meta));
} else meta = JSON.parse(execFileSync('cat', [metaPath], { encoding: 'utf8' }));
const size = statSync(pcap).size;
console.log(
  `capture: ${(size / 1e9).toFixed(3)} GB, ${meta.frames.toLocaleString('en-US')} frames, ${meta.amtFrames.toLocaleString('en-US')} AMT frames ` +
    `(${((100 * meta.amtFrames) / meta.frames).toFixed(2)}%), ${meta.sessions} AMT sessions; node ${process.version}; ${RUNS} runs each`,
);

const results = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, capture: { bytes: size, ...meta } };
const FILTER = 'tcp portrange 16992-16995';
for (const [fmt, file] of [
  ['pcap', pcap],
  ['pcapng', ng],
]) {
  console.log(`\n${fmt}:`);
  const td = timeMany(`tcpdump -r F -w /dev/null '${FILTER}'`, 'tcpdump', ['-r', file, '-w', '/dev/null', FILTER]);
  const aw = timeMany('amtwatch read -f ndjson -w /dev/null F', BIN, ['read', '--no-progress', '-q', '-f', 'ndjson', '-w', '/dev/null', file]);
  results[fmt] = { tcpdump: td, amtwatch: aw, ratio: aw.wall / td.wall };
  console.log(`  ratio amtwatch / tcpdump = ${(aw.wall / td.wall).toFixed(2)}  (bar <= 1.0, target 0.7)`);
}

// pcap-parser on the classic file (the README explains why it is only an oracle)
{
  const require = createRequire(import.meta.url);
  const ppPath = require.resolve('pcap-parser', { paths: [ROOT] });
  const script = `const p=require(${JSON.stringify(ppPath)}).parse(process.argv[1]);let n=0;p.on('packet',()=>n++);p.on('end',()=>console.log(n));`;
  console.log('\npcap-parser 0.2.1 (counting packets only):');
  results.pcapParser = timeMany('pcap-parser parse(F), count packets', process.execPath, ['-e', script, pcap]);
  results.pcapParser.ratioToTcpdump = results.pcapParser.wall / results.pcap.tcpdump.wall;
}

if (have('tshark')) {
  const sliceSize = statSync(slice).size;
  console.log(`\ntshark on a ${(sliceSize / 1e6).toFixed(0)} MB slice (scaled per byte):`);
  const ts = timeMany("tshark -r SLICE -Y 'tcp.port in {16992..16995}'", 'tshark', ['-n', '-r', slice, '-Y', 'tcp.port in {16992..16995}']);
  const tdSlice = timeMany(`tcpdump -r SLICE -w /dev/null '${FILTER}'`, 'tcpdump', ['-r', slice, '-w', '/dev/null', FILTER]);
  const scaled = ts.wall * (size / sliceSize);
  results.tshark = { slice: ts, sliceBytes: sliceSize, scaledToFull: scaled, ratioToTcpdumpOnSlice: ts.wall / tdSlice.wall };
  console.log(`  tshark scaled to the full file ~${scaled.toFixed(1)} s; tshark / tcpdump on the slice = ${(ts.wall / tdSlice.wall).toFixed(0)}x`);
}

const out = join(DIR, 'bench.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${out}`);
