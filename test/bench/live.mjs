#!/usr/bin/env node
// Live-capture benchmark (npm run bench:live; root). Never a timed test: it prints a table and writes JSON.
//
// amtwatch runs as the `amtwatch` command does (the executable bundle, so its first line's V8 flag
// applies), not as `node dist/amtwatch.mjs`.
// Two namespaces joined by a veth pair with its default offloads left on; tcpreplay (pinned to CPU 0)
// sends each capture at rising rates; in the SAME run `amtwatch live` (defaults: 64 MiB ring, snaplen
// 262144, 50 ms timeout) and `tcpdump -i IF -w /dev/null` with the same filter, both pinned to CPU 1,
// capture on the receiving end. Per rate: AMT packets and sessions each saw, kernel drops each
// reported, amtwatch's CPU time and peak RSS (VmHWM, ring included).
//   (a) mixed.pcap: 1,000,000 frames, 2,000 AMT (0.2 %: 250 eight-frame sessions) in HTTP/HTTPS background
//   (b) amtonly.pcap: 300,000 frames, all AMT: 15,000 eight-frame sessions + 180,000 flood SYNs
// Both are generated deterministically (test/live/gen-captures.mjs) into the work directory, never committed.
//
//   node test/bench/live.mjs [--rates 50000,100000,200000,400000,top] [--captures mixed,amtonly]
//                            [--dir /tmp/amtwatch-bench] [--json FILE] [-- extra amtwatch live flags]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAmtOnly, writeMixed } from '../live/gen-captures.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/amtwatch.mjs');
const FILTER = 'tcp portrange 16992-16995 or (vlan and tcp portrange 16992-16995)';

const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const extra = dd >= 0 ? argv.slice(dd + 1) : [];
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && (dd < 0 || i < dd) ? argv[i + 1] : def;
};
const DIR = opt('--dir', '/tmp/amtwatch-bench');
const RATES = opt('--rates', '50000,100000,200000,400000,top').split(',');
const CAPTURES = opt('--captures', 'mixed,amtonly').split(',');
const JSON_OUT = opt('--json', join(DIR, 'live-bench.json'));

function die(msg) {
  process.stderr.write(`bench:live: ${msg}\n`);
  process.exit(1);
}
if (process.getuid?.() !== 0) die('needs root (network namespaces, packet sockets)');
if (!existsSync(join(ROOT, 'build/Release/amtwatch_pcap.node'))) die('the addon is not built: npm run build:addon');
if (!existsSync(CLI)) die('dist/ is not built: npm run build');
for (const t of ['tcpreplay', 'tcpdump', 'taskset', 'ip']) if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) die(`${t} is missing`);

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- captures
mkdirSync(DIR, { recursive: true });
const caps = {
  mixed: { file: join(DIR, 'mixed.pcap'), frames: 1_000_000, amtFrames: 2000, sessions: 250, gen: (f) => writeMixed(f) },
  amtonly: { file: join(DIR, 'amtonly.pcap'), frames: 300_000, amtFrames: 300_000, sessions: 195_000, gen: (f) => writeAmtOnly(f) },
};
for (const name of CAPTURES) {
  const c = caps[name];
  if (c === undefined) die(`unknown capture ${name}`);
  if (!existsSync(c.file) || statSync(c.file).size < 1000) {
    const t = Date.now();
    const r = c.gen(c.file);
    process.stderr.write(`generated ${c.file}: ${JSON.stringify(r)} in ${Date.now() - t} ms\n`);
  }
}

// ---------------------------------------------------------------- namespaces
const A = `amtw-bench-${process.pid}-a`;
const B = `amtw-bench-${process.pid}-b`;
const IA = 'bnchA0';
const IB = 'bnchB0';
const children = new Set();
function cleanup() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
  for (const ns of [A, B]) spawnSync('ip', ['netns', 'del', ns]);
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
sh('ip', ['netns', 'add', A]);
sh('ip', ['netns', 'add', B]);
sh('ip', ['link', 'add', IA, 'netns', A, 'type', 'veth', 'peer', 'name', IB, 'netns', B]);
for (const [ns, i] of [
  [A, IA],
  [B, IB],
]) {
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  sh('ip', ['-n', ns, 'link', 'set', i, 'mtu', '1500', 'up']);
}
const offloads = sh('ip', ['netns', 'exec', B, 'ethtool', '-k', IB])
  .split('\n')
  .filter((l) => /^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):/.test(l))
  .map((l) => l.trim())
  .join(', ');

