import type { ServerConfig } from '@coffer/server';
import { humanDuration, wrapAtLength } from './go-format.js';

/** The `==> Coffer server configuration:` block Vault prints at start, keys right-aligned. */
export function configurationBanner(config: ServerConfig, addresses: readonly string[], version: string): string {
  const info: Array<[string, string]> = [['Api Address', config.apiAddr ?? addresses[0] ?? '']];
  if (config.clusterAddr) info.push(['Cluster Address', config.clusterAddr]);
  config.listeners.forEach((listener, i) => {
    const tls = listener.tls ? 'enabled' : 'disabled';
    info.push([
      `Listener ${i + 1}`,
      `tcp (addr: "${(addresses[i] ?? listener.address).replace(/^https?:\/\//, '')}", max_request_duration: "${humanDuration(listener.maxRequestDurationSeconds)}", ` +
        `max_request_size: "${listener.maxRequestSize}", tls: "${tls}")`,
    ]);
  });
  info.push(['Log Level', config.logLevel], ['Storage', config.storage.type], ['Version', `Coffer v${version}`]);
  const width = 24;
  const lines = info.map(([key, value]) => `${key.padStart(width)}: ${value}`);
  return ['==> Coffer server configuration:', '', ...lines, '', '==> Coffer server started! Log data will stream in below:', ''].join('\n');
}

/** The dev-mode warning with the address to export, the unseal key and the root token. */
export function devBanner(address: string, dev: { rootToken: string; unsealKey: string }): string {
  return [
    'WARNING! dev mode is enabled! In this mode, Coffer runs entirely in-memory',
    'and starts unsealed with a single unseal key. The root token is already',
    'authenticated to the CLI, so you can immediately begin using Coffer.',
    '',
    'You may need to set the following environment variables:',
    '',
    `    $ export COFFER_ADDR='${address}'`,
    '',
    wrapAtLength('The unseal key and root token are displayed below in case you want to seal/unseal Coffer or re-authenticate.'),
    '',
    `Unseal Key: ${dev.unsealKey}`,
    `Root Token: ${dev.rootToken}`,
    '',
    'Development mode should NOT be used in production installations!',
    '',
  ].join('\n');
}
