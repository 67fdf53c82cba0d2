#!/usr/bin/env node
// Builds the addons of binding.gyp with npm's bundled node-gyp: the live-capture addon
// (build/Release/amtwatch_pcap.node) and the offline prefilter (build/Release/amtwatch_read.node).
//   node src/io/native/build.mjs           (package.json "install"): never fails `npm ci`; when the
//                                          build fails it prints ONE line saying live capture is
//                                          unavailable and what to install (the log is kept)
//   node src/io/native/build.mjs --strict  (npm run build:addon): exits 1 when the build fails
// Offline reading never needs the addons (without the prefilter it reads every frame in JavaScript).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const strict = process.argv.includes('--strict');
const log = join(root, 'build', 'addon-build.log');
const HINT =
  'install libpcap-dev, python3, make and g++ (Debian/Ubuntu: apt-get install libpcap-dev python3 make g++), then run: npm run build:addon';

function fail(why) {
  process.stderr.write(`amtwatch: live capture and the offline prefilter are unavailable (${why}); offline reading works (slower on large files). To enable them, ${HINT}\n`);
  process.exit(strict ? 1 : 0);
}

if (process.env.AMTWATCH_SKIP_ADDON === '1') fail('AMTWATCH_SKIP_ADDON=1');
if (process.platform !== 'linux') fail(`live capture is built for Linux only, not ${process.platform}`);
if (!['/usr/include/pcap/pcap.h', '/usr/local/include/pcap/pcap.h'].some((p) => existsSync(p))) {
  fail('libpcap headers (pcap/pcap.h) not found');
}

// npm sets npm_config_node_gyp for lifecycle scripts; otherwise use the node-gyp bundled with npm
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  join(dirname(process.execPath), 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter((p) => typeof p === 'string' && p !== '' && existsSync(p));
const args = [];
let cmd;
if (candidates.length > 0) {
  cmd = process.execPath;
  args.push(candidates[0]);
} else {
  cmd = 'node-gyp';
}
args.push('rebuild');
// Use the running Node's own headers when they are installed (no download of headers needed)
const prefix = resolve(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir) {
  try {
    const h = readFileSync(join(prefix, 'include/node/node_version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(h)?.[1]).join('.');
    if (`v${v}` === process.version) args.push(`--nodedir=${prefix}`);
  } catch {
    // no local headers: node-gyp finds or fetches them itself
  }
}
mkdirSync(join(root, 'build'), { recursive: true });
const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
try {
  writeFileSync(log, `${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
} catch {
  // the log is a convenience
}
if (r.status !== 0 || !existsSync(join(root, 'build/Release/amtwatch_pcap.node')) || !existsSync(join(root, 'build/Release/amtwatch_read.node'))) {
  const last = `${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l))[0]?.trim();
  fail(`the addon did not build${last ? `: ${last.slice(0, 160)}` : ''}; see build/addon-build.log`);
}
if (strict) process.stdout.write('amtwatch: addons built: build/Release/amtwatch_pcap.node (live capture), build/Release/amtwatch_read.node (offline prefilter)\n');
