/**
 * Turns the names given on the command line into the list of inputs to read: files as given,
 * '-' as standard input, folders expanded (recursively, sorted) to the capture files inside them.
 * Inside a folder a file counts as a capture when its first bytes are a pcap, pcapng or gzip magic;
 * other files (READMEs, scripts) are skipped and listed as skipped.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ExpandedInputs {
  /** Paths (or '-') in reading order. */
  files: string[];
  /** Files inside named folders that are not captures. */
  skipped: string[];
}

const MAGICS = [
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
  [0x0a, 0x0d, 0x0d, 0x0a],
];

export function looksLikeCapture(path: string): boolean {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
    if (n < 4) return false;
    return MAGICS.some((m) => m.every((v, i) => b[i] === v));
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function expandInputs(names: readonly string[]): ExpandedInputs {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      files.push(dir); // let the reader report why it cannot be read
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) (looksLikeCapture(p) ? files : skipped).push(p);
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
    if (isDir) walk(n);
    else files.push(n);
  }
  return { files, skipped };
}
