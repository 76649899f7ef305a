import { bench, describe } from 'vitest';
import { Acl } from './acl.js';
import type { PathRule, Policy } from './policy.js';

/**
 * Build and check costs for an ACL of 1,000 rules over 4 policies: 40% exact paths, 40% `*`
 * prefixes, 20% `+` patterns, spread over 50 mounts. Run with
 * `cd packages/server && npx vitest bench --run src/core/policy`.
 */
function rule(i: number): PathRule {
  const mount = `mount-${i % 50}`;
  const app = `app-${i}`;
  const capabilities: PathRule['capabilities'] = ['read', 'list', 'update'];
  switch (i % 5) {
    case 0:
    case 1:
      return { pattern: `${mount}/data/${app}/config`, capabilities };
    case 2:
    case 3:
      return { pattern: `${mount}/data/${app}/*`, capabilities };
    default:
      return { pattern: `${mount}/+/${app}/+/settings`, capabilities, allowedParameters: new Map([['ttl', []]]) };
  }
}

const policies: Policy[] = Array.from({ length: 4 }, (_, p) => ({
  name: `team-${p}`,
  rules: Array.from({ length: 250 }, (_, i) => rule(p * 250 + i)),
}));
const acl = new Acl(policies);
const check = (path: string, operation: 'read' | 'list' | 'update' = 'read') =>
  acl.check({ path, operation, data: { ttl: '1h' }, needsSudo: false });

describe('Acl with 1,000 rules', () => {
  bench('build', () => {
    new Acl(policies);
  });
  bench('check: exact hit', () => {
    check('mount-10/data/app-510/config');
  });
  bench('check: prefix hit', () => {
    check('mount-12/data/app-512/deep/er/path');
  });
  bench('check: + hit', () => {
    check('mount-14/data/app-514/x/settings', 'update');
  });
  bench('check: list with trailing slash', () => {
    check('mount-12/data/app-512/', 'list');
  });
  bench('check: miss', () => {
    check('other/data/app-1/config');
  });
  bench('capabilities', () => {
    acl.capabilities('mount-12/data/app-512/x');
  });
});
