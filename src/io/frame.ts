/**
 * A captured frame as the readers hand it on. One Frame object is reused for every frame of a
 * reader: consumers must not keep it (or `data`) past the synchronous callback.
 */
import type { Micros } from '../core/time.js';

/** Link-layer header types (https://www.tcpdump.org/linktypes.html) the decoder understands. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_DLT12 = 12; // DLT_RAW on most BSDs, seen in some files
export const LINKTYPE_RAW_DLT14 = 14; // DLT_RAW on OpenBSD
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface Frame {
  /** 1-based number of this frame within its file (or since capture start, live). */
  index: number;
  /** Capture time, integer microseconds since the epoch. */
  ts: Micros;
  linkType: number;
  /** The bytes: frame is data[off..end). Valid only during the callback. */
  data: Uint8Array;
  off: number;
  end: number;
  /** Original length on the wire (>= end - off when the capture was snapped). */
  wireLen: number;
  /** Byte offset of this record's header in the (decompressed) input. */
  fileOffset: number;
  /** Interface id (pcapng IDB index, live interface index, 0 for classic pcap). */
  iface: number;
}

export function newFrame(): Frame {
  return { index: 0, ts: 0, linkType: 0, data: new Uint8Array(0), off: 0, end: 0, wireLen: 0, fileOffset: 0, iface: 0 };
}

export type FrameSink = (frame: Frame) => void;
