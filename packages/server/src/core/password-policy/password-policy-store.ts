import { CofferError, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import {
  assertStorable,
  DEFAULT_PASSWORD_POLICY,
  generatePassword,
  parsePasswordPolicy,
  type PasswordPolicy,
} from './password-policy.js';

/** What engines that create credentials need: a password from a named policy, or the default. */
export interface PasswordGenerator {
  /** Without a name (or with ""), Vault's default policy. An unknown name is refused. */
  generate(policyName?: string): Promise<string>;
}

/** `sys/password_policy/<name>` → `{ "policy": "<HCL as written>" }`, behind the barrier. */
const PREFIX = 'sys/password_policy/';
/** Parsed policies by text: hcl2json costs milliseconds, and creds endpoints generate often. */
const parsed = new Map<string, PasswordPolicy>();
const PARSED_LIMIT = 256;

/**
 * Password policies (sys/policies/password) over the barrier. Holds no state of its own, so the
 * sys backend and every engine can each have one over the same storage and see the same policies.
 */
export class PasswordPolicyStore implements PasswordGenerator {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** The policy text as written, or undefined. */
  async read(name: string): Promise<string | undefined> {
    const raw = await this.#storage.get(PREFIX + checkName(name));
    if (!raw) return undefined;
    const policy = decodeJson(raw, `password policy ${name}`).policy;
    return typeof policy === 'string' ? policy : undefined;
  }

  /** Parses, checks that passwords can be made from it, then stores the text as given. */
  async write(name: string, text: string): Promise<void> {
    const key = PREFIX + checkName(name);
    assertStorable(await policyFrom(text));
    await this.#storage.put(key, encodeJson({ policy: text }));
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(PREFIX + checkName(name));
  }

  async list(): Promise<string[]> {
    return (await this.#storage.list(PREFIX)).filter((k) => !k.endsWith('/'));
  }

  async generate(policyName?: string): Promise<string> {
    if (policyName === undefined || policyName === '') return generatePassword(DEFAULT_PASSWORD_POLICY);
    const text = await this.read(policyName);
    if (text === undefined) throw new CofferError('not_found', `password policy "${policyName}" does not exist`);
    return generatePassword(await policyFrom(text));
  }
}

async function policyFrom(text: string): Promise<PasswordPolicy> {
  const cached = parsed.get(text);
  if (cached) return cached;
  const policy = await parsePasswordPolicy(text);
  if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
  parsed.set(text, policy);
  return policy;
}

/** Names are one path segment (`<name>/generate` is the generate endpoint). */
function checkName(name: string): string {
  if (name === '' || name.includes('/') || name === '.' || name === '..' || /[\u0000-\u001F\u007F]/.test(name)) {
    throw new CofferError('invalid_request', 'invalid password policy name');
  }
  return name;
}
