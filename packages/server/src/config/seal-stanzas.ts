import { parseSealConfig, SEAL_TYPES, SealConfigError, type SealConfig } from '@coffer/seal';
import type { StanzaKind, StanzaType } from './stanzas.js';

/**
 * `seal "<type>" { … }`: each type's options are the seal package's to judge (it knows the
 * environment variables too); its problems come back by option key and land on their lines here.
 * Up to two stanzas: during a migration one of them is `disabled = "true"`.
 */
export function sealStanzas(env: Record<string, string | undefined>): StanzaKind<SealConfig> {
  const types: Record<string, StanzaType<SealConfig>> = {};
  for (const type of SEAL_TYPES) {
    types[type] = {
      fields: {},
      read(body, context, problems) {
        try {
          return parseSealConfig(type, body.value, env);
        } catch (error) {
          if (!(error instanceof SealConfigError)) throw error;
          for (const problem of error.problems) {
            problems.add(problem.key === undefined ? body.line : body.keyLine(problem.key), `${context}: ${problem.message}`);
          }
          return undefined;
        }
      },
    };
  }
  return { name: 'seal', min: 0, max: 2, example: 'seal "awskms" { kms_key_id = "alias/coffer-unseal" }', types };
}
