import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FakeHttpServer, jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { applyJsonPatch } from './json-patch.js';
import {
  serviceAccountClaims,
  ServiceAccountTokenSigner,
  type FakeSigningAlgorithm,
  type ServiceAccountClaims,
  type ServiceAccountTokenOptions,
} from './kubernetes-fake-tokens.js';
import { kubernetesStatus, podObject, tokenReviewReply, type FakePod } from './kubernetes-fake-objects.js';
import { FakeResourceStore } from './kubernetes-fake-resources.js';
import { createTestCertificates, type TestCertificates } from './tls.js';

export interface KubernetesFakeOptions {
  /** Serve with these; by default a fresh test CA and certificate are made. */
  certificates?: TestCertificates;
  /** Signing key type (default RS256, as most clusters). */
  algorithm?: FakeSigningAlgorithm;
  /** The `iss` of issued tokens (default: the fake's own URL, so OIDC discovery works against it). */
  issuer?: string;
  /** The API server's audiences (`--api-audiences`): the default `aud` and TokenReview audiences (default: [issuer]). */
  apiAudiences?: string[];
  /**
   * Accounts (`ns/name`) bound to system:auth-delegator, the only ones whose tokens may create
   * TokenReviews. Default: every valid service-account token may.
   */
  authDelegators?: string[];
  /** The fake's clock, for tokens issued and checked (default: real time). */
  now?: () => Date;
}

/** One TokenReview the fake answered. */
export interface TokenReviewRecord {
  /** The bearer token the caller authenticated with. */
  bearerToken: string;
  /** `spec.token`: the token under review. */
  token: string;
  audiences: string[] | undefined;
  authenticated: boolean;
}

/** One PATCH applied to a pod. */
export interface PodPatchRecord {
  namespace: string;
  name: string;
  contentType: string;
  patch: unknown;
}

