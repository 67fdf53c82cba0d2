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
      const inventory =
        p.amtHosts === null ? '(not given: no rogue-device check)' : p.amtHosts.length === 0 ? '(empty: every AMT responder is a rogue device)' : list(p.amtHosts);
      const thresholds = Object.entries(p.thresholds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stdout.write(`${file}: valid\n  authorized consoles: ${list(p.authorized)}\n  AMT inventory: ${inventory}\n  thresholds: ${thresholds}\n`);
      ctx.setExitCode(0);
    });
}
