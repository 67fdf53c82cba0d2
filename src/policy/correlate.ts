/**
 * Detections that need memory across sessions, on packet time, with bounded state:
 * - amt.auth_bruteforce: failed AMT logins (HTTP 401 after a credentialed request; failed
 *   redirection authentication) from one source reaching a threshold within a window;
 * - amt.scan: one source touching many AMT hosts, or making many refused/unanswered attempts,
 *   within a window;
 * - amt.vulnerable_firmware: once per (endpoint, firmware version);
 * - with --extended-ports: RMCP presence pings count toward amt.scan (the target is a host touched,
 *   in the same per-source table as TCP sessions); amt.rogue_device and amt.unprovisioned_device
 *   once per endpoint from RMCP pongs.
 * Every table is capped (MAX_TRACKED); what the cap forgets is counted, never silently grown.
 * Windows start at an event's time; an event more than a window away from the start, in either
 * direction, starts a new one (sessions end out of start order by a little; files read out of
 * order jump back by a lot, and must not add to a window of other times).
 */
import { formatIp } from '../core/addr.js';
import { LruMap } from '../core/lru.js';
import type { Micros } from '../core/time.js';
import {
  IANA_INTEL,
  NOTE_AUTH_BRUTEFORCE,
  NOTE_SCAN,
  type AmtRedirRecord,
  type ConnRecord,
  type HttpRecord,
  type NoticeRecord,
  type RmcpRecord,
} from '../records/index.js';
import type { PolicyConfig } from './config.js';
import { detectFirmware, detectRogueDevice, detectUnprovisioned, toNotice } from './detect.js';
import { inInventory } from './evaluate.js';

/** Sources (and endpoints) remembered at once by each table. */
export const MAX_TRACKED = 10_000;
/** Distinct hosts remembered per source for scan detection. */
export const MAX_HOSTS_PER_SOURCE = 256;

const US = 1_000_000;

interface SourceState {
  windowStart: Micros;
  failures: number;
  alerted: boolean;
}

interface ScanState {
  windowStart: Micros;
  hosts: Set<string>;
  failedAttempts: number;
  alertedHosts: boolean;
  alertedAttempts: boolean;
}

/** Connection states of attempts that were refused or never answered. */
const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);

export class Correlator {
  private readonly brute = new LruMap<string, SourceState>(MAX_TRACKED);
  private readonly scan = new LruMap<string, ScanState>(MAX_TRACKED);
  private readonly firmwareSeen = new LruMap<string, true>(MAX_TRACKED);
  private readonly rogueSeen = new LruMap<string, true>(MAX_TRACKED);
  private readonly unprovisionedSeen = new LruMap<string, true>(MAX_TRACKED);

  /** Entries the caps made the correlator forget. */
  get forgotten(): number {
    return this.brute.evicted + this.scan.evicted + this.firmwareSeen.evicted + this.rogueSeen.evicted + this.unprovisionedSeen.evicted;
  }

  constructor(private policy: PolicyConfig) {}

  setPolicy(p: PolicyConfig): void {
    this.policy = p;
  }

  /** Counts failures of one source; returns a notice when the threshold is reached (once per window). */
  private failure(src: Uint8Array, ts: Micros, count: number, id: HttpRecord | AmtRedirRecord, vlan: number | null, how: string): NoticeRecord | null {
    if (count <= 0) return null;
    const t = this.policy.thresholds;
    const st = this.brute.touch(formatIp(src), () => ({ windowStart: ts, failures: 0, alerted: false }));
    if (Math.abs(ts - st.windowStart) > t.bruteforce_window * US) {
      st.windowStart = ts;
      st.failures = 0;
      st.alerted = false;
    }
    st.failures += count;
    if (st.alerted || st.failures < t.bruteforce_failures) return null;
    st.alerted = true;
    return toNotice(
      id,
      vlan,
      {
        note: NOTE_AUTH_BRUTEFORCE,
        msg: `${formatIp(src)} failed ${st.failures} AMT logins within ${t.bruteforce_window} s (latest: ${how} on ${formatIp(id['id.resp_h'])}:${id['id.resp_p']})`,
        sub: how,
        n: st.failures,
      },
      src,
    );
  }

  /** An HTTP transaction: a 401 after a credentialed request is a failed login. */
  onHttp(r: HttpRecord, vlan: number | null): NoticeRecord[] {
    const out: NoticeRecord[] = [];
    if (r.auth_scheme !== null && r.status_code === 401) {
      const n = this.failure(r['id.orig_h'], r.ts, 1, r, vlan, `HTTP ${r.auth_scheme} login as ${r.username ?? '?'}`);
      if (n) out.push(n);
    }
    if (r.amt_firmware !== null) {
      const fw = this.firmware(r['id.resp_h'], r['id.resp_p'], r.amt_firmware, r, vlan);
      if (fw) out.push(fw);
    }
    return out;
  }

  /** A redirection session: its failed authentications count. */
  onRedir(r: AmtRedirRecord, vlan: number | null): NoticeRecord[] {
    const out: NoticeRecord[] = [];
    const n = this.failure(r['id.orig_h'], r.ts, r.auth_failures, r, vlan, `redirection login as ${r.username ?? '?'}`);
    if (n) out.push(n);
    return out;
  }

