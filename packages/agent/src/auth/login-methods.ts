import { readFile, rm } from 'node:fs/promises';
import type { AutoAuthConfig } from '../config/agent-config.js';

export interface LoginRequest {
  path: string;
  body: Record<string, string>;
}

/**
 * Builds the login request of an auto-auth method. Credential files are re-read at every login
 * (projected service-account tokens rotate); like Vault Agent, a file that has been consumed
 * (removed after reading) or is briefly missing falls back to the last value read.
 */
export class LoginMethod {
  readonly #cache = new Map<string, string>();

  constructor(readonly config: AutoAuthConfig['method']) {}

  get type(): string {
    return this.config.type;
  }

  async request(): Promise<LoginRequest> {
    const c = this.config;
    const path = `${c.mountPath}/login`;
    switch (c.type) {
      case 'kubernetes':
        return { path, body: { role: c.role, jwt: await this.#read('service account token', c.tokenPath, false) } };
      case 'jwt':
        return { path, body: { role: c.role, jwt: await this.#read('JWT', c.path, c.removeJwtAfterReading) } };
      case 'approle': {
        const body: Record<string, string> = { role_id: await this.#read('role ID', c.roleIdFilePath, false) };
        if (c.secretIdFilePath !== undefined) {
          body.secret_id = await this.#read('secret ID', c.secretIdFilePath, c.removeSecretIdFileAfterReading);
        }
        return { path, body };
      }
    }
  }

  async #read(what: string, file: string, remove: boolean): Promise<string> {
    let text: string | undefined;
    try {
      text = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      const cached = this.#cache.get(file);
      if (cached !== undefined) return cached;
      throw new Error(`cannot read the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (text === '') {
      const cached = this.#cache.get(file);
      if (cached !== undefined) return cached;
      throw new Error(`the ${what} file ${file} is empty`);
    }
    this.#cache.set(file, text);
    if (remove) await rm(file, { force: true });
    return text;
  }
}
