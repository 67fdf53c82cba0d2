/**
 * The RMCP analyzer (UDP 623, --extended-ports): one record per datagram, no session table. A tiny
 * bounded table of recent presence pings (limits.maxRmcpPending, least recently used out; entries
 * older than limits.rmcpPairTimeoutUs no longer pair) gives a pong or an RMCP ACK the uid of the ping
 * it answers: same pinger address and port, the pong's sender as the ping's target, and for a pong
 * the same ASF message tag. A ping sent to a broadcast address is answered from the hosts' own
 * addresses, so its pongs get uids of their own. A ping repeated to the same target with the same
 * tag within the timeout (a retry) keeps the first one's uid.
 *
 * Facts only: the record says what the datagram says (message type, AMT version, provisioning state,
 * port, dual-port and DASH bits); app/ and policy/ decide what a pong from an unknown host means.
 */
import { formatIp, type IpBytes } from '../../core/addr.js';
import type { Limits } from '../../core/limits.js';
import { LruMap } from '../../core/lru.js';
import type { Micros } from '../../core/time.js';
import type { RmcpRecord } from '../../records/index.js';
import { INTEL_IANA, MSG_ACK } from './constants.js';
import { newRmcpMessage, parseRmcp, provisioningStateName, RMCP_OK, type RmcpMessage } from './parser.js';

export interface RmcpHost {
  readonly limits: Limits;
  emit(record: RmcpRecord): void;
  /** Counts a registered anomaly (core/anomaly.ts registerAnomaly). */
  anomaly(id: number): void;
  /** A uid for a new datagram exchange (app/ derives it the way session uids are derived). */
  newUid(key: string, ts: Micros): string;
}

/** One datagram's addressing (addresses are copies the record may keep). */
export interface RmcpDatagram {
  readonly src: IpBytes;
  readonly srcPort: number;
  readonly dst: IpBytes;
  readonly dstPort: number;
  readonly vlan: number | null;
}

interface Pending {
  uid: string;
  ts: Micros;
  tag: number;
  seq: number;
}

export class RmcpAnalyzer {
  private readonly msg: RmcpMessage = newRmcpMessage();
  private readonly pending: LruMap<string, Pending>;

  constructor(private readonly host: RmcpHost) {
    this.pending = new LruMap(Math.max(1, host.limits.maxRmcpPending));
  }

  /** Pings the pairing table forgot to stay within its bound. */
  get forgotten(): number {
    return this.pending.evicted;
  }

  /**
   * One UDP payload `buf[off..end)` (captured bytes; `wireLen` on the wire) sent from d.src:d.srcPort
   * to d.dst:d.dstPort. `buf` is only read during the call.
   */
  datagram(d: RmcpDatagram, buf: Uint8Array, off: number, end: number, wireLen: number, ts: Micros): void {
    const m = this.msg;
    const r = parseRmcp(buf, off, end, wireLen, m);
    if (r !== RMCP_OK) {
      this.host.anomaly(-r);
      return;
    }
    if (m.anomaly !== 0) this.host.anomaly(m.anomaly);
    const uid = this.uidFor(d, m, ts);
    const intel = m.oemIana === INTEL_IANA;
    this.host.emit({
      event_type: 'rmcp',
      ts,
      uid,
      'id.orig_h': d.src,
      'id.orig_p': d.srcPort,
      'id.resp_h': d.dst,
      'id.resp_p': d.dstPort,
      vlan: d.vlan,
      message_type: m.messageType,
      rmcp_seq: m.seq,
      tag: m.tag < 0 ? null : m.tag,
      iana: m.oemIana < 0 ? null : m.oemIana,
      amt_version: intel ? m.amtVersion : null,
      provisioning_state: intel ? provisioningStateName(m.provisioning) : null,
      amt_port: intel && m.amtPort >= 0 ? m.amtPort : null,
      dual_port: intel && m.dualPort >= 0 ? m.dualPort === 1 : null,
      dash: m.dash < 0 ? null : m.dash === 1,
      partial: m.partial,
    });
  }

  private uidFor(d: RmcpDatagram, m: RmcpMessage, ts: Micros): string {
    const timeout = this.host.limits.rmcpPairTimeoutUs;
    if (m.messageType === 'ping') {
      const key = `${formatIp(d.src)}/${d.srcPort}/${formatIp(d.dst)}`;
      const prev = this.pending.has(key) ? this.pending.touch(key, () => ({ uid: '', ts, tag: -1, seq: -1 })) : null;
      if (prev !== null && prev.tag === m.tag && ts - prev.ts <= timeout && ts >= prev.ts) {
        prev.ts = ts; // a retry: same exchange
        return prev.uid;
      }
      const uid = this.host.newUid(`rmcp/${key}/${m.tag}`, ts);
      const e = this.pending.touch(key, () => ({ uid, ts, tag: m.tag, seq: m.seq }));
      e.uid = uid;
      e.ts = ts;
      e.tag = m.tag;
      e.seq = m.seq;
      return uid;
    }
    if (m.messageType === 'pong' || m.messageType === MSG_ACK) {
      const key = `${formatIp(d.dst)}/${d.dstPort}/${formatIp(d.src)}`;
      if (this.pending.has(key)) {
        const p = this.pending.touch(key, () => ({ uid: '', ts, tag: -1, seq: -1 }));
        const fresh = ts >= p.ts && ts - p.ts <= timeout;
        const same = m.messageType === MSG_ACK ? p.seq === m.seq : p.tag === m.tag;
        if (fresh && same) return p.uid;
      }
      return this.host.newUid(`rmcp/${formatIp(d.src)}/${d.srcPort}/${formatIp(d.dst)}/${m.messageType}/${m.tag}`, ts);
    }
    return this.host.newUid(`rmcp/${formatIp(d.src)}/${d.srcPort}/${formatIp(d.dst)}/${d.dstPort}/${m.messageType}`, ts);
  }
}

export function createRmcpAnalyzer(host: RmcpHost): RmcpAnalyzer {
  return new RmcpAnalyzer(host);
}
