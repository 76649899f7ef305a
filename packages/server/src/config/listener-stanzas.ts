import { isIP } from 'node:net';
import type { ListenerConfig } from './config-types.js';
import {
  booleanField,
  choiceField,
  durationField,
  integerField,
  stringField,
  type Checked,
  type Field,
} from './fields.js';
import { defineStanza, type StanzaKind } from './stanzas.js';

// Vault's defaults.
const DEFAULT_ADDRESS = '127.0.0.1:8200';
const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;
const DEFAULT_MAX_REQUEST_DURATION_SECONDS = 90;
const TLS_VERSIONS = { tls12: 'TLSv1.2', tls13: 'TLSv1.3' } as const;

interface ListenAddress {
  address: string;
  host: string;
  port: number;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** `host:port` with an IPv4 address, a host name or a bracketed IPv6 address; `:8200` means every interface. */
function checkAddress(raw: unknown): Checked<ListenAddress> {
  const bad: Checked<ListenAddress> = {
    ok: false,
    expected: 'must be host:port, such as "127.0.0.1:8200", "0.0.0.0:8200" or "[::1]:8200"',
  };
  if (typeof raw !== 'string') return bad;
  const address = raw.trim();
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  if (!match) return bad;
  const [, ipv6, other, portText] = match;
  const port = Number(portText);
  if (port > 65535) return { ok: false, expected: 'has a port above 65535' };
  if (ipv6 !== undefined) return isIP(ipv6) === 6 ? { ok: true, value: { address, host: ipv6, port } } : bad;
  // Go's net.Listen reads an empty host as every interface.
  const host = other === '' || other === undefined ? '0.0.0.0' : other;
  if (isIP(host) === 0 && !HOST_NAME.test(host)) return bad;
  return { ok: true, value: { address, host, port } };
}

const addressField: Field<ListenAddress> = {
  check: checkAddress,
  default: { address: DEFAULT_ADDRESS, host: '127.0.0.1', port: 8200 },
};

const telemetryKeys = { unauthenticated_metrics_access: booleanField({ default: false }) };

/**
 * Vault's `telemetry { … }` block inside a listener (an object in JSON; hcl2json gives a one-block
 * list). Only `unauthenticated_metrics_access` is read; anything else in it is refused by name.
 */
const telemetryField: Field<{ unauthenticated_metrics_access: boolean }> = {
  check(raw) {
    const block = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      return { ok: false, expected: 'must be a block: telemetry { unauthenticated_metrics_access = true }' };
    }
    const unknown = Object.keys(block).find((key) => !(key in telemetryKeys));
    if (unknown !== undefined) return { ok: false, expected: `has an unknown key "${unknown}" (known: unauthenticated_metrics_access)` };
    const given = (block as Record<string, unknown>).unauthenticated_metrics_access;
    if (given === undefined) return { ok: true, value: { unauthenticated_metrics_access: false } };
    const checked = telemetryKeys.unauthenticated_metrics_access.check(given);
    if (!checked.ok) return { ok: false, expected: `"unauthenticated_metrics_access" ${checked.expected}` };
    return { ok: true, value: { unauthenticated_metrics_access: checked.value } };
  },
};

/** Listener types by Vault name. A new listener type (e.g. `unix`) is one entry here. */
export const LISTENER: StanzaKind<ListenerConfig> = {
  name: 'listener',
  min: 1,
  max: Number.POSITIVE_INFINITY,
  example: 'listener "tcp" { address = "127.0.0.1:8200" }',
  types: {
    tcp: defineStanza(
      {
        address: addressField,
        tls_disable: booleanField({ default: false }),
        tls_cert_file: stringField(),
        tls_key_file: stringField(),
        tls_min_version: choiceField(['tls12', 'tls13'], { default: 'tls12' }),
        // Vault: 0 means the default. Vault reads a negative size as "no limit"; we refuse that
        // rather than accept unbounded bodies.
        max_request_size: integerField({ min: 0, default: DEFAULT_MAX_REQUEST_SIZE }),
        max_request_duration: durationField({ default: DEFAULT_MAX_REQUEST_DURATION_SECONDS }),
        telemetry: telemetryField,
      },
      (values, report): ListenerConfig | undefined => {
        const { address, tls_disable, tls_cert_file, tls_key_file, tls_min_version = 'tls12' } = values;
        if (!address) return undefined;
        let tls: ListenerConfig['tls'] = null;
        if (!tls_disable) {
          if (tls_cert_file === undefined || tls_key_file === undefined) {
            const missing = tls_cert_file === undefined ? 'tls_cert_file' : 'tls_key_file';
            report(missing, 'TLS needs both tls_cert_file and tls_key_file; set them, or set tls_disable = true');
            return undefined;
          }
          tls = { certFile: tls_cert_file, keyFile: tls_key_file, minVersion: TLS_VERSIONS[tls_min_version] };
        }
        return {
          type: 'tcp',
          address: address.address,
          host: address.host,
          port: address.port,
          tls,
          maxRequestSize: values.max_request_size || DEFAULT_MAX_REQUEST_SIZE,
          maxRequestDurationSeconds: values.max_request_duration || DEFAULT_MAX_REQUEST_DURATION_SECONDS,
          unauthenticatedMetricsAccess: values.telemetry?.unauthenticated_metrics_access ?? false,
        };
      },
    ),
  },
};
