/**
 * What every capture reader shares: the input error codes, the per-file error list (bounded), the
 * one reused Frame, and the interface between the byte drivers (source.ts) and the format parsers
 * (pcap.ts, pcapng.ts).
 *
 * Error codes are stable dotted strings (never renamed once shipped). The README lists them; this
 * is the source of truth:
 */
import type { Limits } from '../core/limits.js';
import type { InputErrorEntry } from '../records/index.js';
import { newFrame, type Frame, type FrameSink } from './frame.js';

// ---------------------------------------------------------------- input / transport
/** The input could not be opened: missing, no permission, a directory, no path or stream given. */
export const E_OPEN_FAILED = 'input.open_failed';
/** The input holds no bytes at all (after decompression). */
export const E_EMPTY = 'input.empty';
/** The first bytes are no pcap, pcapng or gzip magic (or the input is shorter than any magic). */
export const E_UNKNOWN_FORMAT = 'input.unknown_format';
/** Reading failed after the input was opened (I/O error, stream error). */
export const E_READ_FAILED = 'input.read_failed';
/** More problems than limits.maxInputErrorsKept in one file: this one entry counts the rest. */
export const E_ERRORS_SUPPRESSED = 'input.errors_suppressed';
/** The gzip stream is corrupt (bad header fields, bad deflate data, CRC or length mismatch). */
export const E_GZIP_CORRUPT = 'gzip.corrupt';
/** The gzip stream ends early (compressed input cut off). */
export const E_GZIP_TRUNCATED = 'gzip.truncated';
/** Bytes after the last gzip member that are neither zero padding nor another member: ignored (not fatal). */
export const E_GZIP_TRAILING_GARBAGE = 'gzip.trailing_garbage';

// ---------------------------------------------------------------- classic pcap
/** The 24-byte file header is cut off or unusable (unsupported version). */
export const E_PCAP_BAD_HEADER = 'pcap.bad_header';
/** A record's captured length is over limits.maxFrameBytes: the stream cannot be trusted past it (fatal). */
export const E_PCAP_RECORD_TOO_LARGE = 'pcap.record_too_large';
/** A record's captured length is over the file header's snaplen (but within the limit): delivered, reported. */
export const E_PCAP_CAPLEN_OVER_SNAPLEN = 'pcap.caplen_exceeds_snaplen';
/** A record's captured length is over its original length: delivered with wireLen = caplen, reported. */
export const E_PCAP_CAPLEN_OVER_ORIGLEN = 'pcap.caplen_exceeds_origlen';
/** The file ends inside a record header or body. */
export const E_PCAP_TRUNCATED_RECORD = 'pcap.truncated_record';

// ---------------------------------------------------------------- pcapng
/** The input looks like pcapng blocks but does not start with a Section Header Block. */
export const E_NG_NO_SECTION = 'pcapng.no_section';
/** A Section Header Block's byte-order magic is neither 1a2b3c4d nor 4d3c2b1a. */
export const E_NG_BAD_MAGIC = 'pcapng.bad_magic';
/** A section's major version is not 1. */
export const E_NG_BAD_VERSION = 'pcapng.bad_version';
/**
 * A block length that cannot be right: < 12, not a multiple of 4, trailing copy different (fatal);
 * or a block too short for its type, or a packet block whose captured length runs past the block
 * (fatal for SHB/IDB, the block is skipped for packet blocks).
 */
export const E_NG_BAD_BLOCK_LENGTH = 'pcapng.bad_block_length';
/** A block over limits.maxPcapngBlockBytes or a packet over limits.maxFrameBytes: skipped by its length. */
export const E_NG_BLOCK_TOO_LARGE = 'pcapng.block_too_large';
/** The file ends inside a block. */
export const E_NG_TRUNCATED_BLOCK = 'pcapng.truncated_block';
/** A packet block names an interface the section has not defined: that block is skipped. */
export const E_NG_BAD_INTERFACE = 'pcapng.bad_interface';
/** An IDB option is malformed or has an unusable value: the rest of its options are ignored. */
export const E_NG_BAD_OPTION = 'pcapng.bad_option';
/** A section defines more than limits.maxPcapngInterfaces interfaces: the extra ones are ignored. */
export const E_NG_TOO_MANY_INTERFACES = 'pcapng.too_many_interfaces';
/** A packet block's captured length is over its original length: delivered with wireLen = caplen. */
export const E_NG_CAPLEN_OVER_ORIGLEN = 'pcapng.caplen_exceeds_origlen';

