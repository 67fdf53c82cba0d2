/**
 * Live capture: libpcap through our own Node-API addon (build/Release/amtwatch_pcap.node, derived from
 * cap 0.2.1; source in src/io/native/). The addon is loaded lazily, only when live capture or the
 * interface list is asked for, so offline reading works where it was never built.
 *
 * The addon copies each packet into a JS-owned batch buffer as
 *   [ts_sec u32][ts_usec u32][caplen u32][origlen u32][bytes, padded to 4]   (host byte order)
 * and calls back once per batch. This module turns each record into the shared Frame (one object
 * reused for every packet of every interface; `data` is a view into the batch buffer, valid only
 * during the callback) so that several interfaces feed one pipeline, in arrival order per interface.
 * The frame's time is libpcap's (kernel) timestamp, not the time of the callback.
 *
 * Nothing here touches `process`.
 */
import { AmtwatchError } from '../core/errors.js';
import { requireAddon } from './addon.js';
import type { Micros } from '../core/time.js';
import { newFrame, type FrameSink } from './frame.js';

const AMT_PRIMITIVES = 'tcp portrange 16992-16995';

/** The kernel filter: every TCP segment to or from an AMT port, with or without one 802.1Q tag. */
export const AMT_BPF = `${AMT_PRIMITIVES} or (vlan and ${AMT_PRIMITIVES})`;

/** The ports of --extended-ports: DASH on TCP 623/664, RMCP on UDP 623, the AMT KVM server on TCP 5900. */
const EXTENDED_PRIMITIVES = `${AMT_PRIMITIVES} or tcp port 623 or tcp port 664 or udp port 623 or tcp port 5900`;

/** The kernel filter with --extended-ports, untagged and with one 802.1Q tag. */
export const AMT_EXTENDED_BPF = `${EXTENDED_PRIMITIVES} or (vlan and (${EXTENDED_PRIMITIVES}))`;

/**
 * The BPF program installed on an interface: AMT_BPF (AMT_EXTENDED_BPF with `extendedPorts`),
 * narrowed by the user's --filter. `vlan` false gives the program for a link type without 802.1Q
 * tags (Linux cooked `any`, raw IP tun/WireGuard, PPP), where libpcap refuses the `vlan` keyword.
 * The user's expression comes first: libpcap's `vlan` moves the offsets of what follows it, so
 * after the built-in `vlan` half a user's `vlan 42` would test an inner (QinQ) tag and match nothing.
 */
export function buildBpf(extra: string | null, extendedPorts = false, vlan = true): string {
  const base = vlan ? (extendedPorts ? AMT_EXTENDED_BPF : AMT_BPF) : extendedPorts ? EXTENDED_PRIMITIVES : AMT_PRIMITIVES;
  const e = extra?.trim() ?? '';
  return e === '' ? base : `(${e}) and (${base})`;
}


export interface AddonDevice {
  name: string;
  description: string | null;
  addresses: { family: 'IPv4' | 'IPv6'; addr: string | null; netmask: string | null; broadaddr: string | null; dstaddr: string | null }[];
  loopback: boolean;
  up: boolean;
  running: boolean;
  wireless: boolean;
}

export interface AddonStats {
  received: number;
  dropped: number;
  ifDropped: number;
  delivered: number;
  batches: number;
  truncated: number;
}

interface AddonCapture {
  readonly datalink: number;
  readonly warning: string | null;
  stats(): AddonStats;
  drain(max?: number): number;
  close(): boolean;
}

export interface AddonOpenOptions {
  snaplen: number;
  promisc: boolean;
  bufferSize: number;
  timeoutMs: number;
  immediate: boolean;
  /** The BPF program for Ethernet interfaces... */
  filter: string;
  /** ...and for every other link type (no 802.1Q: no `vlan` keyword). */
  filterNoVlan: string;
  maxBatchPackets: number;
}

interface Addon {
  libVersion(): string;
  deviceList(): AddonDevice[];
  checkFilter(expr: string, dlt: number, snaplen: number): string | null;
  Capture: new (
    device: string,
    opts: AddonOpenOptions,
    batch: Buffer,
    onBatch: (count: number, usedOrError: number | string) => void,
  ) => AddonCapture;
}

let addon: Addon | null = null;

const INSTALL_HINT =
  'install libpcap (Debian/Ubuntu: apt-get install libpcap0.8 libpcap-dev) and build the addon with `npm rebuild amtwatch` (or `npm run build:addon` in a checkout)';

