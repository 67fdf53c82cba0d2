#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * The `amtwatch` executable (bundled as dist/amtwatch.mjs by .ci/bundle.mjs). Two things before
 * the command line runs, both for start-up time, which is a third of tcpdump's whole time on a
 * 1 GB capture (the bar of `amtwatch read`):
 *  1. It guesses from the arguments the first capture of `amtwatch read` and starts the native
 *     prefilter on it (app/prestart.ts), so the file is being walked on the second core while the
 *     rest loads. The reader adopts the walk only for that same file (io/prefilter-addon.ts).
 *     AMTWATCH_PREFILTER=0 turns the prefilter off.
 *  2. It loads the command (cli/main.ts and everything under it, one CommonJS bundle,
 *     dist/amtwatch-main.cjs) with V8's code cache written at build time
 *     (dist/amtwatch-main.cache): the functions a run of the bundled captures compiled are not
 *     compiled again. A cache that does not fit this node binary or these flags is rejected by V8
 *     and everything is compiled as usual; a missing one is the same.
 *
 * The first line gives V8 a young generation of 2 x 8 MiB instead of 2 x 16 MiB: `amtwatch live`
 * under an all-AMT flood at tcpreplay's top speed peaked at 213 MB RSS with the default and 193 MB
 * with it, lossless both ways (`npm run bench:live`); `read` is no slower (amtonly.pcap: 3.81 s vs
 * 3.88 s). It can only be set when node starts: `node dist/amtwatch.mjs` without it still works,
 * with the larger young generation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { prestartRead } from '../app/prestart.js';
import { firstCapture } from './first-capture.js';

interface MainModule {
  main(argv: string[]): Promise<void>;
}

/** Where the bundle and its code cache are, beside this file (dist/). */
const here = dirname(fileURLToPath(import.meta.url));
const MAIN_BUNDLE = join(here, 'amtwatch-main.cjs');
const CODE_CACHE = join(here, 'amtwatch-main.cache');

/** Loads dist/amtwatch-main.cjs with the code cache; the unbundled build (dist/cli/) imports main.js. */
async function loadMain(): Promise<{ mod: MainModule; script: Script | null }> {
  if (!existsSync(MAIN_BUNDLE)) {
    return { mod: (await import(new URL('./main.js', import.meta.url).href)) as MainModule, script: null };
  }
  const source = readFileSync(MAIN_BUNDLE, 'utf8');
  let cachedData: Buffer | undefined;
  if (process.env.AMTWATCH_CODE_CACHE_OUT === undefined) {
    try {
      cachedData = readFileSync(CODE_CACHE);
    } catch {
      cachedData = undefined; // no cache: compiled as usual
    }
  }
  // The CommonJS wrapper, as node's own loader builds it
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: MAIN_BUNDLE,
    ...(cachedData !== undefined ? { cachedData } : {}),
  });
  const module = { exports: {} as MainModule };
  (script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void)(
    module.exports,
    createRequire(MAIN_BUNDLE),
    module,
    MAIN_BUNDLE,
    here,
  );
  return { mod: module.exports, script };
}

if (process.env.AMTWATCH_PREFILTER !== '0') {
  const first = firstCapture(process.argv.slice(2));
  if (first !== null) prestartRead(first.path, first.extendedPorts);
}
const { mod, script } = await loadMain();
await mod.main(process.argv);
// The build (.ci/bundle.mjs) runs the bundled captures once and keeps what V8 compiled.
const out = process.env.AMTWATCH_CODE_CACHE_OUT;
if (out !== undefined && script !== null) writeFileSync(out, script.createCachedData());
