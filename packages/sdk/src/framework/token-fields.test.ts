import { describe, expect, it } from 'vitest';
import { parseFields } from './fields.js';
import {
  emptyTokenParams,
  equivalentPolicies,
  grantFrom,
  LEGACY_TOKEN_FIELDS,
  parseTokenParams,
  renewalFrom,
  sanitizePolicies,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
} from './token-fields.js';

/** What a role path sees: the raw request through the real field parser. */
const fields = (data: Record<string, unknown>) => parseFields({ ...TOKEN_FIELDS, ...LEGACY_TOKEN_FIELDS }, data);

describe('token fields', () => {
  it('parses every field from JSON or text forms', () => {
    const { params, warnings } = parseTokenParams(
      fields({
        token_policies: 'a, b ,,c',
        token_ttl: '1h',
        token_max_ttl: 7200,
        token_explicit_max_ttl: '3h',
        token_period: '90s',
        token_num_uses: '5',
        token_no_default_policy: 'true',
        token_bound_cidrs: ['10.0.0.0/8', ' 127.0.0.1 '],
        token_type: 'service',
      }),
    );
    expect(warnings).toEqual([]);
    expect(params).toEqual({
      policies: ['a', 'b', 'c'],
      ttl: 3600,
      maxTtl: 7200,
      explicitMaxTtl: 10_800,
      period: 90,
      numUses: 5,
      noDefaultPolicy: true,
      boundCidrs: ['10.0.0.0/8', '127.0.0.1'],
      type: 'service',
    });
  });

  it('shows the read-back JSON as Vault does, defaults included', () => {
    expect(tokenParamsJson(emptyTokenParams())).toEqual({
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: [],
      token_ttl: 0,
      token_type: 'default',
    });
  });

  it('keeps fields not given on update', () => {
    const first = parseTokenParams(fields({ token_policies: 'a', token_ttl: 60, token_max_ttl: 120 })).params;
    const second = updateTokenParams(first, fields({ token_ttl: 90 })).params;
    expect(second).toMatchObject({ policies: ['a'], ttl: 90, maxTtl: 120 });
    expect(first.ttl).toBe(60);
  });

  it.each([
    [{ token_ttl: -1 }, "'token_ttl' cannot be negative"],
    [{ token_ttl: '-1h' }, "'token_ttl' cannot be negative"],
    [{ token_max_ttl: -1 }, "'token_max_ttl' cannot be negative"],
    [{ token_period: '-5s' }, "'token_period' cannot be negative"],
    [{ token_num_uses: -3 }, "'token_num_uses' cannot be negative"],
    [{ token_ttl: 10, token_max_ttl: 5 }, "'token_ttl' cannot be greater than 'token_max_ttl'"],
    [{ token_ttl: 'soon' }, 'token_ttl: invalid duration; use seconds or a duration such as "1h30m"'],
    [{ token_bound_cidrs: '10.0.0.0/8,nope' }, 'error parsing address "nope": not an IP address or CIDR block'],
    [{ token_type: 'batch' }, 'token_type "batch" is not supported yet; use "default" or "service"'],
    [{ token_type: 'default-batch' }, 'token_type "default-batch" is not supported yet; use "default" or "service"'],
    [{ token_type: 'x' }, `invalid 'token_type' value "x"`],
  ])('refuses %j', (data, message) => {
    expect(() => parseTokenParams(fields(data))).toThrow(expect.objectContaining({ code: 'invalid_request', message }));
  });

  it('allows a TTL without a max TTL and the other way round', () => {
    expect(parseTokenParams(fields({ token_ttl: 100 })).params.ttl).toBe(100);
    expect(parseTokenParams(fields({ token_max_ttl: 100 })).params.maxTtl).toBe(100);
  });

  it('turns default-service into service with a warning', () => {
    expect(parseTokenParams(fields({ token_type: 'default-service' }))).toMatchObject({
      params: { type: 'service' },
      warnings: ['default-service has no useful meaning; adjusting to service'],
    });
  });

  it('maps deprecated names onto their successors and reports them back (tokenutil.UpgradeValue)', () => {
    const { params } = parseTokenParams(fields({ policies: 'B, a,a', period: '1m', ttl: 10, max_ttl: 20, bound_cidrs: '10.0.0.0/8' }));
    expect(params).toMatchObject({ policies: ['a', 'b'], period: 60, ttl: 10, maxTtl: 20, boundCidrs: ['10.0.0.0/8'] });
    expect(tokenParamsJson(params)).toMatchObject({
      policies: ['a', 'b'],
      token_policies: ['a', 'b'],
      period: 60,
      ttl: 10,
      max_ttl: 20,
      bound_cidrs: ['10.0.0.0/8'],
    });
    // The successor alone clears the deprecated name; both together keep it in step.
    const cleared = updateTokenParams(params, fields({ token_policies: 'x', token_ttl: 5 })).params;
    expect(cleared.legacy).toEqual({ period: 60, maxTtl: 20, boundCidrs: ['10.0.0.0/8'] });
    expect(tokenParamsJson(cleared)).not.toHaveProperty('policies');
    const both = updateTokenParams(emptyTokenParams(), fields({ token_policies: 'x', policies: 'y' })).params;
    expect(both).toMatchObject({ policies: ['x'], legacy: { policies: ['x'] } });
    const none = parseTokenParams(fields({ token_policies: 'x' })).params;
    expect(none).not.toHaveProperty('legacy');
  });

  it('checks the TTL pair after deprecated names are applied', () => {
    expect(() => parseTokenParams(fields({ ttl: 100, max_ttl: 50 }))).toThrow("'token_ttl' cannot be greater than 'token_max_ttl'");
  });
});