/** Loads the addon once. Throws AmtwatchError AMTW_NO_ADDON (exit 5) with one line saying what to install. */
export function loadAddon(): Addon {
  if (addon !== null) return addon;
  try {
    addon = requireAddon('amtwatch_pcap') as Addon;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg = String(err?.message ?? e).split('\n')[0] ?? '';
    const why =
      err?.code === 'MODULE_NOT_FOUND'
        ? 'the live-capture addon is not built (build/Release/amtwatch_pcap.node is missing)'
        : /libpcap/.test(msg)
          ? `libpcap cannot be loaded (${msg})`
          : `the live-capture addon cannot be loaded (${msg})`;
    throw new AmtwatchError('AMTW_NO_ADDON', `live capture is unavailable: ${why}; ${INSTALL_HINT}. Offline reading (amtwatch read) works without it.`, {
      cause: e,
    });
  }
  return addon;
}

/** Capture devices as libpcap lists them (pcap_findalldevs). Needs the addon; no privilege. */
export function listDevices(): AddonDevice[] {
  try {
    return loadAddon().deviceList();
  } catch (e) {
    if (e instanceof AmtwatchError) throw e;
    throw new AmtwatchError('AMTW_CAPTURE', `cannot list capture devices: ${(e as Error).message}`, { cause: e });
  }
}

export function libpcapVersion(): string {
  return loadAddon().libVersion();
}

/** Compiles a BPF expression without a device: null when valid, else libpcap's message. */
export function checkFilter(expr: string, dlt = 1, snaplen = 262144): string | null {
  return loadAddon().checkFilter(expr, dlt, snaplen);
}

export interface LiveCaptureOptions {
  interfaces: readonly string[];
  snaplen: number;
  promisc: boolean;
  /** Kernel ring size per interface, bytes (pcap_set_buffer_size). */
  bufferBytes: number;
  /** TPACKET_V3 block timeout (pcap_set_timeout): the longest a packet waits in the kernel. */
  timeoutMs: number;
  /** The complete BPF program text for Ethernet interfaces (buildBpf)... */
  bpf: string;
  /** ...and for the others (buildBpf with vlan false). */
  bpfNoVlan: string;
  /** The user gave --filter (a filter error is then about it). */
  userFilter: boolean;
  /** Batch buffer per interface, bytes (at least snaplen + 20). */
  batchBytes: number;
  /** Packets per JS callback at most. */
  maxBatchPackets: number;
}

/** Per-interface counters: libpcap's (kernel) totals since the interface was opened, plus ours. */
export interface LiveInterfaceStats {
  name: string;
  /** Packets that passed the kernel filter (pcap_stats ps_recv: includes the ones dropped). */
  received: number;
  /** Packets the kernel dropped because the ring was full (ps_drop). */
  dropped: number;
  /** Packets the interface or driver dropped (ps_ifdrop). */
  ifDropped: number;
  /** Packets handed to the pipeline. */
  delivered: number;
  /** JS callbacks (batches). */
  batches: number;
}

export interface LiveInterfaceInfo {
  name: string;
  datalink: number;
  warning: string | null;
}

export interface LiveCapture {
  readonly interfaces: readonly LiveInterfaceInfo[];
  /** Totals since open, per interface in the order given. Call at least once an hour (32-bit kernel counters). */
  stats(): LiveInterfaceStats[];
  /**
   * Synchronously hands over what the kernel has made available: everything, or at most `max` packets
   * per interface (so the caller can yield to the event loop between calls). Returns the number delivered.
   */
  drain(max?: number): number;
  /** Closes every interface (idempotent). stats() keeps returning the last totals. */
  close(): void;
}

/** Something went wrong on an interface while capturing (it went away, the socket failed). */
export type CaptureErrorSink = (iface: string, message: string) => void;

/** Turns the addon's error codes into people-facing errors with the documented exit codes. */
function mapOpenError(e: unknown, iface: string, known: readonly string[], userFilter: boolean): AmtwatchError {
  const err = e as { code?: string; message?: string };
  const msg = err?.message ?? String(e);
  switch (err?.code) {
    case 'PCAP_PERM':
      return new AmtwatchError(
        'AMTW_PERMISSION',
        `capturing on ${iface} needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities, which this process lacks; ` +
          'run as root (with --user to drop privileges once the interfaces are open), or grant the capabilities to node with: ' +
          'setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))',
        { cause: e },
      );
    case 'PCAP_NO_SUCH_DEVICE':
      return unknownInterface(iface, known);
    case 'PCAP_FILTER':
      return userFilter
        ? new AmtwatchError('AMTW_USAGE', `--filter on ${iface}: ${msg}`, { cause: e })
        : new AmtwatchError('AMTW_CAPTURE', `cannot capture on ${iface}: the built-in filter does not compile for its link type: ${msg}`, { cause: e });
    case 'PCAP_IFACE_NOT_UP':
      return new AmtwatchError('AMTW_CAPTURE', `${iface} is down: bring it up first (ip link set ${iface} up)`, { cause: e });
    default:
      return new AmtwatchError('AMTW_CAPTURE', `cannot capture on ${iface}: ${msg}`, { cause: e });
  }
}