  /** Once per (endpoint, version): the advisories its firmware is exposed to. */
  firmware(host: Uint8Array, port: number, version: string, id: HttpRecord | AmtRedirRecord | ConnRecord, vlan: number | null): NoticeRecord | null {
    const key = `${formatIp(host)}/${version}`;
    if (this.firmwareSeen.has(key)) return null;
    this.firmwareSeen.touch(key, () => true);
    const d = detectFirmware(host, port, version);
    return d === null ? null : toNotice(id, vlan, d);
  }

  /** The scan state of source `src` at time `ts` (a new window when the old one has passed). */
  private scanState(src: string, ts: Micros): ScanState {
    const t = this.policy.thresholds;
    const st = this.scan.touch(src, () => ({
      windowStart: ts,
      hosts: new Set<string>(),
      failedAttempts: 0,
      alertedHosts: false,
      alertedAttempts: false,
    }));
    if (Math.abs(ts - st.windowStart) > t.scan_window * US) {
      st.windowStart = ts;
      st.hosts.clear();
      st.failedAttempts = 0;
      st.alertedHosts = false;
      st.alertedAttempts = false;
    }
    return st;
  }

  /** A finished AMT session: scan bookkeeping for its originator. */
  onConn(c: ConnRecord): NoticeRecord[] {
    const t = this.policy.thresholds;
    const src = formatIp(c['id.orig_h']);
    const st = this.scanState(src, c.ts);
    if (st.hosts.size < MAX_HOSTS_PER_SOURCE) st.hosts.add(formatIp(c['id.resp_h']));
    // refused or unanswered, or a half-open probe (a SYN scan resets the answered SYN-ACK: RSTO, no payload)
    if (FAILED_STATES.has(c.conn_state) || ((c.orig_bytes ?? 0) === 0 && (c.resp_bytes ?? 0) === 0 && c.conn_state === 'RSTO')) st.failedAttempts++;
    const out: NoticeRecord[] = [];
    if (!st.alertedHosts && st.hosts.size >= t.scan_hosts) {
      st.alertedHosts = true;
      out.push(
        toNotice(
          c,
          c.vlan,
          {
            note: NOTE_SCAN,
            msg: `${src} touched AMT ports on ${st.hosts.size} hosts within ${t.scan_window} s (AMT reconnaissance)`,
            sub: 'hosts',
            n: st.hosts.size,
          },
          c['id.orig_h'],
        ),
      );
    }
    if (!st.alertedAttempts && st.failedAttempts >= t.scan_failed_attempts) {
      st.alertedAttempts = true;
      out.push(
        toNotice(
          c,
          c.vlan,
          {
            note: NOTE_SCAN,
            msg: `${src} made ${st.failedAttempts} refused or unanswered AMT connection attempts within ${t.scan_window} s`,
            sub: 'failed_attempts',
            n: st.failedAttempts,
          },
          c['id.orig_h'],
        ),
      );
    }
    return out;
  }

  /**
   * An RMCP datagram (--extended-ports). A presence ping counts its target as a host its sender
   * touched (amt.scan, the same table and threshold as TCP sessions). A pong from an Intel AMT
   * endpoint (OEM IANA 343) gives amt.rogue_device when an inventory is configured and the endpoint is
   * not in it, and amt.unprovisioned_device when it says "pre-provisioning"; each once per endpoint.
   */
  onRmcp(r: RmcpRecord): NoticeRecord[] {
    const out: NoticeRecord[] = [];
    if (r.message_type === 'ping') {
      const t = this.policy.thresholds;
      const src = formatIp(r['id.orig_h']);
      const st = this.scanState(src, r.ts);
      if (st.hosts.size < MAX_HOSTS_PER_SOURCE) st.hosts.add(formatIp(r['id.resp_h']));
      if (!st.alertedHosts && st.hosts.size >= t.scan_hosts) {
        st.alertedHosts = true;
        out.push(
          toNotice(
            r,
            r.vlan,
            {
              note: NOTE_SCAN,
              msg: `${src} probed ${st.hosts.size} hosts for AMT within ${t.scan_window} s, latest with an RMCP presence ping to ${formatIp(r['id.resp_h'])}:${r['id.resp_p']} (AMT reconnaissance)`,
              sub: 'hosts',
              n: st.hosts.size,
            },
            r['id.orig_h'],
          ),
        );
      }
      return out;
    }
    if (r.message_type !== 'pong' || r.iana !== IANA_INTEL) return out;
    const host = formatIp(r['id.orig_h']);
    if (inInventory(this.policy, r['id.orig_h']) === false && !this.rogueSeen.has(host)) {
      this.rogueSeen.touch(host, () => true);
      out.push(toNotice(r, r.vlan, detectRogueDevice(r)));
    }
    const d = detectUnprovisioned(r);
    if (d !== null && !this.unprovisionedSeen.has(host)) {
      this.unprovisionedSeen.touch(host, () => true);
      out.push(toNotice(r, r.vlan, d));
    }
    return out;
  }
}
