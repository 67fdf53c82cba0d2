/**
 * The launcher's guess (cli/launch.ts) of the first capture a command line reads, made before
 * commander has loaded. A wrong guess costs a little reading of a file the user named: the reader
 * adopts the early walk only for the file it really opens first (io/prefilter-addon.ts).
 */

/** `read` options that take a value (cli/commands/read.ts): their values are not captures. */
const VALUE_OPTIONS = new Set(['--authorized', '--amt-hosts', '-c', '--config', '-f', '--format', '-w', '--output', '--max-sessions', '--log-format']);

/** The first capture a `read` command line names, and whether it asks for extended ports; null when it names none. */
export function firstCapture(args: readonly string[]): { path: string; extendedPorts: boolean } | null {
  const a0 = args[0];
  if (a0 === undefined) return null;
  let i: number;
  if (a0 === 'read') i = 1;
  else if (a0 === '-r' || a0 === '--read' || a0.startsWith('--read=')) i = 0;
  else return null;
  let path: string | null = null;
  let extendedPorts = false;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      path ??= args[i + 1] ?? null;
      break;
    }
    if (a === '-r' || a === '--read') {
      path ??= args[i + 1] ?? null;
      i++;
    } else if (a.startsWith('--read=')) path ??= a.slice('--read='.length);
    else if (a === '--extended-ports') extendedPorts = true;
    else if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) path ??= a;
  }
  return path === null || path === '-' || path === '' ? null : { path, extendedPorts };
}