export function unknownInterface(iface: string, known: readonly string[]): AmtwatchError {
  return new AmtwatchError(
    'AMTW_USAGE',
    `no such capture interface: ${iface} (interfaces: ${known.length ? known.join(', ') : 'none found'}; see amtwatch interfaces)`,
  );
}

/**
 * Opens every interface (all or nothing) and starts delivering frames to `sink`. Throws an
 * AmtwatchError: AMTW_NO_ADDON, AMTW_PERMISSION (exit 4), AMTW_USAGE for an unknown interface or a
 * bad filter (exit 2), AMTW_CAPTURE (exit 5) for anything else.
 */
export function openLive(opts: LiveCaptureOptions, sink: FrameSink, onError: CaptureErrorSink): LiveCapture {
  const a = loadAddon();
  const known = a.deviceList().map((d) => d.name);
  for (const name of opts.interfaces) if (!known.includes(name)) throw unknownInterface(name, known);

  const frame = newFrame();
  let index = 0;
  const handles: AddonCapture[] = [];
  const infos: LiveInterfaceInfo[] = [];
  const lastStats: LiveInterfaceStats[] = [];
  const closed: boolean[] = [];

  const openOne = (name: string, ifIndex: number): AddonCapture => {
    const batch = Buffer.allocUnsafeSlow(Math.max(opts.batchBytes, opts.snaplen + 64));
    const words = new Uint32Array(batch.buffer, batch.byteOffset, batch.length >>> 2);
    // A plain Uint8Array, not the Buffer: consumers copy what they keep with .slice(), which on a
    // Buffer would return a view into this batch buffer (overwritten by the next batch).
    const bytes = new Uint8Array(batch.buffer, batch.byteOffset, batch.length);
    let linkType = 1;
    const onBatch = (count: number, used: number | string): void => {
      if (count < 0) {
        onError(name, String(used));
        return;
      }
      const f = frame;
      f.data = bytes;
      f.linkType = linkType;
      f.iface = ifIndex;
      let off = 0;
      for (let i = 0; i < count; i++) {
        const w = off >>> 2;
        const sec = words[w] as number;
        const usec = words[w + 1] as number;
        const caplen = words[w + 2] as number;
        const origlen = words[w + 3] as number;
        f.index = ++index;
        f.ts = (sec * 1_000_000 + usec) as Micros;
        f.off = off + 16;
        f.end = off + 16 + caplen;
        f.wireLen = origlen;
        f.fileOffset = 0;
        sink(f);
        off += 16 + ((caplen + 3) & ~3);
      }
    };
    let h: AddonCapture;
    try {
      h = new a.Capture(
        name,
        {
          snaplen: opts.snaplen,
          promisc: opts.promisc,
          bufferSize: opts.bufferBytes,
          timeoutMs: opts.timeoutMs,
          immediate: false,
          filter: opts.bpf,
          filterNoVlan: opts.bpfNoVlan,
          maxBatchPackets: opts.maxBatchPackets,
        },
        batch,
        onBatch,
      );
    } catch (e) {
      throw mapOpenError(e, name, known, opts.userFilter);
    }
    linkType = h.datalink;
    return h;
  };

  try {
    opts.interfaces.forEach((name, i) => {
      const h = openOne(name, i);
      handles.push(h);
      infos.push({ name, datalink: h.datalink, warning: h.warning });
      lastStats.push({ name, received: 0, dropped: 0, ifDropped: 0, delivered: 0, batches: 0 });
      closed.push(false);
    });
  } catch (e) {
    for (const h of handles) h.close();
    throw e;
  }

  const readStats = (i: number): LiveInterfaceStats => {
    const h = handles[i] as AddonCapture;
    const prev = lastStats[i] as LiveInterfaceStats;
    const s = h.stats();
    const cur: LiveInterfaceStats = {
      name: prev.name,
      received: s.received,
      dropped: s.dropped,
      ifDropped: s.ifDropped,
      delivered: s.delivered,
      batches: s.batches,
    };
    lastStats[i] = cur;
    return cur;
  };

  return {
    interfaces: infos,
    stats() {
      return handles.map((_, i) => (closed[i] ? (lastStats[i] as LiveInterfaceStats) : readStats(i)));
    },
    drain(max?: number) {
      let n = 0;
      handles.forEach((h, i) => {
        if (!closed[i]) n += max === undefined ? h.drain() : h.drain(max);
      });
      return n;
    },
    close() {
      handles.forEach((h, i) => {
        if (closed[i]) return;
        readStats(i);
        h.close();
        closed[i] = true;
      });
    },
  };
}