describe('grantFrom', () => {
  it('builds a renewable orphan grant with only the bounds that are set', () => {
    expect(grantFrom(emptyTokenParams())).toEqual({ policies: [], metadata: {}, renewable: true, orphan: true });
    const params = parseTokenParams(
      fields({
        token_policies: 'a',
        token_ttl: 60,
        token_max_ttl: 120,
        token_explicit_max_ttl: 300,
        token_period: 30,
        token_num_uses: 2,
        token_no_default_policy: true,
        token_bound_cidrs: '10.0.0.0/8',
      }),
    ).params;
    expect(grantFrom(params, { displayName: 'approle', metadata: { role_name: 'r' }, internal: { role_name: 'r' } })).toEqual({
      policies: ['a'],
      displayName: 'approle',
      metadata: { role_name: 'r' },
      ttl: 60,
      maxTtl: 120,
      explicitMaxTtl: 300,
      period: 30,
      numUses: 2,
      noDefaultPolicy: true,
      boundCidrs: ['10.0.0.0/8'],
      internal: { role_name: 'r' },
      renewable: true,
      orphan: true,
    });
    expect(grantFrom(params, { boundCidrs: ['10.1.0.0/16'] }).boundCidrs).toEqual(['10.1.0.0/16']);
    expect(renewalFrom(params)).toEqual({ ttl: 60, maxTtl: 120, period: 30 });
  });
});

describe('policy helpers', () => {
  it('sanitises as Vault: trimmed, lower-case, unique, sorted, root alone', () => {
    expect(sanitizePolicies([' B', 'a', 'b', ''])).toEqual(['a', 'b']);
    expect(sanitizePolicies(['dev', 'Root'])).toEqual(['root']);
  });

  it('compares policy sets ignoring default', () => {
    expect(equivalentPolicies(['b', 'a'], ['a', 'default', 'b'])).toBe(true);
    expect(equivalentPolicies([], ['default'])).toBe(true);
    expect(equivalentPolicies(['a'], ['a', 'b'])).toBe(false);
  });
});
