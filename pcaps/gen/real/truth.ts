// Builds pcaps/lab/<capture>.truth.json from what real.sh actually ran (steps.jsonl), the
// stand-in servers' logs and the captures themselves (tshark), and judges each scenario
// against the lab policy (amtwatch.yaml).
//
//   node --import tsx pcaps/gen/real/truth.ts --steps WORK/steps.jsonl --out pcaps/lab \
//        --policy pcaps/lab/amtwatch.yaml --servers WORK
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isIPv4, isIPv6 } from 'node:net';
import { parse as parseYaml } from 'yaml';

interface Step {
  seq: number; id: string; scenario: string; client_ns: string; client: string; server: string; port: string;
  tool: string; expect: string; command: string; stdin: string; rc: number; t0: number; t1: number;
  captures: string[]; stdout: string; stderr: string;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const stepsFile = args.get('steps')!;
const outDir = args.get('out')!;
const policyFile = args.get('policy')!;
const serversDir = args.get('servers')!;

const steps: Step[] = readFileSync(stepsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Step);
const policy = parseYaml(readFileSync(policyFile, 'utf8')) as { authorized: string[]; amt_hosts: string[] };

// ------------------------------------------------------------------ policy matching (address or CIDR)
function ipToBig(ip: string): { v: bigint; bits: number } {
  if (isIPv4(ip)) return { v: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n), bits: 32 };
  if (!isIPv6(ip)) throw new Error(`bad address ${ip}`);
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { v: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}
function inList(ip: string, list: string[]): boolean {
  const a = ipToBig(ip);
  return list.some((e) => {
    const [net, len] = e.split('/');
    const n = ipToBig(net!);
    if (n.bits !== a.bits) return false;
    const plen = len === undefined ? a.bits : Number(len);
    const shift = BigInt(a.bits - plen);
    return (a.v >> shift) === (n.v >> shift);
  });
}

// ------------------------------------------------------------------ server logs
interface LogLine { ts: number; server: string; text: string }
const serverLogs: LogLine[] = [];
for (const f of readdirSync(serversDir).filter((f) => /^srv-.*\.log$/.test(f))) {
  const server = f.replace(/^srv-|\.log$/g, '');
  for (const line of readFileSync(join(serversDir, f), 'utf8').split('\n')) {
    const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) \[amt-server [^\]]+\] (.*)$/.exec(line);
    if (m) serverLogs.push({ ts: Date.parse(m[1]!) / 1000, server, text: m[2]! });
  }
}

// ------------------------------------------------------------------ flows from a capture
interface Flow {
  stream: number; client: string; client_port: number; server: string; server_port: number; vlan: number | null;
  first_ts: number; packets: number; handshake: 'complete' | 'refused' | 'half-open' | 'no-answer' | 'unknown';
}
function flowsOf(file: string): Flow[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.srcport',
    '-e', 'tcp.dstport', '-e', 'tcp.stream', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.flags.reset', '-e', 'vlan.id',
    '-e', 'tcp.len'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const flows = new Map<number, Flow & { synack: boolean; rstFromServer: boolean; payload: boolean; lastAckOnly: boolean }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ts, s4, s6, d4, d6, sp, dp, st, syn, ack, rst, vlan, len] = line.split('|');
    const src = s4 || s6 || '', dst = d4 || d6 || '';
    const stream = Number(st);
    let f = flows.get(stream);
    const isSyn = syn === '1' || syn === 'True', isAck = ack === '1' || ack === 'True', isRst = rst === '1' || rst === 'True';
    if (!f) {
      // initiator = sender of the first packet (a SYN for every flow the lab creates)
      const clientIsSrc = !(isSyn && isAck);
      f = {
        stream, client: clientIsSrc ? src : dst, client_port: Number(clientIsSrc ? sp : dp), server: clientIsSrc ? dst : src,
        server_port: Number(clientIsSrc ? dp : sp), vlan: vlan ? Number(vlan.split(',')[0]) : null, first_ts: Number(ts), packets: 0,
        handshake: 'unknown', synack: false, rstFromServer: false, payload: false, lastAckOnly: false,
      };
      flows.set(stream, f);
    }
    f.packets++;
    const fromServer = src === f.server && Number(sp) === f.server_port;
    if (isSyn && isAck && fromServer) f.synack = true;
    if (isRst && fromServer && !f.synack) f.rstFromServer = true;
    if (Number(len) > 0) f.payload = true;
  }
  return [...flows.values()].map(({ synack, rstFromServer, payload, lastAckOnly, ...f }) => {
    void lastAckOnly;
    f.handshake = synack ? (payload ? 'complete' : 'half-open') : rstFromServer ? 'refused' : 'no-answer';
    return f;
  });
}

