import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { parseAgentConfig, type AgentConfig } from '@coffer/agent';
import { applyJsonPatch } from '@coffer/testkit';
import type { IContainer, IPod } from 'kubernetes-models/v1';
import { Pod } from 'kubernetes-models/v1';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
  /** The certificate the server presented. */
  peer: PeerCertificate;
}

/** One HTTPS request to the webhook, trusting only `caPem` (or nothing, with `insecure`). */
export function call(url: string, options: { method?: string; path: string; caPem?: string; body?: unknown; contentType?: string; insecure?: boolean }): Promise<HttpsAnswer> {
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(options.path, url),
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        ...(options.caPem ? { ca: options.caPem } : {}),
        rejectUnauthorized: !options.insecure,
        // A fresh connection per call, so a renewed certificate is seen.
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' },
      },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peer });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The pod after the API server applies the webhook's answer, validated against the Kubernetes
 * schema (kubernetes-models: types, enums, required fields).
 */
export function patchedPod(pod: IPod, response: { patchType?: string; patch?: string }): IPod {
  if (response.patch === undefined) return pod;
  if (response.patchType !== 'JSONPatch') throw new Error(`patchType ${response.patchType}`);
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  const result = applyJsonPatch(pod, patch);
  new Pod(result).validate();
  return result;
}

/** The agent configuration an injected container carries (base64 JSON in VAULT_CONFIG). */
export function agentConfigJson(container: IContainer | undefined): Record<string, any> {
  const value = container?.env?.find((e) => e.name === 'VAULT_CONFIG')?.value;
  if (value === undefined) throw new Error(`container ${container?.name} has no VAULT_CONFIG`);
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
}

/** The same, read by `coffer agent`'s own parser (which refuses anything it would not run). */
export function parsedAgentConfig(container: IContainer | undefined): Promise<AgentConfig> {
  return parseAgentConfig(JSON.stringify(agentConfigJson(container)), { fileName: '/home/vault/config.json', env: {} });
}

export function containerNamed(containers: IContainer[] | undefined, name: string): IContainer | undefined {
  return containers?.find((c) => c.name === name);
}
