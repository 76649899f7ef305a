import { CofferError, isCofferError, type EngineDeps } from '@coffer/sdk';
import type { PasswordGenerator } from '../../core/password-policy/password-policy-store.js';
import { DEFAULT_PASSWORD_POLICY, generatePassword } from '../../core/password-policy/password-policy.js';
import type { ConnectionConfig } from './config-record.js';
import type { ConnectionRegistry } from './connections.js';
import type { DatabaseStore } from './database-store.js';

/** What the engine's parts share: its records, its pools, and where passwords come from. */
export interface DatabaseContext {
  deps: EngineDeps;
  store: DatabaseStore;
  connections: ConnectionRegistry;
  /** A password from the config's policy (Vault's default when it names none). */
  newPassword(config: ConnectionConfig): Promise<string>;
  now(): number;
}

/** Without the server's policy store (engine tests), only the default policy is available. */
export const defaultPasswords: PasswordGenerator = {
  async generate(policyName) {
    if (policyName) throw new CofferError('invalid_request', `password policy "${policyName}" is not available here`);
    return generatePassword(DEFAULT_PASSWORD_POLICY);
  },
};

export function newPasswordFrom(passwords: PasswordGenerator): (config: ConnectionConfig) => Promise<string> {
  return async (config) => {
    try {
      return await passwords.generate(config.passwordPolicy);
    } catch (error) {
      // A policy named by the config but missing is the config's mistake, not a missing path.
      if (isCofferError(error) && error.code === 'not_found') throw new CofferError('invalid_request', `failed to generate password: ${error.message}`);
      throw error;
    }
  };
}

/** The config a role names; Vault refuses a role whose connection is gone. */
export async function configFor(ctx: DatabaseContext, dbName: string): Promise<ConnectionConfig> {
  const config = await ctx.store.config(dbName);
  if (!config) throw new CofferError('invalid_request', `failed to find entry for connection with name: "${dbName}"`);
  return config;
}
