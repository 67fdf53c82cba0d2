/** `amtwatch check-policy FILE`: validates a policy file and prints what it allows. */
import { Command } from 'commander';
import { loadPolicyFile } from '../../app/config.js';
import type { CliContext } from '../context.js';

export function checkPolicyCommand(ctx: CliContext): Command {
  return new Command('check-policy')
    .description('validate a policy file (exit 0 when valid, 2 with one line naming the problem otherwise)')
    .argument('<file>', 'policy file (YAML)')
    .action((file: string) => {
      const p = loadPolicyFile(file);
      const list = (cs: { text: string }[]) => (cs.length ? cs.map((c) => c.text).join(', ') : '(none)');
      process.stdout.write(
        `${file}: valid\n  authorized consoles: ${list(p.authorized)}\n  AMT inventory: ${p.amtHosts === null ? '(not given: no rogue-device check)' : list(p.amtHosts)}\n`,
      );
      ctx.setExitCode(0);
    });
}
