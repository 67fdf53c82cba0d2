/**
 * Turns the names given on the command line into the list of inputs to read: files as given,
 * '-' as standard input, folders expanded (recursively, sorted) to the capture files inside them.
 * Inside a folder a file counts as a capture when its first bytes are a pcap, pcapng or gzip magic;
 * other files (READMEs, scripts) are skipped and listed as skipped. What cannot be looked at inside
 * a folder (no permission, a dangling link, a name that is not UTF-8) and a named folder without
 * any capture are problems: the run reports them as unreadable inputs, never silently.
 */
import { closeSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { E_OPEN_FAILED, E_UNKNOWN_FORMAT } from '../io/context.js';
import { openMessage } from '../io/open.js';
import { u32le } from '../core/bytes.js';
import { sniffPcap } from '../io/pcap.js';
import { BT_SHB } from '../io/pcapng.js';
import { GZIP_ID1, GZIP_ID2, otherCompression } from '../io/source.js';

export interface ExpandedInputs {
  /** Paths (or '-') in reading order. */
  files: string[];
  /** Files inside named folders that are not captures. */
  skipped: string[];
  /** Inputs that cannot be read, with why (in readCapture's codes and words). */
  problems: { file: string; code: string; message: string }[];
}

/** true / false by the first bytes, or why the file cannot be read (cannot be opened, or another compression). */
function sniffCapture(path: string): boolean | string {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    if (n >= 2 && b[0] === GZIP_ID1 && b[1] === GZIP_ID2) return true;
    // likely a capture in a compression amtwatch does not read: say so rather than skip it
    const other = otherCompression(b, 0, n);
    if (other !== null) return `unknown format: ${other}`;
    if (n < 4) return false;
    // the readers' own magics: every classic pcap variant, or a pcapng section header
    return sniffPcap(b, 0) !== null || u32le(b, 0) === BT_SHB;
  } catch (e) {
    return cannot(e);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The reader's wording; a name listed in a folder that cannot be found is a dangling link. */
function cannot(e: unknown): string {
  const m = openMessage(e);
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? `${m} (a dangling link?)` : m;
}

export function expandInputs(names: readonly string[]): ExpandedInputs {
  const files: string[] = [];
  const skipped: string[] = [];
  const problems: { file: string; code: string; message: string }[] = [];
  const walk = (dir: string): void => {
    let entries: Buffer[];
    try {
      entries = readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare);
    } catch (e) {
      problems.push({ file: dir, code: E_OPEN_FAILED, message: `cannot list the folder: ${cannot(e).replace(/^cannot open: /, '')}` });
      return;
    }
    for (const raw of entries) {
      const name = raw.toString('utf8');
      const p = join(dir, name);
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        problems.push({ file: p, code: E_OPEN_FAILED, message: 'cannot open: the file name is not valid UTF-8; rename the file' });
        continue;
      }
      let st: Stats;
      try {
        st = statSync(p);
      } catch (e) {
        problems.push({ file: p, code: E_OPEN_FAILED, message: cannot(e) });
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const c = sniffCapture(p);
        if (typeof c === 'string') problems.push({ file: p, code: c.startsWith('unknown format') ? E_UNKNOWN_FORMAT : E_OPEN_FAILED, message: c });
        else (c ? files : skipped).push(p);
      }
    }
  };
  for (const n of names) {
    if (n === '-') {
      files.push(n);
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(n).isDirectory();
    } catch {
      // missing: the reader reports it
    }
    if (isDir) {
      const before = files.length + problems.length;
      walk(n);
      if (files.length + problems.length === before) {
        problems.push({ file: n, code: E_UNKNOWN_FORMAT, message: 'no capture file in this folder (nothing with a pcap, pcapng or gzip magic)' });
      }
    } else files.push(n);
  }
  return { files, skipped, problems };
}
