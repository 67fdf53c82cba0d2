/**
 * The offline prefilter: a plain classic pcap or pcapng file walked by the native addon
 * (src/io/native/amtwatch_read.c) on its own thread, so the bulk of a large capture never reaches
 * JavaScript. The addon turns every record that the pipeline's fast path would drop unseen into a
 * SKIP item (timestamp words and captured length: the pipeline still counts the frame and moves its
 * clock with it, FastPathSink.skippedRun) and copies every other record whole (RAW), which the usual
 * format parser reads as if from the file. At anything it does not handle itself it stops with the
 * file offset where the JavaScript reader takes over (driveFileFrom), so every problem is reported
 * by the same code and in the same words with or without the addon.
 *
 * Optional: when the addon is not built, cannot load, or AMTWATCH_PREFILTER=0, reading is done in
 * JavaScript (source.ts driveFile), with the same results.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Limits } from '../core/limits.js';
import type { FormatParser } from './context.js';
import { PcapParser } from './pcap.js';
import { adoptPrefilter, loadPrefilter, openPrefilter, type PrefilterAddon } from './prefilter-addon.js';
import { PcapngParser } from './pcapng.js';
import { driveFileFrom, type Reader } from './source.js';

/** What the pipeline gives the reader so that frames its fast path drops can be dropped earlier. */
export interface FastPathSink {
  /** 1 for every port whose frames the pipeline looks at (a frame with neither is dropped unseen). */
  readonly watchedPorts: Uint8Array;
  /**
   * Frames the fast path drops, in file order: their times ts[0..n) and their captured bytes in
   * all; counted and timed exactly as if they had gone through the sink one by one.
   */
  skippedRun(ts: Float64Array, n: number, capBytes: number): void;
}

const PF_MAGIC = 0x50464331;
const PF_RAW = 1;
const PF_SKIP_PCAP = 2;
const PF_SKIP_NG = 3;
const PF_END = 4;
const PF_HDR_WORDS = 4;
const TWO_32 = 4294967296;
/** Chunks taken between yields to the event loop (so output streams drain and signals are seen). */
const CHUNKS_PER_YIELD = 8;

/**
 * What the prefilter did in this process (diagnostics and tests): files walked, frames it dropped
 * before JavaScript, and walks that ended by handing the rest of a file to the JavaScript reader
 * before its end.
 */
export const prefilterCounters = { files: 0, skippedFrames: 0, handovers: 0 };

/** True when the prefilter addon is built and loads (tests). */
export function prefilterAvailable(): boolean {
  return loadPrefilter() !== null;
}

let spare: Buffer | null = null;

/**
 * Reads the regular file open on `fd` (`size` bytes) through the prefilter. The reader has sniffed
 * its parser from the first bytes (reader.parser set) and holds nothing else. Returns false, having read nothing,
 * when the prefilter cannot be used for this parser (the caller then reads the file itself).
 */
export async function drivePrefiltered(reader: Reader, fd: number, size: number, fast: FastPathSink, limits: Limits): Promise<boolean> {
  const p = reader.parser;
  const pcap = p instanceof PcapParser && !p.kuznetzov ? p : null;
  const ng = p instanceof PcapngParser ? p : null;
  if (p === null || (pcap === null && ng === null)) return false;
  const a = loadPrefilter();
  if (a === null) return false;
  const h = adoptPrefilter(fd, limits, fast.watchedPorts) ?? openPrefilter(fd, limits, fast.watchedPorts);
  if (h === null) return false;
  prefilterCounters.files++;
  let handover = -1;
  try {
    const cap = a.capacity(h);
    let buf = spare;
    spare = null;
    if (buf === null || buf.length < cap) buf = Buffer.allocUnsafeSlow(cap);
    try {
      handover = await consume(a, h, buf, reader, p, pcap, ng, fast);
    } finally {
      spare = buf;
    }
  } finally {
    a.close(h);
  }
  if (handover >= 0 && !reader.stopped) {
    if (handover < size) prefilterCounters.handovers++;
    await driveFileFrom(reader, fd, handover);
  }
  return true;
}

/** Takes chunks until END (returns its offset) or until the parser stops (returns -1). */
async function consume(
  a: PrefilterAddon,
  h: object,
  buf: Buffer,
  reader: Reader,
  p: FormatParser,
  pcap: PcapParser | null,
  ng: PcapngParser | null,
  fast: FastPathSink,
): Promise<number> {
  const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
  // the times of one SKIP run (a run never spans chunks; an item is at least 12 bytes)
  const ts = new Float64Array(Math.ceil(buf.length / 12));
  let chunks = 0;
  for (;;) {
    const n = a.next(h, buf);
    // No chunk without an END: the walk could not go on (out of memory); JS takes over where it is.
    if (n < PF_HDR_WORDS * 4 || w[0] !== PF_MAGIC) return reader.base;
    const words = n >>> 2;
    let i = PF_HDR_WORDS;
    while (i < words) {
      const tag = w[i] as number;
      if (tag === PF_SKIP_PCAP || tag === PF_SKIP_NG) {
        // pcap items are [sec, frac, caplen], pcapng items [interface, ts hi, ts lo, caplen]
        const count = w[i + 1] as number;
        prefilterCounters.skippedFrames += count;
        const q = (tag === PF_SKIP_PCAP ? pcap : ng) as PcapParser | PcapngParser;
        fast.skippedRun(ts, count, q.skipped(w, i + 2, count, ts));
        i += 2 + count * (tag === PF_SKIP_PCAP ? 3 : 4);
      } else if (tag === PF_RAW) {
        const len = w[i + 1] as number;
        const at = (w[i + 2] as number) + (w[i + 3] as number) * TWO_32;
        const off = (i + 4) * 4;
        const pos = p.parse(buf, off, off + len, at - off);
        if (p.stopped) {
          reader.stopped = true;
          return -1;
        }
        if (pos !== off + len) return at + (pos - off); // cannot happen: whole units only
        reader.base = at + len;
        i += 4 + ((len + 3) >>> 2);
      } else if (tag === PF_END) {
        return (w[i + 2] as number) + (w[i + 3] as number) * TWO_32;
      } else {
        throw new Error(`prefilter: unknown entry ${tag}`); // cannot happen: becomes a fatal input error
      }
    }
    // every unit up to here has been parsed or counted
    reader.base = (w[2] as number) + (w[3] as number) * TWO_32;
    reader.progress(reader.base);
    await reader.outputRoom();
    if (++chunks === CHUNKS_PER_YIELD) {
      chunks = 0;
      await yieldToLoop();
    }
  }
}
