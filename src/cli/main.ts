/**
 * The amtwatch command line: a thin commander shell over app/. Prints exactly one line for a
 * person on any error and sets the documented exit code; never calls process.exit mid-write.
 * Run by the executable, cli/launch.ts, which calls main().
 */
import { writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { escapeControls } from '../app/log.js';
import { EXIT_INTERNAL, EXIT_USAGE, isAmtwatchError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { checkPolicyCommand } from './commands/check-policy.js';
import { interfacesCommand } from './commands/interfaces.js';
import { liveCommand } from './commands/live.js';
import { readCommand } from './commands/read.js';

/** The package version, from package.json next to dist/ (dist/cli/main.js or the bundle dist/amtwatch.mjs). */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'amtwatch' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}
const VERSION = packageVersion();

function say(line: string): void {
  try {
    writeSync(2, `${line.split('\n').map(escapeControls).join('\n')}\n`);
  } catch {
    // standard error closed
  }
}

/** Usage errors: exactly one line, with where to look for help. */
function oneLineErrors(cmd: Command, helpHint: string): Command {
  return cmd
    .configureOutput({
      writeOut: (s) => {
        try {
          writeSync(1, s);
        } catch {
          // `amtwatch --help | head -1`: the reader went away
        }
      },
      writeErr: (s) => say(s.trimEnd()),
      outputError: (s, write) => write(`amtwatch: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see ${helpHint})`),
    })
    .exitOverride();
}

export function buildProgram(ctx: CliContext): Command {
  const program = oneLineErrors(
    new Command('amtwatch')
      .description('Finds unauthorized Intel AMT sessions (TCP 16992-16995) in captures and on the wire.')
      .version(VERSION, '-V, --version'),
    'amtwatch --help',
  );
  program.addCommand(oneLineErrors(readCommand(ctx), 'amtwatch read --help'));
  program.addCommand(oneLineErrors(checkPolicyCommand(ctx), 'amtwatch check-policy --help'));
  program.addCommand(oneLineErrors(liveCommand(ctx), 'amtwatch live --help'));
  program.addCommand(oneLineErrors(interfacesCommand(ctx), 'amtwatch interfaces --help'));
  program.addHelpText(
    'after',
    `
Examples:
  amtwatch read --config amtwatch.yaml capture.pcapng
  amtwatch read -r - < capture.pcap
  amtwatch check-policy amtwatch.yaml
  amtwatch live -i eth1 --config amtwatch.yaml
  amtwatch interfaces`,
  );
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let progressShown = false;
  // a reader that goes away (`amtwatch check-policy p.yaml | head -1`) ends the output, not the
  // process with a stack trace; record output has its own handling (report/output.ts, app/live.ts)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') say(`amtwatch: standard output: ${e.message}`);
  });
  const ctx: CliContext = {
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    noColor: process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '',
    prefilter: process.env.AMTWATCH_PREFILTER !== '0',
    error: say,
    progress: (line) => {
      try {
        writeSync(2, line === '' ? '\r\x1b[K' : `\r\x1b[K${line}`);
        progressShown = line !== '';
      } catch {
        // ignore
      }
    },
    setExitCode: (c) => {
      process.exitCode = c;
    },
  };
  // tcpdump habit: `amtwatch -r file` means `amtwatch read -r file`
  const args = argv.slice(2);
  if (args.length > 0 && (args[0] === '-r' || args[0]?.startsWith('--read'))) args.unshift('read');
  try {
    await buildProgram(ctx).parseAsync(args, { from: 'user' });
  } catch (e) {
    if (progressShown) ctx.progress('');
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (isAmtwatchError(e)) {
      say(`amtwatch: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    say(`amtwatch: internal error: ${(e as Error)?.stack ?? String(e)}`);
    process.exitCode = EXIT_INTERNAL;
  }
}
