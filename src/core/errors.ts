/**
 * Errors meant for people: a stable code, an exit status, and a message that says what went wrong
 * and what to do. Only input/configuration/environment problems use this; malformed packets never
 * throw (they become anomaly codes).
 */

/** Documented exit codes (README "Exit codes"). */
export const EXIT_OK = 0;
export const EXIT_UNAUTHORIZED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;
export const EXIT_PERMISSION = 4;
export const EXIT_CAPTURE = 5;
export const EXIT_INTERNAL = 70;

export type ErrorCode =
  | 'AMTW_USAGE'
  | 'AMTW_CONFIG'
  | 'AMTW_INPUT_OPEN'
  | 'AMTW_INPUT_FORMAT'
  | 'AMTW_OUTPUT'
  | 'AMTW_PERMISSION'
  | 'AMTW_CAPTURE'
  | 'AMTW_NO_ADDON'
  | 'AMTW_INTERNAL';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  AMTW_USAGE: EXIT_USAGE,
  AMTW_CONFIG: EXIT_USAGE,
  AMTW_INPUT_OPEN: EXIT_INPUT,
  AMTW_INPUT_FORMAT: EXIT_INPUT,
  AMTW_OUTPUT: EXIT_USAGE,
  AMTW_PERMISSION: EXIT_PERMISSION,
  AMTW_CAPTURE: EXIT_CAPTURE,
  AMTW_NO_ADDON: EXIT_CAPTURE,
  AMTW_INTERNAL: EXIT_INTERNAL,
};

export class AmtwatchError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AmtwatchError';
    this.code = code;
    this.exitCode = options?.exitCode ?? EXIT_BY_CODE[code];
  }
}

export function isAmtwatchError(e: unknown): e is AmtwatchError {
  return e instanceof Error && e.name === 'AmtwatchError' && typeof (e as AmtwatchError).code === 'string';
}
