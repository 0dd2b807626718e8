import { describe, expect, it } from 'vitest';
import { CidrSet } from '@fleetban/ip';
import { callerAddress } from './caller-address';

const nginx = new CidrSet(['172.28.0.0/16', '10.0.0.1']);

describe('callerAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(callerAddress('172.28.0.5', '198.51.100.7', new CidrSet([]))).toBe('172.28.0.5');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(callerAddress('203.0.113.9', '198.51.100.7', nginx)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop behind trusted proxies, never what the client wrote left of it', () => {
    // The client sent "X-Forwarded-For: 192.0.2.66"; nginx appended the address it saw.
    expect(callerAddress('172.28.0.5', '192.0.2.66, 198.51.100.7', nginx)).toBe('198.51.100.7');
    expect(callerAddress('172.28.0.5', ['192.0.2.66, 198.51.100.7', '10.0.0.1'], nginx)).toBe('198.51.100.7');
  });

  it('is the left-most hop when every hop is a trusted proxy, and the peer without the header', () => {
    expect(callerAddress('172.28.0.5', '10.0.0.1, 172.28.0.9', nginx)).toBe('10.0.0.1');
    expect(callerAddress('172.28.0.5', undefined, nginx)).toBe('172.28.0.5');
  });

  it('stops at the last trusted proxy on a hop that is not an address', () => {
    expect(callerAddress('172.28.0.5', '198.51.100.7, not-an-ip', nginx)).toBe('172.28.0.5');
    expect(callerAddress('172.28.0.5', '', nginx)).toBe('172.28.0.5');
  });

  it('writes addresses canonically: an IPv4-mapped peer is its IPv4 address', () => {
    expect(callerAddress('::ffff:172.28.0.5', '2001:DB8::1', nginx)).toBe('2001:db8::1');
    expect(callerAddress(undefined, '198.51.100.7', nginx)).toBeNull();
  });
});
