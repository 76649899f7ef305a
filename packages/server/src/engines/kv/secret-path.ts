import { CofferError } from '@coffer/sdk';

/**
 * Secret paths become storage keys, so they are checked before any storage call. Vault refuses keys
 * containing `..` ("relative paths not supported", its storage view's sanity check); we refuse `..`
 * as a segment, plus empty segments (`a//b`, a leading or trailing `/`), which would create keys
 * that no list can reach.
 */
export function secretPath(raw: string | undefined): string {
  const path = raw ?? '';
  if (path === '') throw new CofferError('invalid_request', 'missing path');
  assertSegments(path.split('/'));
  return path;
}

/**
 * The prefix a list operation reads: empty for the mount's root, otherwise the folder with its
 * trailing slash (the server appends one to list paths; a path without it is read as a folder too).
 */
export function listPrefix(raw: string | undefined): string {
  const path = raw ?? '';
  if (path === '') return '';
  const folder = path.endsWith('/') ? path : `${path}/`;
  assertSegments(folder.slice(0, -1).split('/'));
  return folder;
}

/** The existence checks run before handlers validate; an invalid path simply does not exist. */
export function isValidSecretPath(raw: string | undefined): raw is string {
  try {
    secretPath(raw);
    return true;
  } catch {
    return false;
  }
}

function assertSegments(segments: string[]): void {
  for (const segment of segments) {
    if (segment === '..') throw new CofferError('invalid_request', 'relative paths not supported');
    if (segment === '') throw new CofferError('invalid_request', 'invalid path: empty path segment');
  }
}