// ------------------------------------------------------------------ per-step judgement
const SCENARIO_TITLES: Record<string, string> = {
  a: 'authorized console -> inventoried AMT 192.0.2.10',
  b: 'attacker (not authorized) -> 192.0.2.10',
  c: 'attacker -> patched AMT 192.0.2.11',
  d: 'rogue AMT device 192.0.2.66 (not in inventory)',
  e: 'VLAN 100: console 198.51.100.5 -> AMT 198.51.100.10',
  f: 'nmap SYN scan of AMT hosts',
  g: 'background web traffic and AMT-range client-port decoys',
  h: 'digest brute force: 12 wrong passwords, then the right one',
  s: 'SYN sweep of 192.0.2.0/28 on 16992-16995',
  i: 'IDE-R / KVM / WebSocket redirection sessions (stand-in client)',
  x: 'extended ports (amtwatch --extended-ports): DASH on TCP 623/664, RMCP on UDP 623, RFB on TCP 5900',
};

/** What each lab host's RMCP responder announces (must match start_servers in real.sh). */
const RMCP_HOSTS: Record<string, { amt_version: string; provisioning_state: string; amt_port: number; dual_port: boolean }> = {
  '192.0.2.10': { amt_version: '9.5', provisioning_state: 'post', amt_port: 16992, dual_port: false },
  '192.0.2.11': { amt_version: '11.8', provisioning_state: 'post', amt_port: 16992, dual_port: true },
  '192.0.2.66': { amt_version: '11.0', provisioning_state: 'post', amt_port: 16992, dual_port: false },
  '192.0.2.67': { amt_version: '9.5', provisioning_state: 'pre', amt_port: 0, dual_port: false },
};

/** What each lab host listens on (must match start_servers in real.sh). */
const OPEN_PORTS: Record<string, number[]> = {
  '192.0.2.10': [16992, 16993, 16994, 16995],
  '192.0.2.11': [16992, 16993, 16994],
  '192.0.2.66': [16992, 16994],
};
const LAB_HOSTS = new Set(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6', '192.0.2.7', '192.0.2.8',
  '192.0.2.9', '192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '192.0.2.15']);

function expandTargets(server: string): string[] {
  return server.split(',').flatMap((t) => {
    if (!t.endsWith('/28')) return [t];
    const base = t.split('/')[0]!.split('.').map(Number);
    return Array.from({ length: 16 }, (_, i) => `${base[0]}.${base[1]}.${base[2]}.${base[3]! + i}`);
  });
}

// ------------------------------------------------------------------ RMCP datagrams from a capture
interface Datagram { ts: number; src: string; sport: number; dst: string; dport: number; kind: string }
function datagramsOf(file: string): Datagram[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'udp.port == 623 && !icmp', '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'udp.payload'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean).map((l) => {
    const [ts, src, sp, dst, dp, hex] = l.split('|');
    const b = Buffer.from((hex ?? '').replace(/:/g, ''), 'hex');
    const cls = b[3] ?? -1;
    const kind = b[0] !== 6 ? 'not_rmcp' : cls & 0x80 ? 'ack' : (cls & 0x1f) === 7 ? 'ipmi' : (cls & 0x1f) === 6 && b[8] === 0x80 ? 'ping'
      : (cls & 0x1f) === 6 && b[8] === 0x40 ? 'pong' : 'other';
    return { ts: Number(ts), src: src!, sport: Number(sp), dst: dst!, dport: Number(dp), kind };
  });
}
function expandPorts(port: string): number[] {
  const [a, b] = port.split('-').map(Number);
  return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
}