/** Why the byte source ended, as the driver tells the parser. */
export interface EndCause {
  /** Error code to report at the parser's current position (gzip.truncated, gzip.corrupt, input.read_failed). */
  code: string;
  /** One clause for the message, e.g. "the gzip stream ends early". */
  why: string;
}

/**
 * A format parser: fed windows of a fixed buffer by a driver (source.ts). It consumes whole
 * records/blocks only, calls the sink inline, and never throws on bad input.
 */
export interface FormatParser {
  readonly format: 'pcap' | 'pcap-ns' | 'pcapng';
  /**
   * Parses complete units in buf[pos..end); `base` is the input offset of buf[0]. Returns the new
   * position (bytes before it are consumed). When it sets `skip` > 0 it has consumed up to `end`
   * and the driver must discard the next `skip` input bytes without handing them in.
   */
  parse(buf: Uint8Array, pos: number, end: number, base: number): number;
  /** Bytes the driver still has to discard (a block skipped by its length). */
  skip: number;
  /** Reading must stop (a fatal error was reported). */
  stopped: boolean;
  /** The file header (pcap) or the first SHB (pcapng) was read: the input is not "unreadable". */
  headerDone: boolean;
  /** Frames handed to the sink so far. */
  readonly delivered: number;
  /** Number of the last frame seen (delivered or, in pcapng, skipped for an error). */
  readonly index: number;
  /** Input offset where a fatal problem starts (valid when stopped). */
  stopOffset: number;
  /**
   * The input ended with buf[pos..end) unconsumed (and `skip` maybe still owed). `cause` null means
   * a clean end of input: the parser reports its own truncation code if anything is left.
   */
  finish(buf: Uint8Array, pos: number, end: number, base: number, cause: EndCause | null): void;
}

/** Per-file reading state shared by the parsers: errors (bounded), frames, the reused Frame. */
export class ReadContext {
  readonly errors: InputErrorEntry[] = [];
  readonly frame: Frame = newFrame();
  private suppressed = 0;
  private suppressedFrame = 0;
  private suppressedOffset = 0;
  private readonly keep: number;

  /** The caller's sink, wrapped so that an exception escaping it can be told apart from a reader bug. */
  readonly sink: FrameSink;
  /** True while the caller's sink runs (left true if it threw). */
  inSink = false;

  constructor(
    readonly file: string,
    readonly limits: Limits,
    sink: FrameSink,
  ) {
    this.keep = Math.max(1, limits.maxInputErrorsKept);
    this.sink = (f: Frame): void => {
      this.inSink = true;
      sink(f);
      this.inSink = false;
    };
  }

  /**
   * True when a non-fatal error would be kept: callers check it before building a message, so a
   * flood of bad blocks costs a counter, not a string each.
   */
  wouldKeep(): boolean {
    return this.errors.length < this.keep;
  }

  /** Records an error. Fatal ones are always kept; non-fatal ones up to limits.maxInputErrorsKept. */
  report(code: string, frame: number, offset: number, message: string, fatal: boolean): void {
    if (fatal || this.errors.length < this.keep) {
      this.errors.push({ file: this.file, frame, offset, code, message, fatal });
    } else {
      this.countSuppressed(frame, offset);
    }
  }

  /** Counts a non-fatal error that is not kept (see wouldKeep). */
  countSuppressed(frame: number, offset: number): void {
    if (this.suppressed === 0) {
      this.suppressedFrame = frame;
      this.suppressedOffset = offset;
    }
    this.suppressed++;
  }

  /** Adds the "N more problems" entry, in file order, if any were suppressed. */
  close(): void {
    if (this.suppressed === 0) return;
    const entry: InputErrorEntry = {
      file: this.file,
      frame: this.suppressedFrame,
      offset: this.suppressedOffset,
      code: E_ERRORS_SUPPRESSED,
      message: `${this.suppressed} more problem(s) in this file from here on were not listed (limit ${this.keep} per file)`,
      fatal: false,
    };
    let i = this.errors.length;
    while (i > 0 && (this.errors[i - 1] as InputErrorEntry).offset > entry.offset) i--;
    this.errors.splice(i, 0, entry);
    this.suppressed = 0;
  }
}

/** "1 byte", "37 bytes". */
export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
