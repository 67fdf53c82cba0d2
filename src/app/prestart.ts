/**
 * Starting the offline prefilter before the command has loaded (cli/launch.ts): the first capture
 * of `amtwatch read`, with the default limits and the ports the run watches (with or without
 * --extended-ports). The reader adopts the walk only if it opens that same file with the same
 * limits and ports (io/prefilter-addon.ts), so a wrong guess costs a little reading, never a
 * wrong result.
 */
import { watchedTcpPorts } from '../core/flow.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { prestartPrefilter } from '../io/prefilter-addon.js';

export function prestartRead(path: string, extendedPorts: boolean): void {
  prestartPrefilter(path, DEFAULT_LIMITS, watchedTcpPorts(extendedPorts));
}
