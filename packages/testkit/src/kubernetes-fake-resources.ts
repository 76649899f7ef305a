import { randomUUID } from 'node:crypto';
import { jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { applyJsonPatch } from './json-patch.js';
import { kubernetesStatus } from './kubernetes-fake-objects.js';

/** One write the fake accepted (or refused with a conflict), for assertions. */
export interface ResourceWriteRecord {
  method: string;
  kind: 'Secret' | 'MutatingWebhookConfiguration';
  namespace: string | undefined;
  name: string;
  /** 2xx, or the refusal (409 conflict, 404, 422). */
  status: number;
  contentType: string;
  body: unknown;
}

type KubeObject = { apiVersion: string; kind: string; metadata: Record<string, any>; [key: string]: unknown };

interface Kind {
  kind: ResourceWriteRecord['kind'];
  apiVersion: string;
  plural: string;
  /** Collection path → namespace (undefined for cluster-scoped). */
  pattern: RegExp;
}

const KINDS: Kind[] = [
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/ },
  {
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    plural: 'mutatingwebhookconfigurations',
    pattern: /^\/apis\/admissionregistration\.k8s\.io\/v1\/()mutatingwebhookconfigurations(?:\/([^/]+))?$/,
  },
];

/**
 * Secrets and MutatingWebhookConfigurations as the API server keeps them: GET, POST (409
 * AlreadyExists), PUT (409 Conflict on a stale metadata.resourceVersion), PATCH (json-patch and
 * merge-patch) and DELETE, with one resourceVersion counter for all objects. Enough for a webhook
 * that keeps its certificates in a Secret and its CA in its configuration's caBundle. No RBAC:
 * any authenticated caller may.
 */
export class FakeResourceStore {
  readonly writes: ResourceWriteRecord[] = [];
  readonly #objects = new Map<string, KubeObject>();
  #version = 100;

  matches(path: string): boolean {
    return KINDS.some((k) => k.pattern.test(path));
  }

