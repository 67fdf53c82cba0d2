import { describe, expect, it } from 'vitest';
import {
  formatAddr,
  formatHostPort,
  formatInterval,
  formatTime,
  formatTimeUtc,
  formatVlan,
  plainText,
  renderValue,
  sanitizeData,
} from '../../../src/report/format.js';
import { ip } from './fixtures.js';

describe('formatTime', () => {
  it('renders exactly six decimals by integer arithmetic', () => {
    expect(formatTime(0)).toBe('0.000000');
    expect(formatTime(1)).toBe('0.000001');
    expect(formatTime(999999)).toBe('0.999999');
    expect(formatTime(1000000)).toBe('1.000000');
    expect(formatTime(1768471200000000)).toBe('1768471200.000000');
    expect(formatTime(1768471200123456)).toBe('1768471200.123456');
    expect(formatTime(1768471200120000)).toBe('1768471200.120000'); // trailing zeros kept
    expect(formatTime(1768471200100000)).toBe('1768471200.100000');
  });

  it('has no float rounding error where (us / 1e6).toFixed(6) would have one', () => {
    expect((8782446166999999 / 1e6).toFixed(6)).toBe('8782446166.999998'); // the trap
    expect(formatTime(8782446166999999)).toBe('8782446166.999999');
    expect(formatTime(8923051070999999)).toBe('8923051070.999999');
    expect(formatTime(Number.MAX_SAFE_INTEGER)).toBe('9007199254.740991');
    expect(formatTime(4503599627999999)).toBe('4503599627.999999');
    for (let us = 1768471200000000 - 50; us < 1768471200000000 + 50; us++) {
      const s = formatTime(us);
      expect(s.replace('.', '').replace(/^0+/, '')).toBe(String(us));
    }
  });

  it('handles negative, huge, fractional and non-finite input without throwing', () => {
    expect(formatTime(-1)).toBe('-0.000001');
    expect(formatTime(-1000001)).toBe('-1.000001');
    expect(formatTime(-0)).toBe('0.000000');
    expect(formatTime(1.4)).toBe('0.000001'); // rounds to the nearest µs
    expect(formatTime(2.6)).toBe('0.000003');
    expect(formatTime(2 ** 60)).toBe('1152921504606.846976');
    expect(formatTime(-(2 ** 60))).toBe('-1152921504606.846976');
    const huge = formatTime(1e300); // the exact integer value of the double 1e300, in seconds
    expect(huge).toBe(`${BigInt(1e300) / 1000000n}.${String(BigInt(1e300) % 1000000n).padStart(6, '0')}`);
    expect(huge).toMatch(/^1\d{294}\.\d{6}$/);
    expect(formatTime(Number.MAX_VALUE)).toMatch(/^\d+\.\d{6}$/);
    expect(formatTime(Number.NaN)).toBe('NaN');
    expect(formatTime(Infinity)).toBe('Infinity');
    expect(formatTime(-Infinity)).toBe('-Infinity');
  });

  it('formatInterval renders durations the same way', () => {
    expect(formatInterval(0)).toBe('0.000000');
    expect(formatInterval(1500000)).toBe('1.500000');
    expect(formatInterval(999999)).toBe('0.999999');
  });
});

describe('formatTimeUtc', () => {
  it('renders UTC date and time to the second (truncated)', () => {
    expect(formatTimeUtc(1768471201123456)).toBe('2026-01-15 10:00:01');
    expect(formatTimeUtc(1768471201999999)).toBe('2026-01-15 10:00:01');
    expect(formatTimeUtc(0)).toBe('1970-01-01 00:00:00');
    expect(formatTimeUtc(999999)).toBe('1970-01-01 00:00:00');
    expect(formatTimeUtc(-1)).toBe('1969-12-31 23:59:59');
  });

  it('falls back to seconds outside the Date range and never throws', () => {
    expect(formatTimeUtc(1e300)).toBe(formatTime(1e300));
    expect(formatTimeUtc(-1e300)).toBe(formatTime(-1e300));
    expect(formatTimeUtc(8.64e15 * 1000)).toBe('+275760-09-13 00:00:00');
    expect(formatTimeUtc(Number.NaN)).toBe('NaN');
  });
});

