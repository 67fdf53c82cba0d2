/**
 * Zeek's conn history letters: upper case for the originator, lower case for the responder.
 *   s SYN, h SYN-ACK, a pure ACK, d data, f FIN, r RST, i FIN+RST, q other multi-flag packet,
 *   t retransmitted payload, g content gap, w zero window, ^ direction flipped, x limit exceeded.
 * a, d, i, q appear at most once per direction; s, h, f, r again only for a new sequence number;
 * t, g, w repeat on a log scale (1st, 10th, 100th, ... occurrence). The string is capped by a
 * limit; when it is reached the last letter is `x`/`X` and nothing more is added.
 */
export const H_SYN = 1;
export const H_FIN = 2;
export const H_RST = 4;
export const H_FIN_RST = 8;
export const H_MULTI = 16;
export const H_DATA = 32;
export const H_ACK = 64;

export class History {
  private s = '';
  /** Bits of once-per-direction letters seen: orig in the low byte, resp in the next. */
  private seen = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  toString(): string {
    return this.s;
  }

  /** Appends `letter` (given in upper case) for the direction. Returns false when the cap cut it. */
  add(letter: string, isOrig: boolean): boolean {
    if (this.truncated) return false;
    const l = isOrig ? letter : letter.toLowerCase();
    if (this.s.length + 1 >= this.max) {
      this.s += isOrig ? 'X' : 'x';
      this.truncated = true;
      return false;
    }
    this.s += l;
    return true;
  }

  /**
   * Zeek's CheckHistory: the first time `bit` is seen for this direction the letter is added and
   * false is returned; afterwards true ("already seen").
   */
  check(bit: number, letter: string, isOrig: boolean): boolean {
    const mask = isOrig ? bit : bit << 8;
    if (this.seen & mask) return true;
    this.seen |= mask;
    this.add(letter, isOrig);
    return false;
  }

  /** Log-scale letter: added at the 1st, 10th, 100th ... occurrence. Returns the next threshold. */
  scaled(letter: string, isOrig: boolean, count: number, threshold: number): number {
    if (count < threshold) return threshold;
    this.add(letter, isOrig);
    return threshold * 10;
  }
}
