/** The parts of `admission.k8s.io/v1` (and the identical v1beta1) AdmissionReview the webhook uses. */
export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  resource?: { group?: string; version?: string; resource?: string };
  operation?: string;
  namespace?: string;
  name?: string;
  object?: unknown;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON patch array. */
  patch?: string;
  status?: { code?: number; message: string };
  /** Shown by kubectl and recorded in the audit log. */
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export const ADMISSION_V1 = 'admission.k8s.io/v1';
const ADMISSION_VERSIONS = [ADMISSION_V1, 'admission.k8s.io/v1beta1'];

/**
 * Checks the body the API server sent: an AdmissionReview of a known version with a request
 * that has a uid. Returns a reason for a 400 otherwise.
 */
export function readAdmissionReview(body: unknown): AdmissionReview | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not an AdmissionReview object';
  const review = body as Partial<AdmissionReview>;
  if (review.kind !== 'AdmissionReview') return `kind ${JSON.stringify(review.kind)} is not AdmissionReview`;
  // vault-k8s reads v1beta1 into v1 and answers in the request's version; an absent version means v1.
  const apiVersion = review.apiVersion ?? ADMISSION_V1;
  if (!ADMISSION_VERSIONS.includes(apiVersion)) return `apiVersion ${JSON.stringify(apiVersion)} is not ${ADMISSION_VERSIONS.join(' or ')}`;
  const request = review.request;
  if (typeof request !== 'object' || request === null || typeof request.uid !== 'string' || request.uid === '') {
    return 'the AdmissionReview has no request with a uid';
  }
  return { apiVersion, kind: 'AdmissionReview', request };
}
