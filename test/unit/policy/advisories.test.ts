import { describe, expect, it } from 'vitest';
import { advisoriesFor, parseVersion } from '../../../src/policy/advisories.js';

const ids = (v: string) => advisoriesFor(v).map((m) => `${m.advisory.id}${m.uncertain ? '?' : ''}`);

describe('firmware advisories (amt-protocol.md 3.2 and 3.4)', () => {
  it('SA-00075 (CVE-2017-5689): each branch below its fix, sub-branch fixes, and unaffected versions', () => {
    expect(ids('9.5.30.1000')).toContain('INTEL-SA-00075');
    expect(ids('9.5.61.3012')).not.toContain('INTEL-SA-00075');
    expect(ids('9.1.41.3023')).toContain('INTEL-SA-00075');
    expect(ids('9.1.41.3024')).not.toContain('INTEL-SA-00075');
    expect(ids('11.0.22.1000')).toContain('INTEL-SA-00075');
    expect(ids('11.0.22.3001')).not.toContain('INTEL-SA-00075'); // sub-branch fix
    expect(ids('11.0.18.3003')).not.toContain('INTEL-SA-00075');
    expect(ids('11.6.12.3202')).not.toContain('INTEL-SA-00075');
    expect(ids('11.6.27.3263')).toContain('INTEL-SA-00075');
    expect(ids('5.2.10.1000')).not.toContain('INTEL-SA-00075'); // < 6 not affected
    expect(ids('11.8.50.3425')).not.toContain('INTEL-SA-00075'); // >= 11.7 not affected
  });
  it('a 3-part banner below the fix is affected; equal to the fix but without build is uncertain', () => {
    expect(ids('9.1.34')).toContain('INTEL-SA-00075');
    expect(ids('9.1.41')).toContain('INTEL-SA-00075?');
  });
  it('later advisories by branch', () => {
    expect(ids('11.8.50.3425')).toEqual(['INTEL-SA-00086', 'INTEL-SA-00141', 'INTEL-SA-00213', 'INTEL-SA-00241', 'INTEL-SA-00295', 'INTEL-SA-00404']);
    // SA-00086 (8.x-11.20) and SA-00141 (< 12.0.5) are version ranges without per-branch fixes in the brief
    expect(ids('11.8.79.3800')).toEqual(['INTEL-SA-00086', 'INTEL-SA-00141']);
    expect(ids('12.0.35.1000')).toEqual(['INTEL-SA-00241', 'INTEL-SA-00295', 'INTEL-SA-00404']);
    expect(ids('14.0.33.1000')).toEqual(['INTEL-SA-00404']);
    expect(ids('16.1.25.2124')).toEqual([]);
  });
  it('not a version: nothing', () => {
    expect(parseVersion('AMT')).toBeNull();
    expect(advisoriesFor('')).toEqual([]);
    expect(advisoriesFor('11')).toEqual([]);
    expect(advisoriesFor('1.2.3.4.5')).toEqual([]);
  });
});