function observe(s: Step, logs: LogLine[]): Record<string, unknown> {
  const o: Record<string, unknown> = { exit_code: s.rc };
  const out = s.stdout;
  if (s.tool === 'curl' || s.tool === 'curl-exploit') {
    const m = /(\d{3})\s*$/.exec(out);
    if (m) o['http_code'] = Number(m[1]);
  } else if (s.tool === 'nmap-nse') {
    o['nmap_state'] = /State: NOT VULNERABLE/.test(out) ? 'NOT VULNERABLE' : /State: VULNERABLE/.test(out) ? 'VULNERABLE' : 'no result';
  } else if (s.tool === 'nmap-scan') {
    const hosts: Record<string, Record<string, string>> = {};
    let cur = '';
    for (const line of out.split('\n')) {
      const h = /^Nmap scan report for (\S+)/.exec(line);
      if (h) { cur = h[1]!; hosts[cur] = {}; continue; }
      const p = /^(\d+)\/tcp\s+(\S+)/.exec(line);
      if (p && cur) hosts[cur]![p[1]!] = p[2]!;
    }
    o['nmap_ports'] = hosts;
    const done = /Nmap done: (.*)/.exec(out);
    if (done) o['nmap_done'] = done[1];
  } else if (s.tool === 'amtterm') {
    o['amtterm'] = /serial-over-lan redirection ok/.test(s.stderr) ? 'serial-over-lan redirection ok'
      : /session authentication failed/.test(s.stderr) ? 'session authentication failed' : 'other';
    const last = s.stderr.trim().split('\n').filter((l) => l.startsWith('amtterm:')).pop();
    if (last) o['amtterm_last_state'] = last;
  } else if (s.tool === 'openssl') {
    const p = /Protocol\s*:\s*(TLSv[\d.]+)/.exec(out) ?? /New, (TLSv[\d.]+)/.exec(out);
    if (p) o['tls_version'] = p[1];
    const c = /Cipher\s*:\s*(\S+)/.exec(out);
    if (c) o['tls_cipher'] = c[1];
    const subj = /subject=(.*)/.exec(out);
    if (subj) o['server_certificate_subject'] = subj[1]!.trim();
    const http = /^(HTTP\/1\.1 \d{3}[^\r\n]*)/m.exec(out);
    if (http) o['http_status_line'] = http[1];
  } else if (s.tool === 'redir-client' || s.tool === 'rmcp-ping') {
    const r = /^RESULT (.*)$/m.exec(out);
    if (r) o['client_result'] = r[1];
    if (s.tool === 'rmcp-ping') o['client_output'] = out.split('\n').filter((l) => /^(PONG|ACK) /.test(l));
  } else if (s.tool === 'nmap-udp') {
    o['nmap_ports'] = Object.fromEntries([...out.matchAll(/Nmap scan report for (\S+)\n(?:.*\n)*?623\/udp\s+(\S+)/g)].map((m) => [m[1], m[2]]));
    const done = /Nmap done: (.*)/.exec(out);
    if (done) o['nmap_done'] = done[1];
  } else if (s.tool === 'vncsnapshot') {
    o['vncsnapshot'] = s.rc === 0 ? 'snapshot saved' : `failed: ${s.stderr.trim().split('\n').pop() ?? ''}`;
  }
  if (logs.length) o['server_log'] = logs.slice(0, 40).map((l) => `${l.server}: ${l.text}`);
  const auth = authOf(logs);
  if (auth) o['auth'] = auth;
  return o;
}

