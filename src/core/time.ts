/**
 * THE time type: integer microseconds since the Unix epoch, held in a number (exact up to 2^53,
 * i.e. past the year 2255). Capture timestamps are converted to it by the readers; nanosecond
 * captures are truncated to the microsecond (records print 6 decimals).
 */
export type Micros = number;

export const US_PER_SECOND = 1_000_000;

/** A source of wall-clock time. Offline runs never consult it for analysis (packet time rules). */
export interface Clock {
  /** Current time in microseconds since the epoch. */
  now(): Micros;
}

export const systemClock: Clock = {
  now: () => Date.now() * 1000,
};

/** A clock that returns a fixed or manually advanced time, for tests. */
export class FixedClock implements Clock {
  constructor(private t: Micros) {}
  now(): Micros {
    return this.t;
  }
  set(t: Micros): void {
    this.t = t;
  }
  advance(us: Micros): void {
    this.t += us;
  }
}

/** seconds + fraction-of-second in `unitsPerSecond` units -> Micros (truncating below 1 µs). */
export function toMicros(seconds: number, fraction: number, unitsPerSecond: number): Micros {
  if (unitsPerSecond === US_PER_SECOND) return seconds * US_PER_SECOND + fraction;
  if (unitsPerSecond > US_PER_SECOND) {
    return seconds * US_PER_SECOND + Math.floor(fraction / (unitsPerSecond / US_PER_SECOND));
  }
  return seconds * US_PER_SECOND + Math.floor((fraction * US_PER_SECOND) / unitsPerSecond);
}
