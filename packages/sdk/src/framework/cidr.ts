import { BlockList, isIP } from 'node:net';

/** One CIDR block (`10.0.0.0/8`, `2001:db8::/32`), or a single address when written without a prefix. */
export interface CidrBlock {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
}

export interface ParseCidrOptions {
  /**
   * Accept a bare address as a block of one (`/32` or `/128`), as Vault's `token_bound_cidrs` do
   * (go-sockaddr). Vault's `secret_id_bound_cidrs` and `cidr_list` go through Go's ParseCIDR, which
   * wants the prefix.
   */
  allowAddress?: boolean;
}

/** Parses one block; `undefined` when it is not one. Zone ids and leading zeros are refused, as Go does. */
export function parseCidrBlock(text: string, options: ParseCidrOptions = {}): CidrBlock | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash === -1 ? undefined : trimmed.slice(slash + 1);
  if (address.includes('%')) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) {
    return options.allowAddress ? { family: version === 4 ? 'ipv4' : 'ipv6', address, prefix: max } : undefined;
  }
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { family: version === 4 ? 'ipv4' : 'ipv6', address, prefix };
}

/** The blocks that do not parse, trimmed, for error messages; empty when all are good. */
export function invalidCidrBlocks(blocks: readonly string[], options: ParseCidrOptions = {}): string[] {
  return blocks.filter((block) => parseCidrBlock(block, options) === undefined).map((block) => block.trim());
}

/**
 * True when the address (IPv4, IPv6 or IPv4-mapped IPv6, as Node reports sockets on a dual-stack
 * listener) lies in one of the blocks. Unparsable blocks never match; an unparsable address matches
 * nothing, so a missing or odd remote address fails closed.
 */
export function addressInCidrBlocks(address: string, blocks: readonly string[]): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  const list = new BlockList();
  for (const text of blocks) {
    const block = parseCidrBlock(text, { allowAddress: true });
    if (block) list.addSubnet(block.address, block.prefix, block.family);
  }
  // BlockList matches an IPv4-mapped IPv6 address against IPv4 rules and the other way round.
  return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True when every inner block lies inside some outer block (Vault's cidrutil.SubsetBlocks). An empty
 * outer list bounds nothing, so anything is inside it.
 */
export function cidrBlocksWithin(inner: readonly string[], outer: readonly string[]): boolean {
  if (outer.length === 0) return true;
  const outerBlocks = outer.map((text) => parseCidrBlock(text, { allowAddress: true }));
  return inner.every((text) => {
    const block = parseCidrBlock(text, { allowAddress: true });
    if (!block) return false;
    // With a prefix at least as long, the inner block shares the outer block's leading bits exactly
    // when its own address does.
    return outerBlocks.some(
      (o) => o !== undefined && o.family === block.family && o.prefix <= block.prefix && addressInCidrBlocks(block.address, [`${o.address}/${o.prefix}`]),
    );
  });
}
