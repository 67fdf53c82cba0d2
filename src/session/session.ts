/**
 * One TCP session (both directions) as the table tracks it. IPv6 addresses are copied bytes; IPv4
 * addresses are kept as numbers and turned into bytes only when asked for (a record is being
 * written), which keeps a session small: the table may hold tens of thousands of them.
 */
import { ipv4FromU32 } from '../core/addr.js';
import type { StreamConsumer } from '../core/flow.js';
import type { Micros } from '../core/time.js';
import { Endpoint } from './endpoint.js';
import { History } from './history.js';
import type { StreamReassembler } from './stream.js';

export type EndReason = 'closed' | 'timeout' | 'evicted' | 'flushed' | 'end_of_input' | 'reused';

export class Session {
  readonly orig = new Endpoint();
  readonly resp = new Endpoint();
  readonly history: History;
  startTs: Micros;
  lastTs: Micros;
  /** All of an endpoint's closing seen (FINs both ways, a RST, or a FIN to a silent peer). */
  closeComplete = false;
  endReason: EndReason | null = null;
  /** Slot for the composing layer (app/): the verdict, analyzer state, ... Never read here. */
  app: unknown = undefined;
  /**
   * Receives the reassembled payload when set (by app/, in the table's open event, before the
   * first packet is processed). Only sessions with a consumer pay for reassembly.
   */
  consumer: StreamConsumer | null = null;
  /**
   * Or, set instead by app/: makes the consumer when the session's first payload byte arrives, so
   * a session that never carries payload (a scan, a SYN flood) costs no analyzer state.
   */
  consumerFactory: ((s: Session) => StreamConsumer) | null = null;
  origStream: StreamReassembler | null = null;
  respStream: StreamReassembler | null = null;
  /** Neighbours in the table's list of sessions by last activity. */
  lruPrev: Session | null = null;
  lruNext: Session | null = null;
  /** The analysis byte limit was hit (history x/X added once). */
  streamLimitMarked = false;

  constructor(
    readonly key: string,
    readonly uid: string,
    readonly isV6: boolean,
    /** IPv6 addresses (null for IPv4). */
    private readonly orig6: Uint8Array | null,
    private readonly resp6: Uint8Array | null,
    /** IPv4 addresses as numbers (0 for IPv6), for cheap direction checks. */
    readonly origV4: number,
    readonly respV4: number,
    readonly origPort: number,
    readonly respPort: number,
    readonly vlan: number,
    readonly innerVlan: number,
    /**
     * True when the responder's port makes this an AMT session (16992-16995; with extended ports also
     * 623 and 664). app/ may set it later for a session its content identifies as AMT (TCP 5900 whose
     * RFB desktop name is the AMT KVM server's); nothing turns it back to false.
     */
    public isAmt: boolean,
    ts: Micros,
    maxHistory: number,
  ) {
    this.startTs = ts;
    this.lastTs = ts;
    this.history = new History(maxHistory);
  }

  /** The originator's address bytes (4 or 16); a new array for IPv4 on every call. */
  get origAddr(): Uint8Array {
    return this.orig6 ?? ipv4FromU32(this.origV4);
  }

  get respAddr(): Uint8Array {
    return this.resp6 ?? ipv4FromU32(this.respV4);
  }

  get durationUs(): Micros {
    return this.lastTs - this.startTs;
  }
}