  handle(request: RecordedRequest): FakeReply {
    const kind = KINDS.find((k) => k.pattern.test(request.path)) as Kind;
    const match = kind.pattern.exec(request.path) as RegExpExecArray;
    const namespace = match[1] ? decodeURIComponent(match[1]) : undefined;
    const name = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (name === undefined) {
      if (request.method === 'POST') return this.#record(request, kind, namespace, this.#create(kind, namespace, jsonBody(request)));
      if (request.method === 'GET') return { status: 200, body: { kind: `${kind.kind}List`, apiVersion: kind.apiVersion, metadata: {}, items: this.#list(kind, namespace) } };
      return kubernetesStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    const key = this.#key(kind, namespace, name);
    const current = this.#objects.get(key);
    if (request.method === 'GET') return current ? { status: 200, body: structuredClone(current) } : notFound(kind, name);
    if (!['PUT', 'PATCH', 'DELETE'].includes(request.method)) return kubernetesStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    let reply: FakeReply;
    if (!current) reply = notFound(kind, name);
    else if (request.method === 'DELETE') {
      this.#objects.delete(key);
      reply = { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    } else if (request.method === 'PUT') reply = this.#replace(kind, key, current, jsonBody(request));
    else reply = this.#patch(kind, key, current, request);
    return this.#record(request, kind, namespace, reply, name);
  }

  /** Creates or replaces an object as an operator would (`kubectl apply`); returns a copy. */
  put(object: { apiVersion?: string; kind: ResourceWriteRecord['kind']; metadata: { name: string; namespace?: string }; [key: string]: unknown }): KubeObject {
    const kind = KINDS.find((k) => k.kind === object.kind) as Kind;
    const stored = this.#stamp(kind, { ...structuredClone(object), apiVersion: kind.apiVersion } as KubeObject, undefined);
    this.#objects.set(this.#key(kind, object.metadata.namespace, object.metadata.name), stored);
    return structuredClone(stored);
  }

  /** Deletes an object as an operator would; true when it existed. */
  delete(kind: ResourceWriteRecord['kind'], namespace: string | undefined, name: string): boolean {
    return this.#objects.delete(this.#key(KINDS.find((k) => k.kind === kind) as Kind, namespace, name));
  }

  get(kind: ResourceWriteRecord['kind'], namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#objects.get(this.#key(KINDS.find((k) => k.kind === kind) as Kind, namespace, name));
    return found && structuredClone(found);
  }

  #create(kind: Kind, namespace: string | undefined, body: Record<string, unknown> | undefined): FakeReply {
    const name = (body?.['metadata'] as { name?: string } | undefined)?.name;
    if (!body || body['kind'] !== kind.kind || !name) return kubernetesStatus(400, 'BadRequest', `a ${kind.kind} with metadata.name is required`);
    const key = this.#key(kind, namespace, name);
    if (this.#objects.has(key)) return kubernetesStatus(409, 'AlreadyExists', `${kind.plural} "${name}" already exists`);
    const stored = this.#stamp(kind, { ...(body as KubeObject), metadata: { ...(body['metadata'] as object), namespace } }, undefined);
    this.#objects.set(key, stored);
    return { status: 201, body: structuredClone(stored) };
  }

  #replace(kind: Kind, key: string, current: KubeObject, body: Record<string, unknown> | undefined): FakeReply {
    if (!body || body['kind'] !== kind.kind) return kubernetesStatus(400, 'BadRequest', `the body is not a ${kind.kind}`);
    const wanted = (body['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (wanted !== undefined && wanted !== current.metadata['resourceVersion']) return conflict(kind, current.metadata['name']);
    const stored = this.#stamp(kind, body as KubeObject, current);
    this.#objects.set(key, stored);
    return { status: 200, body: structuredClone(stored) };
  }

  #patch(kind: Kind, key: string, current: KubeObject, request: RecordedRequest): FakeReply {
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0]?.trim();
    let next: KubeObject;
    try {
      const patch = JSON.parse(request.body) as unknown;
      if (contentType === 'application/json-patch+json') next = applyJsonPatch(current, patch);
      else if (contentType === 'application/merge-patch+json') next = mergePatch(current, patch) as KubeObject;
      else return kubernetesStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`);
    } catch (error) {
      return kubernetesStatus(422, 'Invalid', (error as Error).message);
    }
    const stored = this.#stamp(kind, next, current);
    this.#objects.set(key, stored);
    return { status: 200, body: structuredClone(stored) };
  }

  /** Server-owned metadata: uid and creation time kept, a new resourceVersion for every write. */
  #stamp(kind: Kind, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.#version += 1;
    const metadata = { ...object.metadata };
    metadata['uid'] = previous?.metadata['uid'] ?? metadata['uid'] ?? randomUUID();
    metadata['creationTimestamp'] = previous?.metadata['creationTimestamp'] ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    metadata['resourceVersion'] = String(this.#version);
    return { ...object, apiVersion: kind.apiVersion, kind: kind.kind, metadata };
  }

  #list(kind: Kind, namespace: string | undefined): KubeObject[] {
    return [...this.#objects.values()].filter((o) => o.kind === kind.kind && o.metadata['namespace'] === namespace).map((o) => structuredClone(o));
  }

  #key(kind: Kind, namespace: string | undefined, name: string): string {
    return `${kind.kind}/${namespace ?? ''}/${name}`;
  }

  #record(request: RecordedRequest, kind: Kind, namespace: string | undefined, reply: FakeReply, name?: string): FakeReply {
    let body: unknown = request.body;
    try {
      body = JSON.parse(request.body);
    } catch {
      // Recorded as sent.
    }
    this.writes.push({
      method: request.method,
      kind: kind.kind,
      namespace,
      name: name ?? ((body as { metadata?: { name?: string } })?.metadata?.name ?? ''),
      status: reply.status,
      contentType: String(request.headers['content-type'] ?? ''),
      body,
    });
    return reply;
  }
}

function notFound(kind: Kind, name: string): FakeReply {
  return kubernetesStatus(404, 'NotFound', `${kind.plural} "${name}" not found`);
}

function conflict(kind: Kind, name: string): FakeReply {
  return kubernetesStatus(409, 'Conflict', `Operation cannot be fulfilled on ${kind.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