describe('addresses and vlans', () => {
  it('uses canonical address text', () => {
    expect(formatAddr(ip('10.0.0.5'))).toBe('10.0.0.5');
    expect(formatAddr(ip('2001:0DB8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatAddr(ip('::ffff:192.0.2.7'))).toBe('::ffff:192.0.2.7');
    expect(formatAddr(ip('::'))).toBe('::');
    expect(formatAddr(Uint8Array.of(1, 2, 3))).toBe('?');
    expect(formatAddr('10.0.0.1')).toBe('?');
  });

  it('brackets IPv6 in addr:port', () => {
    expect(formatHostPort(ip('10.0.0.5'), 50001)).toBe('10.0.0.5:50001');
    expect(formatHostPort(ip('fe80::1'), 16992)).toBe('[fe80::1]:16992');
    expect(formatHostPort(ip('::ffff:192.0.2.7'), 1)).toBe('[::ffff:192.0.2.7]:1');
  });

  it('vlan is a number or null', () => {
    expect(formatVlan(10)).toBe(10);
    expect(formatVlan(0)).toBe(0);
    expect(formatVlan(null)).toBe(null);
    expect(formatVlan(Number.NaN)).toBe(null);
    expect(formatVlan(undefined)).toBe(null);
  });
});

describe('renderValue', () => {
  it('renders each kind', () => {
    expect(renderValue('time', 1768471200120000)).toEqual({ type: 'number', text: '1768471200.120000' });
    expect(renderValue('interval', 0)).toEqual({ type: 'number', text: '0.000000' });
    expect(renderValue('addr', ip('2001:db8::5'))).toEqual({ type: 'string', text: '2001:db8::5' });
    expect(renderValue('count', 0)).toEqual({ type: 'number', text: '0' });
    expect(renderValue('count', -1)).toEqual({ type: 'number', text: '-1' });
    expect(renderValue('port', 16992)).toEqual({ type: 'number', text: '16992' });
    expect(renderValue('string', 'a\x1bb')).toEqual({ type: 'string', text: 'a\\x1bb' });
    expect(renderValue('string', Uint8Array.of(0x41, 0x00))).toEqual({ type: 'string', text: 'A\\x00' });
    expect(renderValue('bool', true)).toEqual({ type: 'bool', value: true });
    expect(renderValue('bool', false)).toEqual({ type: 'bool', value: false });
    expect(renderValue('strings', [])).toEqual({ type: 'strings', items: [] });
    expect(renderValue('strings', ['a', '\n'])).toEqual({ type: 'strings', items: ['a', '\\x0a'] });
    expect(renderValue('vlan', null)).toEqual({ type: 'null' });
    expect(renderValue('vlan', 4094)).toEqual({ type: 'number', text: '4094' });
    expect(renderValue('object', { 'a\x00': ['\x1b', 1, true, null] })).toEqual({
      type: 'object',
      value: Object.assign(Object.create(null) as object, { 'a\\x00': ['\\x1b', 1, true, null] }),
    });
  });

  it('renders a value of the wrong type, or a non-finite number, as null (never invalid JSON)', () => {
    for (const k of ['time', 'interval', 'count', 'port', 'vlan'] as const) {
      expect(renderValue(k, Number.NaN)).toEqual({ type: 'null' });
      expect(renderValue(k, Infinity)).toEqual({ type: 'null' });
      expect(renderValue(k, '1')).toEqual({ type: 'null' });
      expect(renderValue(k, undefined)).toEqual({ type: 'null' });
    }
    expect(renderValue('addr', '10.0.0.1')).toEqual({ type: 'null' });
    expect(renderValue('string', undefined)).toEqual({ type: 'null' });
    expect(renderValue('string', {})).toEqual({ type: 'null' });
    expect(renderValue('bool', 1)).toEqual({ type: 'null' });
    expect(renderValue('strings', 'x')).toEqual({ type: 'null' });
    expect(renderValue('object', undefined)).toEqual({ type: 'null' });
  });

  it('plainText shows null and empty as "-"', () => {
    expect(plainText(renderValue('vlan', null))).toBe('-');
    expect(plainText(renderValue('string', ''))).toBe('-');
    expect(plainText(renderValue('strings', []))).toBe('-');
    expect(plainText(renderValue('strings', ['a', 'b']))).toBe('a,b');
    expect(plainText(renderValue('bool', false))).toBe('false');
  });
});

describe('sanitizeData', () => {
  it('treats __proto__ as a plain key and never touches prototypes', () => {
    const src = JSON.parse('{"__proto__":{"polluted":1},"constructor":"x"}') as object;
    const out = sanitizeData(src) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":1},"constructor":"x"}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('bounds depth (cycles cannot recurse forever) and drops non-data', () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc['self'] = cyc;
    expect(() => JSON.stringify(sanitizeData(cyc))).not.toThrow();
    expect(sanitizeData({ f: () => 1, u: undefined, n: Number.NaN, b: 10n, ip: ip('::1') })).toEqual(
      Object.assign(Object.create(null) as object, { f: null, u: null, n: null, b: '10', ip: '::1' }),
    );
  });
});
