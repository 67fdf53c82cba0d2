/** `amtwatch live`: flags -> LiveRequest -> app (runLive). */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildLiveConfig, LIVE_DEFAULTS, LIVE_OUTPUT_FORMATS, type LiveOutputFormat, type LiveRequest } from '../../app/config.js';
import { runLive } from '../../app/live.js';
import { createLogger } from '../../app/log.js';
import { systemClock } from '../../core/time.js';
import type { CliContext } from '../context.js';
import { collect, positiveInt } from './read.js';

function wholeNumber(name: string, min: number) {
  return (v: string): number => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}`);
    }
    return Number(v);
  };
}

interface LiveFlags {
  interface?: string[];
  promisc: boolean;
  snaplen?: number;
  bufferSize?: number;
  timeout?: number;
  filter?: string;
  interim?: number;
  statsInterval?: number;
  user?: string;
  output?: string;
  format?: LiveOutputFormat;
  config?: string;
  authorized?: string[];
  amtHosts?: string[];
  maxSessions?: number;
  noticeRate?: number;
  outputBuffer?: number;
  extract?: boolean;
  extendedPorts?: boolean;
  color: boolean;
  logFormat?: 'text' | 'json';
  quiet?: boolean;
}

export function liveCommand(ctx: CliContext): Command {
  const d = LIVE_DEFAULTS;
  return new Command('live')
    .description('capture AMT traffic (TCP 16992-16995) on network interfaces and report unauthorized sessions as they happen')
    .option('-i, --interface <name>', 'interface to capture on (repeatable: the two ports of a SPAN session merge into one session table)', collect)
    .option('--no-promisc', 'do not put the interfaces into promiscuous mode')
    .option('--snaplen <bytes>', `bytes captured per packet, 64-262144 (default ${d.snaplen}: AMT payloads are reassembled)`, positiveInt('--snaplen'))
    .option('--buffer-size <MiB>', `kernel capture buffer per interface (default ${d.bufferMiB})`, positiveInt('--buffer-size'))
    .option('--timeout <ms>', `longest a packet waits in the kernel before it is handed over, 1-1000 (default ${d.timeoutMs})`, positiveInt('--timeout'))
    .option('--filter <expr>', 'BPF expression ANDed with the built-in AMT filter, e.g. "net 10.20.0.0/16"')
    .option('--interim <seconds>', `interim conn record for a session open longer than this, and every as long again (default ${d.interimS})`, positiveInt('--interim'))
    .option('--stats-interval <seconds>', `a stats record this often (default ${d.statsIntervalS})`, positiveInt('--stats-interval'))
    .option('--user <name>', 'drop root to this user and its groups once the interfaces and the output are open (tcpdump -Z)')
    .option('-w, --output <file>', 'append records to this file instead of standard output (reopened on SIGHUP, for logrotate)')
    .addOption(new Option('-f, --format <format>', 'output format (default: text on a terminal, ndjson otherwise)').choices(LIVE_OUTPUT_FORMATS))
    .option('-c, --config <file>', 'policy file (YAML: authorized, amt_hosts, thresholds); reloaded on SIGHUP')
    .option('--authorized <cidrs>', 'authorized management consoles, comma-separated addresses or CIDR prefixes (repeatable)', collect)
    .option('--amt-hosts <cidrs>', 'inventory of known AMT endpoints, comma-separated (repeatable); others are rogue devices', collect)
    .option('--max-sessions <n>', `concurrent TCP sessions tracked before the least recently active is evicted (default ${d.maxSessions})`, positiveInt('--max-sessions'))
    .option('--notice-rate <n>', `notices per second per note type before the rest are counted and summarized; 0 = no limit (default ${d.noticeRate})`, wholeNumber('--notice-rate', 0))
    .option('--output-buffer <MiB>', `records waiting for a slow output before new ones are dropped and counted (default ${d.outputBufferMiB})`, positiveInt('--output-buffer'))
    .option('--extract', 'keep SOL console transcripts in amt_redir records')
    .option(
      '--extended-ports',
      'also capture TCP 623/664 (DASH), UDP 623 (RMCP presence ping/pong) and TCP 5900 (an AMT session only when the RFB desktop name is "Intel(r) AMT KVM")',
    )
    .option('--no-color', 'no colour in text output')
    .addOption(new Option('--log-format <format>', 'standard error log lines (default: text on a terminal, json otherwise)').choices(['text', 'json']))
    .option('-q, --quiet', 'only errors on standard error (no warnings, no start-up line)')
    .addHelpText(
      'after',
      `
