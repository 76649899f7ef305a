import { CofferError } from '@coffer/sdk';
import { randomBase62 } from '../ids.js';
import type { SealManager } from './seal-manager.js';
import { ShareCollector } from './share-collector.js';

/** Root tokens are `hvs.` + 24 characters; the one-time pad is as long as the token. */
export const OTP_LENGTH = 28;

export interface GenerateRootStatus {
  started: boolean;
  nonce: string;
  progress: number;
  required: number;
  complete: boolean;
  encoded_token: string;
  encoded_root_token: string;
  pgp_fingerprint: string;
  otp: string;
  otp_length: number;
}

/**
 * sys/generate-root: a quorum of unseal keys (Shamir) or recovery keys (auto seal) mints a new root
 * token, returned XORed with a one-time pad that only the operator who started the attempt holds
 * (base64 without padding, as Vault encodes it), so no single party ever sees the token in clear.
 */
export class GenerateRoot {
  readonly #seal: SealManager;
  readonly #mintRootToken: () => Promise<string>;
  readonly #collector = new ShareCollector();
  #otp = '';
  #started = false;

  constructor(seal: SealManager, mintRootToken: () => Promise<string>) {
    this.#seal = seal;
    this.#mintRootToken = mintRootToken;
  }

  async status(): Promise<GenerateRootStatus> {
    return this.#status(false, '', '');
  }

  /** Starts an attempt. Without an `otp`, one is generated and returned, as Vault ≥ 1.10 does. */
  async start(request: { otp?: string; pgpKey?: string }): Promise<GenerateRootStatus> {
    if (this.#started) throw new CofferError('invalid_request', 'root generation already in progress');
    if (request.pgpKey) throw new CofferError('invalid_request', 'pgp_key is not supported yet; use the one-time pad');
    let generated = '';
    if (request.otp) {
      if (request.otp.length !== OTP_LENGTH || !/^[\x21-\x7e]+$/.test(request.otp)) {
        throw new CofferError('invalid_request', `otp must be ${OTP_LENGTH} printable characters`);
      }
      this.#otp = request.otp;
    } else {
      this.#otp = generated = randomBase62(OTP_LENGTH);
    }
    this.#collector.begin();
    this.#started = true;
    return this.#status(false, '', generated);
  }

  cancel(): void {
    this.#collector.reset();
    this.#started = false;
    this.#otp = '';
  }

  async update(share: Uint8Array, nonce: string): Promise<GenerateRootStatus> {
    if (!this.#started) throw new CofferError('invalid_request', 'no root generation in progress');
    if (nonce !== this.#collector.nonce) throw new CofferError('invalid_request', 'incorrect nonce supplied');
    const quorum = await this.#seal.store.quorum();
    if (!quorum) throw new CofferError('invalid_request', 'Vault is not initialized');
    const currentNonce = this.#collector.nonce;
    const parts = this.#collector.add(share, quorum.threshold, quorum.shares === 1);
    if (!parts) return this.#status(false, '', '');
    try {
      const { secret, rootKey } = await this.#seal.verify(parts);
      secret.fill(0);
      rootKey.fill(0);
    } catch (error) {
      this.cancel();
      throw error;
    }
    const token = await this.#mintRootToken();
    const encoded = xorEncode(token, this.#otp);
    this.cancel();
    return { ...(await this.#status(true, encoded, '')), nonce: currentNonce };
  }

  async #status(complete: boolean, encoded: string, otp: string): Promise<GenerateRootStatus> {
    const quorum = await this.#seal.store.quorum();
    return {
      started: this.#started || complete,
      nonce: this.#collector.nonce,
      progress: complete ? quorum?.threshold ?? 0 : this.#collector.progress,
      required: quorum?.threshold ?? 0,
      complete,
      encoded_token: encoded,
      encoded_root_token: encoded,
      pgp_fingerprint: '',
      otp,
      otp_length: OTP_LENGTH,
    };
  }
}

/** base64 (no padding) of token XOR pad; `decodeRootToken` undoes it. */
export function xorEncode(token: string, otp: string): string {
  const a = Buffer.from(token, 'utf8');
  const b = Buffer.from(otp, 'utf8');
  if (a.length !== b.length) throw new CofferError('internal', 'one-time pad length does not match the token');
  return Buffer.from(a.map((byte, i) => byte ^ (b[i] as number))).toString('base64').replace(/=+$/, '');
}

export function decodeRootToken(encoded: string, otp: string): string {
  const a = Buffer.from(encoded, 'base64');
  const b = Buffer.from(otp, 'utf8');
  return Buffer.from(a.map((byte, i) => byte ^ (b[i] ?? 0))).toString('utf8');
}
