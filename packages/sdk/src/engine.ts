import type { FieldValues, Fields } from './framework/fields.js';
import type { Logger } from './logger.js';
import type { Storage } from './storage.js';

/**
 * Engines (secrets engines and auth methods) are declared as paths and operations. They never see
 * HTTP: the server maps methods to operations (GET→read, LIST or ?list=true→list, POST/PUT→create or
 * update, PATCH→patch, DELETE→delete), authorises and audits the request, then calls a handler.
 */
export const OPERATIONS = ['create', 'read', 'update', 'patch', 'delete', 'list'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Who is calling, as resolved from the token by the request pipeline. */
export interface RequestAuth {
  /** Opaque per-token identifier safe to key data by (the accessor). */
  accessor: string;
  /**
   * The caller's token, for the few engines that must return or scope by it (token lookup-self,
   * cubbyhole). Never store it, log it or put it in an error message.
   */
  clientToken: string;
  displayName: string;
  policies: string[];
  metadata: Record<string, string>;
  entityId: string;
}

export interface LogicalRequest<F extends Fields = Fields> {
  /** The request id, as returned in `request_id`. */
  id: string;
  operation: Operation;
  /** The path below the mount, e.g. `data/app/db` for `secret/data/app/db`. */
  path: string;
  /** Named captures of the matched path pattern. */
  params: Record<string, string>;
  /** The declared fields, parsed and typed. */
  fields: FieldValues<F>;
  /** The raw request data (JSON body, or query parameters for reads), for engines storing free-form maps. */
  data: Record<string, unknown>;
  /** Absent only for unauthenticated paths. */
  auth?: RequestAuth;
  remoteAddress?: string;
  signal?: AbortSignal;
}

/**
 * A lease to register for the response's secret (dynamic credentials). The expiration manager owns
 * it from then on: it calls the engine's `renewSecret` and `revokeSecret` with what is kept here.
 */
export interface SecretLease {
  /** Seconds; 0 means the mount's default lease TTL. */
  ttl: number;
  /** Seconds from issue beyond which renewals cannot extend; 0 means the mount's max lease TTL. */
  maxTtl?: number;
  renewable: boolean;
  /** Kept with the lease, given back to the engine on renew and revoke; never returned to clients. */
  internal?: Record<string, unknown>;
}

/** A lease as the expiration manager hands it back to the engine that issued it. */
export interface LeaseInfo {
  leaseId: string;
  /** The request path that created it, below the mount (e.g. `creds/readonly`). */
  path: string;
  issueTime: Date;
  /** When it currently expires. */
  expireTime: Date;
  internal: Record<string, unknown>;
}

/** A token to mint for a login (or token creation): the core creates it and fills in `auth`. */
export interface AuthGrant {
  policies: string[];
  displayName?: string;
  metadata?: Record<string, string>;
  /** Seconds; 0 or absent means the mount's default. */
  ttl?: number;
  /** Renewals cannot extend past issue + maxTtl (the role's `token_max_ttl`); capped by the mount's max. */
  maxTtl?: number;
  /** A hard cap that even periodic renewals cannot pass (`token_explicit_max_ttl`). */
  explicitMaxTtl?: number;
  /** Periodic tokens renew to this period each time and have no max TTL (unless explicit). */
  period?: number;
  renewable?: boolean;
  numUses?: number;
  noDefaultPolicy?: boolean;
  /** Orphan tokens have no parent; logins always give orphans. */
  orphan?: boolean;
  /** CIDR blocks the token may be used from (`token_bound_cidrs`). */
  boundCidrs?: string[];
  /** Kept with the token, given back to the auth method on renewal; never returned to clients. */
  internal?: Record<string, unknown>;
  /** Token method only: a caller-chosen token (root callers), and the token role used. */
  id?: string;
  role?: string;
}

/** A token's state as given to the auth method that issued it, when the token is renewed. */
export interface AuthRenewal {
  policies: string[];
  metadata: Record<string, string>;
  internal: Record<string, unknown>;
  issueTime: Date;
}

/** The `auth` block of a response about an existing token (renewals), as clients see it. */
export interface AuthInfo {
  clientToken: string;
  accessor: string;
  policies: string[];
  tokenPolicies: string[];
  metadata: Record<string, string>;
  leaseDuration: number;
  renewable: boolean;
  orphan: boolean;
  numUses: number;
}

export interface LogicalResponse {
  data?: Record<string, unknown> | null;
  warnings?: string[];
  /**
   * An HTTP status for a response that still carries its data, as Vault sends some: 404 for a
   * deleted KV v2 version (with its metadata), 400/500 or a caller-chosen code for a transit batch
   * with failed items (with every item's result). Defaults to 200.
   */
  status?: number;
  secret?: SecretLease;
  /** Asks the core to mint a token (logins, token creation). */
  auth?: AuthGrant;
  /** Reports an existing token (renewals); nothing is minted. */
  authInfo?: AuthInfo;
  /** Reports an existing lease (renewals) in the envelope's lease fields; nothing is registered. */
  leaseInfo?: { id: string; duration: number; renewable: boolean };
  /**
   * A body sent as is instead of the JSON envelope (Vault's raw responses: Prometheus metrics,
   * PEM certificates). Still authorised and audited like any response.
   */
  raw?: { contentType: string; body: string };
  /**
   * Asks the core to wrap this response for this many seconds (sys/wrapping/wrap and rewrap), as
   * the client's `X-Vault-Wrap-TTL` header does for any request.
   */
  wrapTtl?: number;
  /** KV v1's `ttl` key: reported as `lease_duration` without registering a lease. */
  leaseDurationHint?: number;
}

export type Handler<F extends Fields = Fields> = (
  request: LogicalRequest<F>,
) => Promise<LogicalResponse | undefined>;

export interface PathDef<F extends Fields = Fields> {
  /** A regular expression over the path below the mount, anchored at both ends; named groups become `params`. */
  pattern: string;
  fields?: F;
  operations: Partial<Record<Operation, Handler<F>>>;
  /**
   * Decides whether a write is a `create` or an `update` (what ACLs check). Without it, every write
   * is an `update`, as in Vault.
   */
  exists?: (request: LogicalRequest<F>) => Promise<boolean>;
  summary?: string;
}

/** Declares a path with its field types flowing into the handlers. */
export function definePath<const F extends Fields>(def: PathDef<F>): PathDef {
  return def as unknown as PathDef;
}

export interface Engine {
  /** The mount type, e.g. `kv`, `token`, `userpass`. */
  readonly type: string;
  readonly paths: readonly PathDef[];
  /** Globs (`*` suffix) of paths served without a token, e.g. `login/*`. */
  readonly unauthenticatedPaths?: readonly string[];
  /** Globs of paths that need `sudo` (root-protected). */
  readonly sudoPaths?: readonly string[];
  setup?(): Promise<void>;
  cleanup?(): Promise<void>;
  periodic?(): Promise<void>;
  /**
   * Auth methods: called before a token this mount issued is renewed. Throw to refuse (the role or
   * user is gone, or its policies changed); return new TTL bounds to apply them.
   */
  renewAuth?(renewal: AuthRenewal): Promise<{ ttl?: number; maxTtl?: number; period?: number } | undefined>;
  /** Secrets engines with leased secrets: extend the secret's validity (e.g. ALTER ROLE … VALID UNTIL). */
  renewSecret?(lease: LeaseInfo, newExpireTime: Date): Promise<void>;
  /** Secrets engines with leased secrets: destroy the secret (e.g. DROP ROLE). Must be idempotent. */
  revokeSecret?(lease: LeaseInfo): Promise<void>;
}

export interface MountIdentity {
  /** With trailing slash, e.g. `secret/`. */
  path: string;
  type: string;
  uuid: string;
  accessor: string;
  /** Engine options given at mount time, e.g. `{ version: "2" }` for KV. */
  options: Record<string, string>;
}

/** What the core offers every engine. Values may change at run time (tune), hence functions. */
export interface SystemView {
  /** The mount's effective default and maximum lease TTL in seconds. */
  defaultLeaseTtl(): number;
  maxLeaseTtl(): number;
  now(): Date;
}

export interface EngineDeps {
  /** This mount's private storage, behind the barrier. */
  storage: Storage;
  logger: Logger;
  mount: MountIdentity;
  system: SystemView;
}

export type EngineFactory = (deps: EngineDeps) => Engine | Promise<Engine>;
