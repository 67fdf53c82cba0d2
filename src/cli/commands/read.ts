/** `amtwatch read`: flags -> ReadRequest -> app. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildReadConfig, OUTPUT_FORMATS, type OutputFormat, type ReadRequest } from '../../app/config.js';
import { createLogger } from '../../app/log.js';
import { openOutput } from '../../app/output.js';
import { checkOutputNotInput, runRead } from '../../app/read.js';
import type { CliContext } from '../context.js';

export function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
    }
    return Number(v);
  };
}

export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

interface ReadFlags {
  read?: string[];
  authorized?: string[];
  amtHosts?: string[];
  config?: string;
  format?: OutputFormat;
  output?: string;
  maxSessions?: number;
  progress: boolean;
  color: boolean;
  verbose?: boolean;
  extract?: boolean;
  extendedPorts?: boolean;
  logFormat?: 'text' | 'json';
  quiet?: boolean;
}

export function readCommand(ctx: CliContext): Command {
  return new Command('read')
    .description('analyse capture files (pcap, pcapng, gzip-compressed; folders; - for standard input) and report AMT sessions')
    .argument('[file...]', 'capture files or folders to read, in order; - reads standard input')
    .option('-r, --read <file>', 'a capture file to read (repeatable; - for standard input)', collect)
    .option('--authorized <cidrs>', 'authorized management consoles, comma-separated addresses or CIDR prefixes (repeatable)', collect)
    .option('--amt-hosts <cidrs>', 'inventory of known AMT endpoints, comma-separated (repeatable); others are rogue devices', collect)
    .option('-c, --config <file>', 'policy file (YAML: authorized, amt_hosts, thresholds)')
    .addOption(new Option('-f, --format <format>', 'output format (default: text on a terminal, ndjson otherwise)').choices(OUTPUT_FORMATS))
    .option('-w, --output <file>', 'write records to this file instead of standard output')
    .option('--max-sessions <n>', 'concurrent TCP sessions tracked before the least recently active is evicted (default 65536)', positiveInt('--max-sessions'))
    .option('--no-progress', 'do not show progress on standard error')
    .option('--no-color', 'no colour in text output')
    .option('-v, --verbose', 'text format: list authorized sessions too')
    .option('--extract', 'keep serial-over-LAN console transcripts in amt_redir records (bounded)')
    .option(
      '--extended-ports',
      'also TCP 623/664 (DASH WS-Management), UDP 623 (RMCP presence ping/pong: rmcp records) and TCP 5900 (an AMT session only when the RFB desktop name is "Intel(r) AMT KVM")',
    )
    .addOption(new Option('--log-format <format>', 'standard error log lines (default: text on a terminal, json otherwise)').choices(['text', 'json']))
    .option('-q, --quiet', 'only errors on standard error (no warnings)')
    .addHelpText(
      'after',
      `
Examples:
  amtwatch read --config amtwatch.yaml capture.pcapng
  amtwatch read --authorized 10.1.0.0/24 --amt-hosts 10.2.0.0/16 /srv/captures/
  tcpdump -w - -i eth0 'tcp portrange 16992-16995' | amtwatch read -r - --format ndjson
  amtwatch read -f csv -w sessions.csv span-*.pcap.gz

Exit codes: 0 no unauthorized AMT session, 1 unauthorized sessions found, 2 usage or configuration error,
3 an input could not be read at all.`,
    )
    .action(async (files: string[], flags: ReadFlags) => {
      const inputs = [...files, ...(flags.read ?? [])];
      const req: ReadRequest = {
        inputs,
        progress: flags.progress && ctx.stderrIsTTY,
        color: flags.color,
        ...(flags.authorized ? { authorized: flags.authorized } : {}),
        ...(flags.amtHosts ? { amtHosts: flags.amtHosts } : {}),
        ...(flags.config !== undefined ? { config: flags.config } : {}),
        ...(flags.format !== undefined ? { format: flags.format } : {}),
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.maxSessions !== undefined ? { maxSessions: flags.maxSessions } : {}),
        ...(flags.verbose ? { verbose: true } : {}),
        ...(flags.extract ? { extract: true } : {}),
        ...(flags.extendedPorts ? { extendedPorts: true } : {}),
      };
      const cfg = buildReadConfig(req, { stdoutIsTTY: ctx.stdoutIsTTY, stderrIsTTY: ctx.stderrIsTTY, noColor: ctx.noColor });
      const log = createLogger(flags.logFormat ?? (ctx.stderrIsTTY ? 'text' : 'json'), flags.quiet ? 'error' : 'info');
      checkOutputNotInput(cfg);
      const out = openOutput(cfg.output);
      const summary = await runRead(cfg, {
        stdin: ctx.stdin,
        out,
        log,
        progress: cfg.progress ? (line) => ctx.progress(line) : null,
        nowMs: () => Date.now(),
        memRss: () => process.memoryUsage.rss(),
        prefilter: ctx.prefilter,
      });
      ctx.setExitCode(summary.exitCode);
    });
}
