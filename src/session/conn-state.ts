/**
 * Zeek's conn_state, derived once from the two endpoint states (scripts/base/protocols/conn/main.zeek).
 * A pure function of (orig state, resp state, sizes, history).
 */
import { CLOSED, ESTABLISHED, INACTIVE, PARTIAL, RESET, SYN_ACK_SENT, SYN_SENT, type TcpState } from './tcp-state.js';

/** `^?S[^HAFGIQ]*R.*`: SYN from the originator, then its RST, no answer in between. */
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

export function deriveConnState(os: TcpState, rs: TcpState, origSize: number, respSize: number, history: string): string {
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && origSize === 0 && respSize === 0)) return 'REJ';
    if (oInactive) return 'RSTRH';
    return 'RSTR';
  }
  if (os === RESET) {
    if (rInactive) return RSTOS0_HISTORY.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === CLOSED && os === CLOSED) return 'SF';
  if (os === CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === SYN_SENT && rs === INACTIVE) return 'S0';
  if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
  return 'OTH';
}
