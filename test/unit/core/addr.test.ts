import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from '../../../src/core/addr.js';

describe('addresses', () => {
  it('formats IPv6 canonically (RFC 5952)', () => {
    const cases: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['::ffff:192.0.2.5', '::ffff:192.0.2.5'],
      ['FE80::ABCD', 'fe80::abcd'],
      ['2001:db8::', '2001:db8::'],
    ];
    for (const [i, o] of cases) expect(formatIp(parseIp(i)!)).toBe(o);
    expect(formatIp(parseIp('192.0.2.1')!)).toBe('192.0.2.1');
  });
  it('rejects malformed addresses and prefixes with a message', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', 'g::1', '1.2.3.4/33', '::/129', '1.2.3.4/x', '', 'fe80::1%eth0']) {
      expect(typeof parseCidr(bad)).toBe('string');
    }
  });
  it('matches prefixes', () => {
    const c = parseCidr('10.1.2.0/23') as Cidr;
    expect(formatIp(c.addr)).toBe('10.1.2.0');
    expect(cidrContains(c, parseIp('10.1.3.255')!)).toBe(true);
    expect(cidrContains(c, parseIp('10.1.4.0')!)).toBe(false);
    const six = parseCidr('2001:db8:1::/48') as Cidr;
    expect(cidrContains(six, parseIp('2001:db8:1:ffff::1')!)).toBe(true);
    expect(cidrContains(six, parseIp('2001:db8:2::1')!)).toBe(false);
    expect(cidrContains(six, parseIp('10.1.2.3')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0') as Cidr, parseIp('203.0.113.9')!)).toBe(true);
  });
});
