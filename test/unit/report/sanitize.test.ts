import { describe, expect, it } from 'vitest';
import { bytesToText, csvCell, csvGuard, csvQuote, sanitizeText } from '../../../src/report/sanitize.js';
import { ALL_BYTES, HOSTILE, UNSAFE, unescapeSanitized } from './fixtures.js';

describe('sanitizeText', () => {
  it('leaves ordinary text alone (same string, no copy needed)', () => {
    for (const s of ['', 'amt-http', 'ShADadFf', 'Grüße, café', '日本語', 'emoji 😀', '"quotes" and \'apostrophes\'']) {
      expect(sanitizeText(s)).toBe(s);
    }
  });

  it('escapes C0 (TAB, LF, CR included), DEL and C1 as \\xNN, lower-case hex', () => {
    expect(sanitizeText('\x00')).toBe('\\x00');
    expect(sanitizeText('a\tb\nc\rd')).toBe('a\\x09b\\x0ac\\x0dd');
    expect(sanitizeText('\x1b[31mred\x1b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(sanitizeText('\x1f\x7f\x80\x85\x9b\x9f')).toBe('\\x1f\\x7f\\x80\\x85\\x9b\\x9f');
    expect(sanitizeText('\xa0\xff')).toBe('\xa0\xff'); // printable latin1 stays
    expect(sanitizeText('\xad')).toBe('\\xad'); // soft hyphen: invisible format character
  });

  it('escapes a backslash as \\\\ so escapes are unambiguous', () => {
    expect(sanitizeText('\\')).toBe('\\\\');
    expect(sanitizeText('\\x41')).toBe('\\\\x41');
    expect(sanitizeText('C:\\path')).toBe('C:\\\\path');
  });

  it('escapes bidi, zero-width, BOM, line/paragraph separators as \\u{NNNN}', () => {
    expect(sanitizeText('\u061c')).toBe('\\u{061c}');
    expect(sanitizeText('\u200b\u200c\u200d\u200e\u200f')).toBe('\\u{200b}\\u{200c}\\u{200d}\\u{200e}\\u{200f}');
    expect(sanitizeText('\u202a\u202b\u202c\u202d\u202e')).toBe('\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}');
    expect(sanitizeText('\u2066\u2067\u2068\u2069')).toBe('\\u{2066}\\u{2067}\\u{2068}\\u{2069}');
    expect(sanitizeText('\ufeff\u2028\u2029')).toBe('\\u{feff}\\u{2028}\\u{2029}');
    expect(sanitizeText('x\u{e0041}y')).toBe('x\\u{e0041}y'); // tag characters (ASCII smuggling)
  });

  it('escapes lone surrogates but keeps surrogate pairs', () => {
    expect(sanitizeText('\ud800')).toBe('\\u{d800}');
    expect(sanitizeText('a\udfffb')).toBe('a\\u{dfff}b');
    expect(sanitizeText('\udc00\ud800')).toBe('\\u{dc00}\\u{d800}');
    expect(sanitizeText('\ud83d\ude00')).toBe('😀');
    expect(sanitizeText('\ud83d\ud83d\ude00')).toBe('\\u{d83d}😀');
  });

  it('output never holds an unsafe character, is well-formed UTF-16, and round-trips', () => {
    for (const s of HOSTILE) {
      const t = sanitizeText(s);
      expect(UNSAFE.test(t)).toBe(false);
      expect(Buffer.from(t, 'utf8').toString('utf8')).toBe(t);
      expect(unescapeSanitized(t)).toBe(s);
    }
  });

  it('round-trips every UTF-16 code unit (exhaustive) and random strings', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      const t = sanitizeText(s);
      expect(UNSAFE.test(t)).toBe(false);
      if (unescapeSanitized(t) !== s) throw new Error(`U+${c.toString(16)} does not round-trip`);
    }
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const pool = ['\\', 'x', '{', '}', 'u', '0', 'a', '\x00', '\x1b', '\ud800', '\udc00', '\u202e', '\u2028', '😀', '\x9b'];
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const len = rnd() % 12;
      for (let i = 0; i < len; i++) s += pool[rnd() % pool.length];
      const t = sanitizeText(s);
      expect(UNSAFE.test(t)).toBe(false);
      expect(unescapeSanitized(t)).toBe(s);
    }
  });
});

describe('bytesToText', () => {
  it('decodes latin1 (each byte one code point) and sanitizes', () => {
    expect(bytesToText(Uint8Array.of(0x47, 0x45, 0x54), 0, 3)).toBe('GET');
    expect(bytesToText(Uint8Array.of(0x41, 0x00, 0x1b, 0x5c, 0x9b, 0xe9, 0xff), 0, 7)).toBe('A\\x00\\x1b\\\\\\x9b\xe9\xff');
  });

  it('handles every byte value: invalid UTF-8 is impossible by construction', () => {
    const t = bytesToText(ALL_BYTES, 0, 256);
    expect(UNSAFE.test(t)).toBe(false);
    const back = unescapeSanitized(t);
    expect(back.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(back.charCodeAt(i)).toBe(i);
    expect(Buffer.from(t, 'utf8').toString('utf8')).toBe(t);
  });

  it('respects off/end on a view and clamps bad bounds without throwing', () => {
    const backing = Uint8Array.of(0x78, 0x61, 0x62, 0x63, 0x79);
    const view = backing.subarray(1, 4); // "abc"
    expect(bytesToText(view, 0, 3)).toBe('abc');
    expect(bytesToText(view, 1, 2)).toBe('b');
    expect(bytesToText(view, 0, 99)).toBe('abc');
    expect(bytesToText(view, -5, 2)).toBe('ab');
    expect(bytesToText(view, 2, 1)).toBe('');
    expect(bytesToText(view, Number.NaN, Number.NaN)).toBe('');
    expect(bytesToText(view, 0, Infinity)).toBe('abc');
    expect(bytesToText(new Uint8Array(0), 0, 10)).toBe('');
  });
});

describe('CSV cells', () => {
  it('quotes per RFC 4180 only when needed, doubling quotes', () => {
    expect(csvQuote('plain')).toBe('plain');
    expect(csvQuote('a,b')).toBe('"a,b"');
    expect(csvQuote('say "hi"')).toBe('"say ""hi"""');
    expect(csvQuote('a\nb')).toBe('"a\nb"');
    expect(csvQuote('a\rb')).toBe('"a\rb"');
    expect(csvQuote('')).toBe('');
  });

  it('guards cells that a spreadsheet would run as a formula', () => {
    expect(csvGuard('=1+1')).toBe("'=1+1");
    expect(csvGuard('+1')).toBe("'+1");
    expect(csvGuard('-1')).toBe("'-1");
    expect(csvGuard('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvGuard('\tx')).toBe("'\tx");
    expect(csvGuard('\rx')).toBe("'\rx");
    expect(csvGuard('a=1')).toBe('a=1');
    expect(csvGuard("'quoted")).toBe("'quoted");
  });

  it('csvCell = guard then quote', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('amt-http')).toBe('amt-http');
    expect(csvCell('-')).toBe('-'); // the unset marker alone is not a formula
    expect(csvCell('--')).toBe("'--");
  });
});
