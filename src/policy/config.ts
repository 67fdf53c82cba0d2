/** The validated policy the evaluator works with. app/config.ts builds it from flags and the policy file. */
import type { Cidr } from '../core/addr.js';

/** Detection thresholds (policy file `thresholds:`; windows in seconds of packet time). */
export interface Thresholds {
  /** Failed AMT logins from one source within the window that make a brute-force notice. */
  readonly bruteforce_failures: number;
  readonly bruteforce_window: number;
  /** Distinct AMT hosts one source touched within the window that make a scan notice. */
  readonly scan_hosts: number;
  /** Refused or unanswered AMT connection attempts from one source within the window. */
  readonly scan_failed_attempts: number;
  readonly scan_window: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  bruteforce_failures: 5,
  bruteforce_window: 300,
  scan_hosts: 8,
  scan_failed_attempts: 10,
  scan_window: 300,
});

export const THRESHOLD_KEYS = Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[];

export interface PolicyConfig {
  /** Management consoles allowed to open AMT sessions. Empty: nobody is. */
  readonly authorized: readonly Cidr[];
  /** Inventory of known AMT endpoints; null when no inventory was given (no rogue-device judgement). */
  readonly amtHosts: readonly Cidr[] | null;
  readonly thresholds: Thresholds;
}

export const EMPTY_POLICY: PolicyConfig = Object.freeze({ authorized: Object.freeze([]), amtHosts: null, thresholds: DEFAULT_THRESHOLDS });

/** True when neither consoles nor an inventory were configured. */
export function isEmptyPolicy(p: PolicyConfig): boolean {
  return p.authorized.length === 0 && p.amtHosts === null;
}
