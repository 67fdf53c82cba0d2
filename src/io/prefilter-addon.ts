/**
 * The prefilter's addon (build/Release/amtwatch_read.node, src/io/native/amtwatch_read.c): loading
 * it, and starting it early. Kept apart from prefilter.ts so that the command's launcher
 * (cli/launch.ts) can start the walk of the first capture before the rest of amtwatch has loaded
 * (about 45 ms of module loading that the native thread spends reading the file instead); the
 * reader adopts that walk when it opens the same file with the same limits and ports, and closes it
 * otherwise.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { Limits } from '../core/limits.js';
import { requireAddon } from './addon.js';

export interface PrefilterAddon {
  open(fd: number, maxFrame: number, maxBlock: number, maxIfaces: number, watched: Uint8Array): object;
  capacity(h: object): number;
  next(h: object, buf: Buffer): number;
  close(h: object): void;
}

let addon: PrefilterAddon | null | undefined;

/** The addon, or null when it is not built or cannot load (reading then stays in JavaScript). */
export function loadPrefilter(): PrefilterAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  try {
    addon = requireAddon('amtwatch_read') as PrefilterAddon;
  } catch {
    addon = null; // not built, or a broken build: offline reading goes on without it
  }
  return addon;
}

/** Starts the walk of `fd` with these limits and ports; null when the addon is missing or fails. */
export function openPrefilter(fd: number, limits: Limits, watched: Uint8Array): object | null {
  const a = loadPrefilter();
  if (a === null) return null;
  try {
    return a.open(fd, limits.maxFrameBytes, limits.maxPcapngBlockBytes, limits.maxPcapngInterfaces, watched);
  } catch {
    return null;
  }
}

interface Prestarted {
  dev: number;
  ino: number;
  handle: object;
  limits: Limits;
  watched: Uint8Array;
}

/**
 * The early walk. On globalThis, not in this module: the executable's launcher and the command it
 * loads are separate bundles (.ci/bundle.mjs), each with its own copy of this module.
 */
const EARLY = Symbol.for('amtwatch.prefilter.early');
type EarlyHolder = { [EARLY]?: Prestarted | null };
function getEarly(): Prestarted | null {
  return (globalThis as EarlyHolder)[EARLY] ?? null;
}
function setEarly(e: Prestarted | null): void {
  (globalThis as EarlyHolder)[EARLY] = e;
}

/**
 * Starts the prefilter on `path` now, if it is a regular file (never waits on a FIFO or a device)
 * larger than the read buffer (the reader walks only those; `smallFilesToo` for tests), to be
 * adopted by the reader later. Never throws: a file that cannot be opened is left to the
 * reader, which reports it.
 */
export function prestartPrefilter(path: string, limits: Limits, watched: Uint8Array, smallFilesToo = false): void {
  if (getEarly() !== null || loadPrefilter() === null) return;
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() || (st.size <= limits.readBufferBytes && !smallFilesToo)) return; // the reader does not walk those
    const handle = openPrefilter(fd, limits, watched);
    if (handle !== null) setEarly({ dev: st.dev, ino: st.ino, handle, limits, watched });
  } catch {
    // the reader opens it again and says what is wrong
  } finally {
    if (fd >= 0) closeSync(fd); // the addon has its own descriptor
  }
}

/**
 * The early walk, if it was started on the file open on `fd` with the same limits and ports (it is
 * then the caller's to close); else null, and an early walk of anything else is closed. Asked once
 * per input: only the first can match.
 */
export function adoptPrefilter(fd: number, limits: Limits, watched: Uint8Array): object | null {
  const e = getEarly();
  if (e === null) return null;
  setEarly(null);
  let same = false;
  try {
    const st = fstatSync(fd);
    same =
      st.dev === e.dev &&
      st.ino === e.ino &&
      e.limits.maxFrameBytes === limits.maxFrameBytes &&
      e.limits.maxPcapngBlockBytes === limits.maxPcapngBlockBytes &&
      e.limits.maxPcapngInterfaces === limits.maxPcapngInterfaces &&
      Buffer.compare(e.watched, watched) === 0;
  } catch {
    same = false;
  }
  if (same) return e.handle;
  (loadPrefilter() as PrefilterAddon).close(e.handle);
  return null;
}

/** True while an early walk waits to be adopted (tests). */
export function hasPrestarted(): boolean {
  return getEarly() !== null;
}

/** Closes an early walk nobody adopted (a run that read no plain file first). */
export function dropPrestarted(): void {
  const e = getEarly();
  setEarly(null);
  if (e !== null) loadPrefilter()?.close(e.handle);
}
