#!/usr/bin/env -S npx tsx
// MeshCentral-style RMCP presence ping sender (UDP 623). nmap has no ASF/RMCP NSE script (its
// `-sU -p623` probe sends nmap-payloads' presence ping with sequence 0xff, i.e. "no ACK"); this
// sends the packet MeshCentral's amtscanner.js builds, `06 00 00 06 00 00 11 BE 80 <tag> 00 00`
// (sequence 0: the AMT answers with an RMCP ACK and then the pong), one tag per target, from one
// socket, and prints what comes back:
//   node --import tsx pcaps/gen/real/rmcp-ping.ts [--timeout 3000] [--bind ADDR] HOST...
// Output: one line `PONG host tag=N amt=MAJ.MIN state=pre|in|post port=N dual=0|1` per pong,
// `ACK host seq=N` per RMCP ACK, then `RESULT pongs=N acks=N`. Exit 0 when every host answered.
import { createSocket } from 'node:dgram';

const args = process.argv.slice(2);
let timeout = 3000;
let bind: string | undefined;
const hosts: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--timeout') timeout = Number(args[++i]);
  else if (a === '--bind') bind = args[++i];
  else hosts.push(a);
}
if (hosts.length === 0) {
  process.stderr.write('usage: rmcp-ping.ts [--timeout MS] [--bind ADDR] HOST...\n');
  process.exit(2);
}

const sock = createSocket('udp4');
const answered = new Set<string>();
let pongs = 0;
let acks = 0;
sock.on('message', (m, r) => {
  if (m.length >= 4 && m[0] === 0x06 && m[3] === 0x86) {
    acks++;
    process.stdout.write(`ACK ${r.address} seq=${m[2]}\n`);
    return;
  }
  if (m.length >= 20 && m[0] === 0x06 && m[3] === 0x06 && m[8] === 0x40) {
    pongs++;
    answered.add(r.address);
    const ver = m[18]!;
    const flags = m[19]!;
    const state = ['pre', 'in', 'post', 'unknown'][flags & 3];
    process.stdout.write(`PONG ${r.address} tag=${m[9]} amt=${ver >> 4}.${ver & 15} state=${state} port=${m.readUInt16BE(16)} dual=${(flags >> 2) & 1}\n`);
  }
});
sock.bind(bind !== undefined ? { address: bind, port: 0 } : { port: 0 }, () => {
  hosts.forEach((h, i) => {
    const p = Buffer.from('06000006000011BE80000000', 'hex');
    p[9] = i; // the tag says which target a pong answers
    sock.send(p, 623, h);
  });
  setTimeout(() => {
    process.stdout.write(`RESULT pongs=${pongs} acks=${acks}\n`);
    sock.close();
    process.exitCode = hosts.every((h) => answered.has(h)) ? 0 : 1;
  }, timeout);
});
