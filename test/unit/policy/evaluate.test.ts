import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp, type Cidr } from '../../../src/core/addr.js';
import { DEFAULT_THRESHOLDS, EMPTY_POLICY, type PolicyConfig } from '../../../src/policy/config.js';
import { judgeSession, noticesForSessionStart, type AmtSessionFacts } from '../../../src/policy/evaluate.js';

const cidr = (s: string) => parseCidr(s) as Cidr;
const facts = (orig: string, resp: string, port = 16992): AmtSessionFacts => ({
  ts: 1_768_471_200_000_001,
  uid: 'Cabc',
  origH: parseIp(orig)!,
  origP: 40000,
  respH: parseIp(resp)!,
  respP: port,
  vlan: null,
  service: port === 16994 ? 'amt-redir' : 'amt-http',
});

const policy: PolicyConfig = {
  authorized: [cidr('192.0.2.5'), cidr('2001:db8:1::/64')],
  amtHosts: [cidr('192.0.2.0/28')],
  thresholds: DEFAULT_THRESHOLDS,
};

describe('judgeSession', () => {
  it('authorized console to a known AMT endpoint is authorized', () => {
    expect(judgeSession(facts('192.0.2.5', '192.0.2.10'), policy)).toEqual({ authorized: true, reasons: [] });
    expect(judgeSession(facts('2001:db8:1::99', '192.0.2.10'), policy).authorized).toBe(true);
  });
  it('names every reason', () => {
    expect(judgeSession(facts('192.0.2.99', '192.0.2.10'), policy)).toEqual({ authorized: false, reasons: ['client_not_authorized'] });
    expect(judgeSession(facts('192.0.2.5', '192.0.2.66'), policy)).toEqual({ authorized: false, reasons: ['server_not_in_inventory'] });
    expect(judgeSession(facts('192.0.2.99', '192.0.2.66'), policy)).toEqual({
      authorized: false,
      reasons: ['client_not_authorized', 'server_not_in_inventory'],
    });
  });
  it('without an inventory there is no rogue-device judgement', () => {
    expect(judgeSession(facts('192.0.2.5', '203.0.113.1'), { authorized: policy.authorized, amtHosts: null, thresholds: DEFAULT_THRESHOLDS }).authorized).toBe(true);
  });
  it('with no policy at all every AMT session is unauthorized', () => {
    expect(judgeSession(facts('192.0.2.5', '192.0.2.10'), EMPTY_POLICY)).toEqual({ authorized: false, reasons: ['client_not_authorized'] });
  });
  it('an IPv4-mapped IPv6 client matches an IPv4 prefix', () => {
    expect(judgeSession(facts('::ffff:192.0.2.5', '192.0.2.10'), policy).authorized).toBe(true);
  });
});

describe('noticesForSessionStart', () => {
  it('one amt.unauthorized_session notice with uid, 4-tuple, reasons and a readable msg', () => {
    const f = facts('2001:db8:9::99', '192.0.2.66', 16994);
    const [n, ...rest] = noticesForSessionStart(f, judgeSession(f, policy));
    expect(rest).toHaveLength(0);
    expect(n?.note).toBe('amt.unauthorized_session');
    expect(n?.uid).toBe('Cabc');
    expect(n?.['id.resp_p']).toBe(16994);
    expect(n?.reasons).toEqual(['client_not_authorized', 'server_not_in_inventory']);
    expect(n?.msg).toBe(
      '2001:db8:9::99 opened an AMT redirection (SOL/IDE-R/KVM) session to 192.0.2.66:16994: the client is not an authorized management console; the server is not a known AMT endpoint (rogue AMT device)',
    );
  });
  it('no notice for an authorized session', () => {
    const f = facts('192.0.2.5', '192.0.2.10');
    expect(noticesForSessionStart(f, judgeSession(f, policy))).toEqual([]);
  });
});