/** A Kubernetes API server fake over https; see startKubernetesFake. */
export interface KubernetesFake {
  /** `https://127.0.0.1:<port>`: the auth method's `kubernetes_host`. */
  readonly url: string;
  readonly issuer: string;
  /** PEM of the CA that signed the server certificate: the auth method's `kubernetes_ca_cert`. */
  readonly caPem: string;
  readonly caFile: string;
  /** SPKI PEM of the current signing key (`pem_keys`, `jwt_validation_pubkeys`). */
  readonly publicKeyPem: string;
  /** `<url>/openid/v1/jwks`, as the discovery document names it. */
  readonly jwksUrl: string;
  /** A long-lived token of `coffer/token-reviewer`, an auth delegator: the `token_reviewer_jwt`. */
  readonly reviewerToken: string;
  readonly requests: readonly RecordedRequest[];
  readonly tokenReviews: readonly TokenReviewRecord[];
  readonly podPatches: readonly PodPatchRecord[];
  /** Secrets and MutatingWebhookConfigurations (the agent injector's certificate handling). */
  readonly resources: FakeResourceStore;
  issueServiceAccountToken(options: ServiceAccountTokenOptions): Promise<string>;
  /** Signs any claims with the current key (JWT-auth tests); `kid` overrides the header's key id. */
  signJwt(claims: Record<string, unknown>, header?: { kid?: string }): Promise<string>;
  /** A new signing key; old keys stay published unless `keepOld` is false. Returns the new kid. */
  rotateSigningKey(options?: { keepOld?: boolean; algorithm?: FakeSigningAlgorithm }): Promise<string>;
  /** Forgets the account: its tokens no longer authenticate. */
  deleteServiceAccount(namespace: string, name: string): void;
  setNamespaceLabels(namespace: string, labels: Record<string, string>): void;
  /** Creates (or replaces) a pod; returns a copy. */
  setPod(namespace: string, name: string, pod?: { labels?: Record<string, string>; annotations?: Record<string, string> }): FakePod;
  pod(namespace: string, name: string): FakePod | undefined;
  /** Every TokenReview answers authenticated:false until `allow()`. */
  deny(): void;
  allow(): void;
  /** Calls made with the reviewer token get this status (401 or 403) until `acceptReviewer()`. */
  rejectReviewer(status?: 401 | 403): void;
  acceptReviewer(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const NAMESPACE = /^\/api\/v1\/namespaces\/([^/]+)$/;
const POD = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/;

/**
 * Starts a fake of the parts of the Kubernetes API that Vault-style servers call: TokenReview
 * (authentication.k8s.io/v1) verifying the service-account JWTs it issues, OIDC discovery and its
 * JWKS, namespaces (labels, for namespace selectors) and pods (GET and json-patch PATCH, for
 * service registration). Https only, as the real API; binds 127.0.0.1.
 */
export async function startKubernetesFake(options: KubernetesFakeOptions = {}): Promise<KubernetesFake> {
  const certificates = options.certificates ?? (await createTestCertificates());
  const [key, cert, caPem] = await Promise.all([
    readFile(certificates.keyFile, 'utf8'),
    readFile(certificates.certFile, 'utf8'),
    readFile(certificates.caFile, 'utf8'),
  ]);
  const now = options.now ?? (() => new Date());
  const signer = await ServiceAccountTokenSigner.create(options.algorithm ?? 'RS256');
  const accounts = new Map<string, string>();
  const namespaces = new Map<string, Record<string, string>>();
  const pods = new Map<string, FakePod>();
  const tokenReviews: TokenReviewRecord[] = [];
  const podPatches: PodPatchRecord[] = [];
  const resources = new FakeResourceStore();
  const delegators = options.authDelegators ? new Set(['coffer/token-reviewer', ...options.authDelegators]) : undefined;
  let denied = false;
  let reviewerRejection: 401 | 403 | undefined;
  let issuer = '';
  let audiences: string[] = [];
  let reviewerToken = '';

  const knowNamespace = (ns: string) => {
    if (!namespaces.has(ns)) namespaces.set(ns, { 'kubernetes.io/metadata.name': ns });
  };
  const uidOf = (ns: string, name: string, wanted?: string): string => {
    knowNamespace(ns);
    const uid = wanted ?? accounts.get(`${ns}/${name}`) ?? randomUUID();
    accounts.set(`${ns}/${name}`, uid);
    return uid;
  };
  const issue = (opts: ServiceAccountTokenOptions) =>
    signer.sign({ ...serviceAccountClaims(opts, uidOf(opts.namespace, opts.name, opts.uid), issuer, audiences, now()) });

  /** Authenticates a token as the API server does; throws with Kubernetes' wording. */
  const authenticate = async (token: string, wanted: readonly string[]): Promise<{ claims: ServiceAccountClaims; audiences: string[] }> => {
    const claims = await signer.verify(token, issuer, now());
    const tokenAud = Array.isArray(claims.aud) ? claims.aud : [String(claims.aud)];
    const matched = wanted.filter((aud) => tokenAud.includes(aud));
    if (matched.length === 0) {
      throw new Error(`invalid bearer token, token audiences ${JSON.stringify(tokenAud)} is invalid for the target audiences ${JSON.stringify(wanted)}`);
    }
    const ns = claims['kubernetes.io']?.namespace;
    const sa = claims['kubernetes.io']?.serviceaccount;
    if (!ns || !sa || accounts.get(`${ns}/${sa.name}`) !== sa.uid) {
      throw new Error(`invalid bearer token, service account ${ns}/${sa?.name} has been deleted`);
    }
    return { claims, audiences: matched };
  };

  /** The caller of a protected API: 401 without a valid token, the configured rejection for the reviewer. */
  const caller = async (request: RecordedRequest): Promise<{ bearer: string; user: string } | FakeReply> => {
    const header = request.headers.authorization ?? '';
    const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (bearer === '') return kubernetesStatus(401, 'Unauthorized', 'Unauthorized');
    if (bearer === reviewerToken && reviewerRejection) {
      return reviewerRejection === 401
        ? kubernetesStatus(401, 'Unauthorized', 'Unauthorized')
        : kubernetesStatus(403, 'Forbidden', forbidden('system:serviceaccount:coffer:token-reviewer'));
    }
    try {
      const { claims } = await authenticate(bearer, audiences);
      return { bearer, user: claims.sub };
    } catch {
      return kubernetesStatus(401, 'Unauthorized', 'Unauthorized');
    }
  };

  const tokenReview = async (request: RecordedRequest): Promise<FakeReply> => {
    if (request.method !== 'POST') return kubernetesStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const who = await caller(request);
    if ('status' in who) return who;
    const account = who.user.replace(/^system:serviceaccount:/, '').replace(':', '/');
    if (delegators && !delegators.has(account)) return kubernetesStatus(403, 'Forbidden', forbidden(who.user));
    const body = jsonBody(request);
    const spec = body?.['spec'] as { token?: unknown; audiences?: unknown } | undefined;
    if (!body || body['kind'] !== 'TokenReview' || typeof spec?.token !== 'string') {
      return kubernetesStatus(400, 'BadRequest', 'a TokenReview with spec.token is required');
    }
    const wanted = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : undefined;
    const record: TokenReviewRecord = { bearerToken: who.bearer, token: spec.token, audiences: wanted, authenticated: false };
    tokenReviews.push(record);
    if (denied) return tokenReviewReply(spec, { user: {} });
    try {
      const result = await authenticate(spec.token, wanted ?? audiences);
      record.authenticated = true;
      return tokenReviewReply(spec, { authenticated: true, user: userInfo(result.claims), audiences: result.audiences });
    } catch (error) {
      return tokenReviewReply(spec, { user: {}, error: `[${(error as Error).message}]` });
    }
  };

  const namespaceOrPod = async (request: RecordedRequest): Promise<FakeReply> => {
    const who = await caller(request);
    if ('status' in who) return who;
    const nsMatch = NAMESPACE.exec(request.path);
    if (nsMatch) {
      const ns = decodeURIComponent(nsMatch[1] as string);
      const labels = namespaces.get(ns);
      if (!labels || request.method !== 'GET') return kubernetesStatus(404, 'NotFound', `namespaces "${ns}" not found`);
      return { status: 200, body: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: ns, labels: { ...labels } }, status: { phase: 'Active' } } };
    }
    const [, rawNs, rawName] = POD.exec(request.path) as RegExpExecArray;
    const ns = decodeURIComponent(rawNs as string);
    const name = decodeURIComponent(rawName as string);
    const pod = pods.get(`${ns}/${name}`);
    if (!pod) return kubernetesStatus(404, 'NotFound', `pods "${name}" not found`);
    if (request.method === 'GET') return { status: 200, body: structuredClone(pod) };
    if (request.method !== 'PATCH') return kubernetesStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (contentType !== 'application/json-patch+json') {
      return kubernetesStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json`);
    }
    let patch: unknown;
    try {
      patch = JSON.parse(request.body);
      const patched = applyJsonPatch(pod, patch);
      patched.metadata.resourceVersion = String(Number(pod.metadata.resourceVersion) + 1);
      pods.set(`${ns}/${name}`, patched);
      podPatches.push({ namespace: ns, name, contentType, patch });
      return { status: 200, body: structuredClone(patched) };
    } catch (error) {
      return kubernetesStatus(422, 'Invalid', (error as Error).message);
    }
  };

  const handle = async (request: RecordedRequest): Promise<FakeReply> => {
    if (request.path === '/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer,
          jwks_uri: `${server.url}/openid/v1/jwks`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: [signer.current.alg],
        },
      };
    }
    if (request.path === '/openid/v1/jwks') return { status: 200, body: signer.jwks() };
    if (request.path === TOKEN_REVIEWS) return tokenReview(request);
    if (NAMESPACE.test(request.path) || POD.test(request.path)) return namespaceOrPod(request);
    if (resources.matches(request.path)) {
      const who = await caller(request);
      return 'status' in who ? who : resources.handle(request);
    }
    return kubernetesStatus(404, 'NotFound', 'the server could not find the requested resource');
  };

  const server = await FakeHttpServer.start(handle, { tls: { key, cert } });
  issuer = options.issuer ?? server.url;
  audiences = options.apiAudiences ?? [issuer];
  reviewerToken = await issue({ namespace: 'coffer', name: 'token-reviewer', expiresIn: 24 * 3600 });

  return {
    url: server.url,
    issuer,
    caPem,
    caFile: certificates.caFile,
    get publicKeyPem() {
      return signer.publicKeyPem;
    },
    jwksUrl: `${server.url}/openid/v1/jwks`,
    reviewerToken,
    requests: server.requests,
    tokenReviews,
    podPatches,
    resources,
    issueServiceAccountToken: issue,
    signJwt: (claims, header) => signer.sign(claims, header),
    rotateSigningKey: (opts = {}) => signer.rotate(opts.keepOld ?? true, opts.algorithm),
    deleteServiceAccount: (ns, name) => void accounts.delete(`${ns}/${name}`),
    setNamespaceLabels: (ns, labels) => void namespaces.set(ns, { 'kubernetes.io/metadata.name': ns, ...labels }),
    setPod(ns, name, pod = {}) {
      knowNamespace(ns);
      const created = podObject(ns, name, pod.labels ?? {}, pod.annotations ?? {});
      pods.set(`${ns}/${name}`, created);
      return structuredClone(created);
    },
    pod: (ns, name) => {
      const pod = pods.get(`${ns}/${name}`);
      return pod && structuredClone(pod);
    },
    deny: () => void (denied = true),
    allow: () => void (denied = false),
    rejectReviewer: (status = 401) => void (reviewerRejection = status),
    acceptReviewer: () => void (reviewerRejection = undefined),
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close(),
  };
}

function userInfo(claims: ServiceAccountClaims): Record<string, unknown> {
  const k8s = claims['kubernetes.io'];
  return {
    username: claims.sub,
    uid: k8s.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`, 'system:authenticated'],
    ...(k8s.pod
      ? { extra: { 'authentication.kubernetes.io/pod-name': [k8s.pod.name], 'authentication.kubernetes.io/pod-uid': [k8s.pod.uid] } }
      : {}),
  };
}

function forbidden(user: string): string {
  return `tokenreviews.authentication.k8s.io is forbidden: User "${user}" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope`;
}
