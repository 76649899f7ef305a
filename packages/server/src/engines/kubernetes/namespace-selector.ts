import { isPlainObject } from '@coffer/sdk';
import { describeNetworkError, type HttpJsonClient } from '../jwt/http-json-client.js';

/** A namespace label selector: every label here must be on the namespace. */
export type NamespaceSelector = Record<string, string>;

/**
 * Parses `bound_service_account_namespace_selector`: a Kubernetes LabelSelector as JSON with
 * `matchLabels` (Vault also takes YAML; Coffer takes JSON only). `matchExpressions` is refused, as
 * Vault refuses it. Throws an Error when it is not a selector.
 */
export function parseNamespaceSelector(text: string): NamespaceSelector {
  if (text.trim() === '') throw new Error('namespace selector is empty');
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) throw new Error('a label selector must be a JSON object');
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) {
    throw new Error('label selector match expressions are not supported');
  }
  const labels = value.matchLabels ?? {};
  if (!isPlainObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
    throw new Error('matchLabels must map label names to strings');
  }
  return labels as NamespaceSelector;
}

/**
 * Whether the namespace's labels satisfy the selector, read from the API server with the reviewer
 * JWT (`GET /api/v1/namespaces/<ns>`). An empty selector matches every namespace, as in Kubernetes.
 * Throws an Error saying why the lookup failed.
 */
export async function namespaceMatches(
  client: HttpJsonClient,
  host: string,
  reviewerJwt: string | undefined,
  namespace: string,
  selector: NamespaceSelector,
): Promise<boolean> {
  if (!reviewerJwt) throw new Error('namespace lookup failed: TokenReviewer JWT needs to be configured to use namespace selectors');
  let reply;
  try {
    reply = await client.request({
      method: 'GET',
      url: `${host}/api/v1/namespaces/${encodeURIComponent(namespace)}`,
      headers: { authorization: `Bearer ${reviewerJwt}` },
    });
  } catch (error) {
    throw new Error(`namespace lookup failed: ${describeNetworkError(error)}`);
  }
  if (reply.status !== 200) {
    const message = isPlainObject(reply.json) && typeof reply.json.message === 'string' ? reply.json.message : reply.text.slice(0, 200);
    throw new Error(`failed to get namespace (code ${reply.status} status ${message})`);
  }
  const metadata = isPlainObject(reply.json) ? reply.json.metadata : undefined;
  const labels = isPlainObject(metadata) && isPlainObject(metadata.labels) ? metadata.labels : {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
