/**
 * Loading amtwatch's native addons from node-gyp's build/Release, relative to the module that runs
 * this: dist/io/addon.js, src/io/addon.ts (tests), or a bundle in dist/ (dist/amtwatch.mjs,
 * dist/amtwatch-main.cjs).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const BUILD_DIRS = ['../../build/Release/', '../build/Release/'];

/** require() of build/Release/<name>.node; throws as require() does (MODULE_NOT_FOUND when it is not built). */
export function requireAddon(name: 'amtwatch_pcap' | 'amtwatch_read'): unknown {
  const paths = BUILD_DIRS.map((d) => `${d}${name}.node`);
  const found = paths.find((p) => existsSync(new URL(p, import.meta.url)));
  return createRequire(import.meta.url)(found ?? (paths[0] as string));
}
