/** The validated policy the evaluator works with. app/config.ts builds it from flags and the policy file. */
import type { Cidr } from '../core/addr.js';

export interface PolicyConfig {
  /** Management consoles allowed to open AMT sessions. Empty: nobody is. */
  readonly authorized: readonly Cidr[];
  /** Inventory of known AMT endpoints; null when no inventory was given (no rogue-device judgement). */
  readonly amtHosts: readonly Cidr[] | null;
}

export const EMPTY_POLICY: PolicyConfig = Object.freeze({ authorized: Object.freeze([]), amtHosts: null });

/** True when neither consoles nor an inventory were configured. */
export function isEmptyPolicy(p: PolicyConfig): boolean {
  return p.authorized.length === 0 && p.amtHosts === null;
}