// ---------------------------------------------------------------- helpers
function start(cmd, args) {
  const c = spawn('ip', ['netns', 'exec', B, 'taskset', '-c', '1', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(c);
  const p = { c, out: '', err: '', done: new Promise((r) => c.on('exit', (code, sig) => r({ code, sig }))) };
  c.stdout.on('data', (d) => (p.out += d));
  c.stderr.on('data', (d) => (p.err += d));
  p.done.then(() => children.delete(c));
  return p;
}
async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime + stime, clock ticks (100 Hz)
}
function hwmMB(pid) {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function cell(capName, rate) {
  const c = caps[capName];
  const out = join(DIR, `out-${capName}-${rate}.ndjson`);
  rmSync(out, { force: true }); // live appends to -w (documented); each cell starts empty
  const aw = start(CLI, ['live', '-i', IB, '--log-format', 'json', '--stats-interval', '3600', '-w', out, ...extra]);
  const td = start('tcpdump', ['-n', '-i', IB, '-w', '/dev/null', FILTER]);
  await waitFor(() => aw.err.includes('listening on'), 20_000, 'amtwatch');
  await waitFor(() => td.err.includes('listening on'), 20_000, 'tcpdump');
  await sleep(300);
  const rateArgs = rate === 'top' ? ['--topspeed'] : [`--pps=${rate}`];
  const rep = sh('ip', ['netns', 'exec', A, 'taskset', '-c', '0', 'tcpreplay', '-K', '-i', IA, ...rateArgs, c.file], { maxBuffer: 1 << 24 });
  const sent = Number(/Actual: (\d+) packets/.exec(rep)?.[1] ?? 0);
  const secs = Number(/sent in ([\d.]+) seconds/.exec(rep)?.[1] ?? 0);
  const achieved = secs > 0 ? Math.round(sent / secs) : 0;
  // wait until amtwatch has worked through its backlog: CPU time flat for 1.5 s
  const pid = aw.c.pid;
  let last = -1;
  let flat = 0;
  const t0 = Date.now();
  while (flat < 15 && Date.now() - t0 < 120_000) {
    await sleep(100);
    const now = cpuSeconds(pid);
    flat = now === last ? flat + 1 : 0;
    last = now;
  }
  const cpu = cpuSeconds(pid);
  const rss = hwmMB(pid);
  aw.c.kill('SIGTERM');
  td.c.kill('SIGINT');
  const [awExit] = await Promise.all([aw.done, td.done]);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  const st = JSON.parse(lines.at(-1));
  if (st.event_type !== 'stats' || !st.final) throw new Error(`no final stats record from amtwatch (exit ${JSON.stringify(awExit)})`);
  const tdCaptured = Number(/(\d+) packets captured/.exec(td.err)?.[1] ?? NaN);
  const tdDropped = Number(/(\d+) packets dropped by kernel/.exec(td.err)?.[1] ?? NaN);
  const k = st.capture[0];
  return {
    capture: capName,
    rate,
    sent,
    achievedPps: achieved,
    expectedAmtPackets: c.amtFrames,
    expectedSessions: c.sessions,
    tcpdump: { packets: tdCaptured, droppedByKernel: tdDropped, lossPct: (100 * (c.amtFrames - tdCaptured)) / c.amtFrames },
    amtwatch: {
      packets: st.amt_frames,
      sessions: st.amt_sessions,
      kernelReceived: k.received,
      kernelDropped: k.dropped,
      ifDropped: k.if_dropped,
      lossPct: (100 * (c.amtFrames - st.amt_frames)) / c.amtFrames,
      sessionsEvicted: st.sessions_evicted,
      noticesSuppressed: st.anomalies['live.notice.suppressed'] ?? 0,
      outputDropped: st.anomalies['live.output.dropped_records'] ?? 0,
      cpuS: cpu,
      peakRssMB: rss,
      exit: awExit.code,
    },
  };
}

const results = [];
const started = new Date().toISOString();
try {
  for (const capName of CAPTURES) {
    for (const rate of RATES) {
      const r = await cell(capName, rate);
      results.push(r);
      const a = r.amtwatch;
      process.stderr.write(
        `${capName} ${rate}: sent ${r.achievedPps} pps; tcpdump ${r.tcpdump.packets}/${r.expectedAmtPackets} (kernel drops ${r.tcpdump.droppedByKernel}); ` +
          `amtwatch ${a.packets}/${r.expectedAmtPackets} packets, ${a.sessions}/${r.expectedSessions} sessions, kernel drops ${a.kernelDropped}, ` +
          `CPU ${a.cpuS.toFixed(2)} s, peak RSS ${a.peakRssMB.toFixed(0)} MB\n`,
      );
    }
  }
} finally {
  cleanup();
}

const fmt = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : String(n));
const rows = results.map((r) => {
  const a = r.amtwatch;
  return `| ${r.capture} | ${r.rate} | ${fmt(r.achievedPps)} | ${fmt(r.tcpdump.packets)}/${fmt(r.expectedAmtPackets)} (drops ${fmt(r.tcpdump.droppedByKernel)}) | ${fmt(a.packets)}/${fmt(r.expectedAmtPackets)} | ${fmt(a.sessions)}/${fmt(r.expectedSessions)} | ${fmt(a.kernelDropped)} | ${a.cpuS.toFixed(2)} | ${a.peakRssMB.toFixed(0)} |`;
});
const best = {};
for (const capName of CAPTURES) {
  const mine = results.filter((r) => r.capture === capName);
  const zero = (who) => mine.filter((r) => (who === 'tcpdump' ? r.tcpdump.packets === r.expectedAmtPackets : r.amtwatch.packets === r.expectedAmtPackets));
  const top = (list) => (list.length === 0 ? 'none' : list.map((r) => (r.rate === 'top' ? `top (${fmt(r.achievedPps)} pps)` : fmt(Number(r.rate)))).at(-1));
  best[capName] = {
    tcpdump: top(zero('tcpdump')),
    amtwatch: top(zero('amtwatch')),
    barMet: mine.every((r) => r.tcpdump.packets !== r.expectedAmtPackets || r.amtwatch.packets === r.expectedAmtPackets),
    statsAccountForLoss: mine.every((r) => r.amtwatch.kernelReceived === r.amtwatch.packets + r.amtwatch.kernelDropped),
    peakRssMB: Math.max(...mine.map((r) => r.amtwatch.peakRssMB)),
  };
}
const table = [
  `amtwatch live vs tcpdump, veth pair with default offloads (${offloads}); ${started}; node ${process.version}; ${sh('nproc', []).trim()} CPUs`,
  `command: npm run bench:live${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  '',
  '| capture | rate (pps) | achieved pps | tcpdump AMT packets (kernel drops) | amtwatch AMT packets | amtwatch sessions | amtwatch kernel drops | amtwatch CPU s | amtwatch peak RSS MB |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  ...Object.entries(best).map(
    ([k, v]) =>
      `${k}: highest zero-loss rate: tcpdump ${v.tcpdump}, amtwatch ${v.amtwatch}; amtwatch lossless wherever tcpdump was: ${v.barMet ? 'yes' : 'NO'}; ` +
      `stats account for every packet (received = analysed + dropped): ${v.statsAccountForLoss ? 'yes' : 'NO'}; peak RSS ${v.peakRssMB.toFixed(0)} MB`,
  ),
];
process.stdout.write(`${table.join('\n')}\n`);
writeFileSync(JSON_OUT, `${JSON.stringify({ started, node: process.version, offloads, extraFlags: extra, results, best }, null, 2)}\n`);
process.stderr.write(`JSON: ${JSON_OUT}\n`);
