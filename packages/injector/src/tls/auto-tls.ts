import type { Logger } from '@coffer/sdk';
import type { KubeClient } from '../kube/kube-client.js';
import type { ServingCertificate } from '../webhook-server.js';
import { ensureCaBundle } from './ca-bundle.js';
import { CertSecret, type StoredCertificates } from './cert-secret.js';
import { describeCertificate, generateCa, issueServingCertificate, pemBlocks } from './certificates.js';

export interface AutoTlsOptions {
  kube: KubeClient;
  namespace: string;
  secretName: string;
  /** The MutatingWebhookConfiguration whose caBundle is kept current. */
  webhookName: string;
  /** DNS names and IPs of the serving certificate. */
  hosts: string[];
  logger: Logger;
  now?: () => Date;
  /** vault-k8s: 24 h for the serving certificate, 10 years for the CA. */
  certificateLifetimeMs?: number;
  caLifetimeMs?: number;
  /** Renew when less than this fraction of a certificate's life is left (vault-k8s: 10 %). */
  renewWithin?: number;
}

const HOUR = 3_600_000;
const MAX_WRITE_ATTEMPTS = 5;

/**
 * The webhook's certificates, made by the injector and shared by every replica through one
 * Secret: the first replica to find it absent or empty generates a CA and a serving certificate
 * and writes them; the others read them (a write that loses the race is a conflict, and the
 * winner's certificates are read and used). Whoever finds the serving certificate near its end
 * issues the next one from the same CA, so the caBundle, which every replica keeps patched into
 * the MutatingWebhookConfiguration, changes only when the CA itself is renewed (and then keeps
 * the previous CA too, so certificates still served stay trusted).
 */
export class AutoTls {
  readonly #secret: CertSecret;
  readonly #now: () => Date;
  readonly #leafLifetime: number;
  readonly #caLifetime: number;
  readonly #renewWithin: number;
  #current: StoredCertificates | undefined;

  constructor(private readonly options: AutoTlsOptions) {
    this.#secret = new CertSecret(options.kube, options.namespace, options.secretName);
    this.#now = options.now ?? (() => new Date());
    this.#leafLifetime = options.certificateLifetimeMs ?? 24 * HOUR;
    this.#caLifetime = options.caLifetimeMs ?? 10 * 365 * 24 * HOUR;
    this.#renewWithin = options.renewWithin ?? 0.1;
  }

  /** The certificates in use; undefined before the first `refresh`. */
  get current(): StoredCertificates | undefined {
    return this.#current;
  }

  /** When the serving certificate in use must be renewed. */
  renewalDue(): Date {
    const leaf = this.#current && describeCertificate(this.#current.certPem);
    if (!leaf) return this.#now();
    const life = leaf.notAfter.getTime() - leaf.notBefore.getTime();
    return new Date(leaf.notAfter.getTime() - life * this.#renewWithin);
  }

  /**
   * Reads the Secret, renews what is due (or creates it all), makes the webhook configuration
   * trust the CA, and returns the serving certificate with whether it changed since last time.
   */
  async refresh(): Promise<{ certificate: ServingCertificate; changed: boolean }> {
    const before = this.#current?.certPem;
    this.#current = await this.#obtain();
    // The certificate is served even when the caBundle cannot be written (RBAC, API trouble): an
    // operator may have set it by hand, and the next check tries again.
    try {
      const outcome = await ensureCaBundle(this.options.kube, this.options.webhookName, this.#current.caBundlePem);
      if (outcome === 'patched') this.options.logger.info({ webhook: this.options.webhookName }, 'caBundle of the webhook configuration updated');
      if (outcome === 'missing') this.options.logger.warn({ webhook: this.options.webhookName }, 'MutatingWebhookConfiguration not found; its caBundle will be set once it exists');
    } catch (error) {
      this.options.logger.error({ webhook: this.options.webhookName, error: (error as Error).message }, 'updating the caBundle failed; will retry');
    }
    return { certificate: { certPem: this.#current.certPem, keyPem: this.#current.keyPem }, changed: before !== this.#current.certPem };
  }

  async #obtain(): Promise<StoredCertificates> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const state = await this.#secret.read();
      const due = this.#due(state.stored);
      if (!due && state.stored) return state.stored;
      const next = await this.#renew(state.stored, due);
      if ((await this.#secret.write(state, next)) === 'written') {
        this.options.logger.info({ secret: `${this.#secret.namespace}/${this.#secret.name}`, renewed: due }, 'webhook certificate written');
        return next;
      }
      this.options.logger.debug({ attempt }, 'another replica wrote the certificate Secret first; reading it');
    }
    throw new Error(`the certificate Secret ${this.#secret.namespace}/${this.#secret.name} kept changing; giving up for now`);
  }

  /** What must be made anew: nothing, the serving certificate, or everything (the CA too). */
  #due(stored: StoredCertificates | undefined): 'certificate' | 'ca' | undefined {
    const caPem = stored && pemBlocks(stored.caBundlePem).at(-1);
    const ca = caPem && describeCertificate(caPem);
    const leaf = stored && describeCertificate(stored.certPem);
    if (!ca || !leaf) return 'ca';
    if (this.#nearEnd(ca)) return 'ca';
    const coversHosts = this.options.hosts.every((h) => leaf.hosts.includes(h));
    if (this.#nearEnd(leaf) || !coversHosts) return 'certificate';
    return undefined;
  }

  #nearEnd(cert: { notBefore: Date; notAfter: Date }): boolean {
    const life = cert.notAfter.getTime() - cert.notBefore.getTime();
    return cert.notAfter.getTime() - this.#now().getTime() < life * this.#renewWithin;
  }

  async #renew(stored: StoredCertificates | undefined, due: 'certificate' | 'ca' | undefined): Promise<StoredCertificates> {
    const now = this.#now();
    let caBundlePem = stored?.caBundlePem ?? '';
    let caKeyPem = stored?.caKeyPem ?? '';
    if (due === 'ca' || !stored) {
      const ca = await generateCa(now, this.#caLifetime);
      // The previous CA stays in the bundle: replicas still serving its certificates remain trusted.
      const previous = stored ? pemBlocks(stored.caBundlePem).at(-1) : undefined;
      caBundlePem = `${previous ?? ''}${ca.certPem}`;
      caKeyPem = ca.keyPem;
    }
    const current = pemBlocks(caBundlePem).at(-1) as string;
    const leaf = await issueServingCertificate({ certPem: current, keyPem: caKeyPem }, this.options.hosts, now, this.#leafLifetime);
    return { caBundlePem, caKeyPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
  }
}
