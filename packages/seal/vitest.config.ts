import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Belt and braces: google-auth-library must never probe the GCE metadata server (a
      // non-loopback address) from a test, even if some test forgot its explicit credentials.
      env: { METADATA_SERVER_DETECTION: 'none' },
    },
  }),
);
