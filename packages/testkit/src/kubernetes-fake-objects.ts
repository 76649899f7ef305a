import { randomUUID } from 'node:crypto';
import type { FakeReply } from './fake-http-server.js';

/** A pod as the fake keeps it (only what service registration reads and patches). */
export interface FakePod {
  kind: 'Pod';
  apiVersion: 'v1';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: Record<string, unknown>;
  status: { phase: string };
}

export function podObject(namespace: string, name: string, labels: Record<string, string>, annotations: Record<string, string>): FakePod {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace, uid: randomUUID(), resourceVersion: '1', labels: { ...labels }, annotations: { ...annotations } },
    spec: {},
    status: { phase: 'Running' },
  };
}

/** A `metav1.Status` failure, the body of every Kubernetes API error. */
export function kubernetesStatus(code: number, reason: string, message: string): FakeReply {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}

/** The API server's answer to a TokenReview: the spec echoed back, with the status filled in. */
export function tokenReviewReply(spec: Record<string, unknown>, status: Record<string, unknown>): FakeReply {
  return {
    status: 201,
    body: {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    },
  };
}