Examples:
  amtwatch live -i eth1 --config /etc/amtwatch/amtwatch.yaml
  amtwatch live -i span0 -i span1 --config amtwatch.yaml --user amtwatch -w /var/log/amtwatch/records.ndjson
  amtwatch live -i eth1 --authorized 10.1.0.0/24 --filter "net 10.20.0.0/16" --stats-interval 300

The kernel filter is "tcp portrange 16992-16995 or (vlan and tcp portrange 16992-16995)"; --filter narrows it.
With --extended-ports it adds tcp port 623, tcp port 664, udp port 623 and tcp port 5900 (tagged or not).
A notice for an unauthorized session is written within a second of its SYN; its conn record when it
ends (FIN/RST plus a short linger, or an idle timeout); a stats record every --stats-interval.
Signals: SIGHUP reloads the policy file and reopens the output file; SIGINT/SIGTERM write every open
session and a final stats record, then exit 0.

Exit codes: 0 stopped by a signal, 2 usage or configuration error (unknown interface, bad filter),
4 no permission to capture (needs root, or CAP_NET_RAW and CAP_NET_ADMIN), 5 capture failure or
live capture unavailable (libpcap or the addon missing).`,
    )
    .action(async (flags: LiveFlags) => {
      const req: LiveRequest = {
        interfaces: flags.interface ?? [],
        promisc: flags.promisc,
        color: flags.color,
        uidSeed: `live-${randomBytes(8).toString('hex')}`,
        ...(flags.snaplen !== undefined ? { snaplen: flags.snaplen } : {}),
        ...(flags.bufferSize !== undefined ? { bufferSizeMiB: flags.bufferSize } : {}),
        ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
        ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
        ...(flags.interim !== undefined ? { interimS: flags.interim } : {}),
        ...(flags.statsInterval !== undefined ? { statsIntervalS: flags.statsInterval } : {}),
        ...(flags.user !== undefined ? { user: flags.user } : {}),
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.format !== undefined ? { format: flags.format } : {}),
        ...(flags.config !== undefined ? { config: flags.config } : {}),
        ...(flags.authorized ? { authorized: flags.authorized } : {}),
        ...(flags.amtHosts ? { amtHosts: flags.amtHosts } : {}),
        ...(flags.maxSessions !== undefined ? { maxSessions: flags.maxSessions } : {}),
        ...(flags.noticeRate !== undefined ? { noticeRate: flags.noticeRate } : {}),
        ...(flags.outputBuffer !== undefined ? { outputBufferMiB: flags.outputBuffer } : {}),
        ...(flags.extract ? { extract: true } : {}),
        ...(flags.extendedPorts ? { extendedPorts: true } : {}),
      };
      const cfg = buildLiveConfig(req, { stdoutIsTTY: ctx.stdoutIsTTY, stderrIsTTY: ctx.stderrIsTTY, noColor: ctx.noColor });
      const log = createLogger(flags.logFormat ?? (ctx.stderrIsTTY ? 'text' : 'json'), flags.quiet ? 'error' : 'info');
      // A months-long run with a bounded live set: let V8 grow the old generation by 20 % over what
      // survived the last full GC instead of its default (up to 4x), which keeps the resident size near
      // the live set under a SYN flood (measured: 415 -> 266 MB peak). Read by V8 at every GC, so
      // setting it now takes effect; --max-old-space-size could not be.
      if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=20');
      const summary = await runLive(cfg, {
        log,
        clock: systemClock,
        memRss: () => process.memoryUsage.rss(),
        signals: process,
      });
      ctx.setExitCode(summary.exitCode);
    });
}
