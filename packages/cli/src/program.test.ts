import type { Command } from 'commander';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Context } from './context.js';
import { readCliEnv } from './env.js';
import { buildProgram } from './program.js';

describe('the command tree', () => {
  const program = buildProgram(new Context({ env: {}, stdout: new PassThrough(), stderr: new PassThrough() }, readCliEnv({})));

  it('never uses one flag name both with and without a value (argv.ts rewrites by name)', () => {
    const kinds = new Map<string, Set<string>>();
    const visit = (command: Command) => {
      for (const option of command.options) {
        const name = (option.long ?? '').replace(/^--(no-)?/, '');
        const kind = option.required || option.optional ? 'value' : 'flag';
        kinds.set(name, (kinds.get(name) ?? new Set()).add(kind));
      }
      command.commands.forEach(visit);
    };
    visit(program);
    const mixed = [...kinds].filter(([, set]) => set.size > 1).map(([name]) => name);
    expect(mixed).toEqual([]);
  });

  it('has the commands of the issue', () => {
    const names: string[] = [];
    const visit = (command: Command, prefix: string) => {
      for (const sub of command.commands) {
        const name = `${prefix}${sub.name()}`;
        names.push(name);
        visit(sub, `${name} `);
      }
    };
    visit(program, '');
    expect(names).toEqual(
      expect.arrayContaining([
        'server', 'operator init', 'operator unseal', 'operator seal', 'operator rotate', 'operator key-status', 'status',
        'read', 'write', 'delete', 'list', 'kv get', 'kv put', 'kv patch', 'kv delete', 'kv undelete', 'kv destroy',
        'kv list', 'kv metadata get', 'kv metadata put', 'kv metadata delete', 'secrets enable', 'secrets disable',
        'secrets list', 'secrets tune', 'token create', 'token lookup', 'token revoke', 'login',
        'policy write', 'policy read', 'policy list', 'policy delete', 'policy fmt', 'token renew', 'token capabilities',
        'lease lookup', 'lease renew', 'lease revoke', 'auth enable', 'auth disable', 'auth list', 'auth tune',
        'audit enable', 'audit disable', 'audit list', 'audit hash', 'audit verify',
      ]),
    );
  });
});
