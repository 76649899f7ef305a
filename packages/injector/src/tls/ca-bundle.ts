import { KubeApiError, type KubeClient } from '../kube/kube-client.js';

const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/**
 * Makes every webhook of the MutatingWebhookConfiguration trust `caBundlePem`, with a JSON patch
 * of only the webhooks that differ (nothing is written when all match, so replicas holding the
 * same CA never fight over it). Run again periodically: `helm upgrade` or `kubectl apply` reset
 * the caBundle. `missing` when the configuration does not exist (yet).
 */
export async function ensureCaBundle(kube: KubeClient, webhookName: string, caBundlePem: string): Promise<'patched' | 'current' | 'missing'> {
  const path = `${MWC_PATH}/${encodeURIComponent(webhookName)}`;
  const response = await kube.request('GET', path);
  if (response.status === 404) return 'missing';
  if (response.status !== 200) throw KubeApiError.from(`reading MutatingWebhookConfiguration ${webhookName}`, response);
  const desired = Buffer.from(caBundlePem, 'utf8').toString('base64');
  const webhooks = (response.body?.webhooks ?? []) as { clientConfig?: { caBundle?: string } }[];
  const ops = webhooks.flatMap((webhook, i) =>
    webhook.clientConfig?.caBundle === desired ? [] : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: desired }],
  );
  if (ops.length === 0) return 'current';
  const patched = await kube.request('PATCH', path, ops, 'application/json-patch+json');
  if (patched.status !== 200) throw KubeApiError.from(`patching the caBundle of MutatingWebhookConfiguration ${webhookName}`, patched);
  return 'patched';
}
