/**
 * What the status endpoints report. `version` is the Vault API level Coffer speaks (clients gate
 * features on it), with Coffer's own version as semver build metadata.
 */
export const COFFER_VERSION = '0.1.0';
export const VERSION = `1.19.0+coffer.${COFFER_VERSION}`;
export const BUILD_DATE = '2026-12-04T00:00:00Z';
