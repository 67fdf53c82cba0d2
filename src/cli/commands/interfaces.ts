/** `amtwatch interfaces`: the capture devices libpcap can open, with addresses and flags. */
import { Command, Option } from 'commander';
import { listCaptureInterfaces } from '../../app/live.js';
import type { CliContext } from '../context.js';

export function interfacesCommand(ctx: CliContext): Command {
  return new Command('interfaces')
    .description('list the capture devices (for amtwatch live -i) with their addresses, description and flags')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  amtwatch interfaces
  amtwatch interfaces --format json | jq -r '.[] | select(.up and (.loopback | not)) | .name'

No privilege is needed. Exit code 5 when live capture is unavailable (libpcap or the addon missing).`,
    )
    .action((flags: { format: 'text' | 'json' }) => {
      process.stdout.write(listCaptureInterfaces(flags.format));
      ctx.setExitCode(0);
    });
}
