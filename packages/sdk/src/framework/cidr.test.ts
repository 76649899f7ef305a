import { describe, expect, it } from 'vitest';
import { addressInCidrBlocks, cidrBlocksWithin, invalidCidrBlocks, parseCidrBlock } from './cidr.js';

describe('parseCidrBlock', () => {
  it('parses IPv4 and IPv6 blocks, trimmed', () => {
    expect(parseCidrBlock(' 10.0.0.0/8 ')).toEqual({ family: 'ipv4', address: '10.0.0.0', prefix: 8 });
    expect(parseCidrBlock('2001:db8::/32')).toEqual({ family: 'ipv6', address: '2001:db8::', prefix: 32 });
    expect(parseCidrBlock('0.0.0.0/0')).toEqual({ family: 'ipv4', address: '0.0.0.0', prefix: 0 });
  });

  it('takes a bare address only when asked (go-sockaddr), as a block of one', () => {
    expect(parseCidrBlock('10.0.0.1')).toBeUndefined();
    expect(parseCidrBlock('10.0.0.1', { allowAddress: true })).toEqual({ family: 'ipv4', address: '10.0.0.1', prefix: 32 });
    expect(parseCidrBlock('::1', { allowAddress: true })).toEqual({ family: 'ipv6', address: '::1', prefix: 128 });
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '010.0.0.0/8', 'fe80::1%eth0/64', 'host/8', '', '10.0.0.0/ 8'])(
    'refuses %j',
    (text) => {
      expect(parseCidrBlock(text, { allowAddress: true })).toBeUndefined();
    },
  );

  it('reports the bad blocks of a list', () => {
    expect(invalidCidrBlocks(['10.0.0.0/8', ' x ', '1.2.3.4'])).toEqual(['x', '1.2.3.4']);
    expect(invalidCidrBlocks(['10.0.0.0/8', '1.2.3.4'], { allowAddress: true })).toEqual([]);
  });
});

describe('addressInCidrBlocks', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses', () => {
    const blocks = ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'];
    expect(addressInCidrBlocks('10.255.0.1', blocks)).toBe(true);
    expect(addressInCidrBlocks('::ffff:10.1.2.3', blocks)).toBe(true);
    expect(addressInCidrBlocks('2001:db8:1::1', blocks)).toBe(true);
    expect(addressInCidrBlocks('192.168.1.7', blocks)).toBe(true);
    expect(addressInCidrBlocks('192.168.1.8', blocks)).toBe(false);
    expect(addressInCidrBlocks('11.0.0.1', blocks)).toBe(false);
    expect(addressInCidrBlocks('2001:db9::1', blocks)).toBe(false);
  });

  it('uses the network of a block written with host bits, as Go does', () => {
    expect(addressInCidrBlocks('10.0.0.200', ['10.0.0.5/24'])).toBe(true);
    expect(addressInCidrBlocks('10.0.1.1', ['10.0.0.5/24'])).toBe(false);
  });

  it('fails closed on an odd address or no blocks', () => {
    expect(addressInCidrBlocks('', ['0.0.0.0/0'])).toBe(false);
    expect(addressInCidrBlocks('not-an-ip', ['0.0.0.0/0'])).toBe(false);
    expect(addressInCidrBlocks('10.0.0.1', [])).toBe(false);
    expect(addressInCidrBlocks('10.0.0.1', ['garbage'])).toBe(false);
  });
});

describe('cidrBlocksWithin', () => {
  it('holds when every inner block lies inside an outer block', () => {
    expect(cidrBlocksWithin(['10.1.0.0/16', '10.2.3.4/32'], ['10.0.0.0/8'])).toBe(true);
    expect(cidrBlocksWithin(['10.0.0.0/8'], ['10.0.0.0/8'])).toBe(true);
    expect(cidrBlocksWithin(['2001:db8:1::/48'], ['10.0.0.0/8', '2001:db8::/32'])).toBe(true);
    expect(cidrBlocksWithin(['10.1.1.1'], ['10.0.0.0/8'])).toBe(true);
  });

  it('fails for a wider, disjoint or other-family block', () => {
    expect(cidrBlocksWithin(['10.0.0.0/7'], ['10.0.0.0/8'])).toBe(false);
    expect(cidrBlocksWithin(['11.0.0.0/16'], ['10.0.0.0/8'])).toBe(false);
    expect(cidrBlocksWithin(['10.0.0.0/24', '12.0.0.0/24'], ['10.0.0.0/8'])).toBe(false);
    expect(cidrBlocksWithin(['::/0'], ['0.0.0.0/0'])).toBe(false);
    expect(cidrBlocksWithin(['junk'], ['0.0.0.0/0'])).toBe(false);
  });

  it('treats an empty outer list as no bound', () => {
    expect(cidrBlocksWithin(['0.0.0.0/0'], [])).toBe(true);
    expect(cidrBlocksWithin([], ['10.0.0.0/8'])).toBe(true);
  });
});