/** The server's own view of authentication in a set of its log lines. */
function authOf(logs: LogLine[]): string | undefined {
  const text = logs.map((l) => l.text).join('\n');
  if (/BYPASS/.test(text)) return 'bypass';
  if (/result=(200|101)[^\n]*\(digest ok\)|result=OK/.test(text)) return 'success';
  if (/result=401 \((?!challenge)|result=FAIL/.test(text)) return 'failure';
  return logs.length ? 'none' : undefined;
}

function judge(s: Step, flows: Flow[], datagrams: Datagram[]): Record<string, unknown> {
  const exp = Object.fromEntries(s.expect.split(',').map((kv) => kv.split('=') as [string, string]));
  const isAmt = exp['amt'] === '1';
  const targets = expandTargets(s.server);
  const ports = expandPorts(s.port);
  const clientAuthorized = inList(s.client, policy.authorized);
  // steps are 0.3 s apart (real.sh sleeps between them), so a tight window keeps them apart
  const mine = flows.filter((f) => f.client === s.client && targets.includes(f.server) && ports.includes(f.server_port)
    && f.first_ts >= s.t0 - 0.05 && f.first_ts <= s.t1 + 0.1);
  const peer = new RegExp(`(^|\\s)(${s.client.replace(/\./g, '\\.')}|\\[${s.client}\\]):\\d+ -> `);
  const logs = serverLogs.filter((l) => l.ts >= s.t0 - 0.05 && l.ts <= s.t1 + 0.1 && peer.test(l.text));
  const expected: Record<string, unknown> = { amt_session: isAmt };
  for (const [k, v] of Object.entries(exp)) {
    if (k === 'amt') continue;
    expected[k] = v === '1' ? true : v === '0' ? false : /^\d+$/.test(v) ? Number(v) : v;
  }
  const r: Record<string, unknown> = {
    seq: s.seq, id: s.id, scenario: s.scenario, scenario_title: SCENARIO_TITLES[s.scenario] ?? '', tool: s.tool,
    command: s.command, ...(s.stdin ? { stdin: s.stdin } : {}),
    client: s.client, server: targets.length === 1 ? targets[0] : s.server, server_port: ports.length === 1 ? ports[0] : s.port,
    expected,
  };
  if (exp['scan'] === '1') {
    r['verdict'] = 'scan';
    r['note'] = exp['rmcp'] === '1'
      ? 'UDP 623 sweep: RMCP presence pings to many hosts (AMT reconnaissance); AMT hosts answer with a pong'
      : 'SYN scan: half-open probes (SYN -> SYN-ACK -> RST, or SYN -> RST); no AMT payload, so no AMT session';
    r['targets'] = targets.map((t) => ({
      address: t,
      exists_in_lab: LAB_HOSTS.has(t) || t in OPEN_PORTS || t in RMCP_HOSTS,
      open_ports: exp['rmcp'] === '1' ? (t in RMCP_HOSTS ? ['623/udp'] : []) : (OPEN_PORTS[t] ?? []),
      client_authorized: clientAuthorized,
      server_in_inventory: inList(t, policy.amt_hosts),
    }));
  } else if (exp['rmcp'] === '1') {
    r['verdict'] = 'rmcp';
    r['note'] = exp['ipmi'] === '1'
      ? 'IPMI (RMCP class 0x07) on UDP 623: recognised as IPMI, never read as ASF; the AMT stand-in does not answer it'
      : 'RMCP/ASF presence pings on UDP 623 (no TCP session); AMT hosts answer with a pong';
  } else if (!isAmt) {
    r['verdict'] = 'not_amt';
    r['note'] = exp['decoy_client_port']
      ? `decoy: the client's ephemeral port is ${exp['decoy_client_port']} (AMT range) but the server is a web server on ${s.port}; not an AMT session`
      : exp['proto'] === 'vnc'
        ? 'an ordinary VNC server (TigerVNC Xvnc, desktop name not "Intel(r) AMT KVM"): not an AMT session'
        : 'ordinary web traffic';
  } else {
    const reasons: string[] = [];
    if (!clientAuthorized) reasons.push('client_not_authorized');
    if (!inList(targets[0]!, policy.amt_hosts)) reasons.push('server_not_in_inventory');
    r['verdict'] = reasons.length ? 'unauthorized' : 'authorized';
    r['reasons'] = reasons;
  }
  if (exp['rmcp'] === '1') {
    // who should answer, what the pong says, and what amtwatch --extended-ports must conclude
    r['rmcp_responders'] = exp['ipmi'] === '1' ? [] : targets.filter((t) => t in RMCP_HOSTS).map((t) => {
      const h = RMCP_HOSTS[t]!;
      const inInventory = inList(t, policy.amt_hosts);
      return {
        address: t, ...h, in_inventory: inInventory,
        expected_notices: [...(inInventory ? [] : ['amt.rogue_device']), ...(h.provisioning_state === 'pre' ? ['amt.unprovisioned_device'] : [])],
      };
    });
    const dg = datagrams.filter((d) => d.ts >= s.t0 - 0.05 && d.ts <= s.t1 + 0.1
      && ((d.src === s.client && targets.includes(d.dst)) || (d.dst === s.client && targets.includes(d.src))));
    r['rmcp_datagrams'] = dg.map((d) => ({ from: `${d.src}:${d.sport}`, to: `${d.dst}:${d.dport}`, kind: d.kind }));
  }
  const obs = observe(s, logs);
  r['observed'] = obs;
  if (isAmt && expected['auth'] !== undefined && obs['auth'] !== undefined) {
    r['outcome_as_expected'] = obs['auth'] === expected['auth'];
  }
  // amt_session: a TCP connection that carried AMT payload (nmap's half-open SYN probe does not)
  r['flows'] = mine.map((f) => ({
    client_port: f.client_port, server: f.server, server_port: f.server_port, tcp_stream: f.stream, packets: f.packets,
    handshake: f.handshake, amt_session: isAmt && f.handshake === 'complete',
    // per connection, from the server log lines of this client port (e.g. the 401 challenge connection = none)
    ...(isAmt ? { auth: authOf(logs.filter((l) => l.text.includes(`${f.client.includes(':') ? `[${f.client}]` : f.client}:${f.client_port} -> `))) ?? 'none' } : {}),
    ...(f.vlan !== null ? { vlan: f.vlan } : {}),
  }));
  return r;
}

// ------------------------------------------------------------------ write truth files
const DERIVED: Record<string, { from: string; how: string; vlan?: number }> = {
  'formats-ns.pcap': { from: 'formats-base.pcap', how: 'editcap -F nsecpcap formats-base.pcap formats-ns.pcap' },
  'formats.pcapng': { from: 'formats-base.pcap', how: 'editcap -F pcapng formats-base.pcap formats.pcapng' },
  'formats.pcap.gz': { from: 'formats-base.pcap', how: 'gzip -9n -c formats-base.pcap > formats.pcap.gz' },
  'formats-vlan.pcap': {
    from: 'formats-base.pcap', vlan: 42,
    how: 'tcprewrite --enet-vlan=add --enet-vlan-tag=42 --enet-vlan-cfi=0 --enet-vlan-pri=0 --infile=formats-base.pcap --outfile=formats-vlan.pcap',
  },
};

const files = readdirSync(outDir).filter((f) => /\.(pcap|pcapng|pcap\.gz)$/.test(f)).sort();
let mismatches = 0;
for (const f of files) {
  const name = basename(f);
  const derived = DERIVED[name];
  const capName = (derived?.from ?? name).replace(/\.pcap$/, '');
  const capSteps = steps.filter((s) => s.captures.includes(capName));
  if (capSteps.length === 0) continue; // not recorded in this run (real.sh --extended-only): keep its truth file
  const flows = flowsOf(join(outDir, name)); // tshark reads every format, so derived files are measured too
  const datagrams = capSteps.some((s) => /(^|,)rmcp=1/.test(s.expect)) ? datagramsOf(join(outDir, name)) : [];
  const scenarios = capSteps.map((s) => judge(s, flows, datagrams));
  for (const sc of scenarios) {
    if (sc['outcome_as_expected'] === false && !derived) {
      mismatches++;
      process.stderr.write(`truth: ${name} ${String(sc['id'])}: expected auth ${JSON.stringify((sc['expected'] as Record<string, unknown>)['auth'])}, server saw ${JSON.stringify((sc['observed'] as Record<string, unknown>)['auth'])}\n`);
    }
  }
  const amtFlows = scenarios.filter((s) => (s['expected'] as Record<string, unknown>)['amt_session'] === true)
    .flatMap((s) => (s['flows'] as { amt_session: boolean }[]).filter((fl) => fl.amt_session).map(() => s['verdict']));
  const truth = {
    capture: name,
    generated_by: capName === 'extended-ports' ? 'bash pcaps/gen/real.sh (or --extended-only)' : 'bash pcaps/gen/real.sh',
    ...(capName === 'extended-ports' ? { amtwatch_flags: ['--extended-ports'] } : {}),
    ...(derived ? { derived_from: derived.from, derived_with: derived.how, note: derived.vlan
      ? `same records as ${derived.from}; every frame additionally carries 802.1Q VLAN ${derived.vlan}`
      : `same packets and records as ${derived.from}, different file format` } : {}),
    policy: 'amtwatch.yaml',
    link_type: 'ethernet',
    vlans: [...new Set([...flows.map((fl) => fl.vlan).filter((v): v is number => v !== null), ...(derived?.vlan ? [derived.vlan] : [])])],
    summary: {
      scenarios: scenarios.length,
      amt_tcp_connections: amtFlows.length,
      authorized_connections: amtFlows.filter((v) => v === 'authorized').length,
      unauthorized_connections: amtFlows.filter((v) => v === 'unauthorized').length,
      tcp_conversations_in_file: flows.length,
    },
    scenarios,
  };
  writeFileSync(join(outDir, name.replace(/\.(pcap|pcapng|pcap\.gz)$/, '') + (name.endsWith('.pcap.gz') ? '.pcap.gz' : name.endsWith('.pcapng') ? '.pcapng' : '') + '.truth.json'),
    JSON.stringify(truth, null, 2) + '\n');
  process.stderr.write(`truth: ${name}: ${scenarios.length} scenarios, ${amtFlows.length} AMT connections, ${flows.length} TCP conversations\n`);
}
if (!existsSync(join(outDir, 'amt-lab.pcap'))) process.stderr.write('truth: warning: amt-lab.pcap missing\n');
if (mismatches) {
  process.stderr.write(`truth: ${mismatches} scenario(s) did not behave as expected\n`);
  process.exitCode = 1;
}
