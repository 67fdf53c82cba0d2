/**
 * Per-endpoint TCP state, after Zeek's TCP_Endpoint states and its session adapter's transitions
 * (UpdateStateMachine). Pure data + small functions; the session table drives them.
 */
export const INACTIVE = 0;
export const SYN_SENT = 1;
export const SYN_ACK_SENT = 2;
export const PARTIAL = 3;
export const ESTABLISHED = 4;
export const CLOSED = 5;
export const RESET = 6;
export type TcpState = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const STATE_NAMES = ['INACTIVE', 'SYN_SENT', 'SYN_ACK_SENT', 'PARTIAL', 'ESTABLISHED', 'CLOSED', 'RESET'];
