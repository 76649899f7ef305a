export { createTestCertificates } from './tls.js';
export type { TestCertificates } from './tls.js';
