import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';

/**
 * sys/metrics: `?format=prometheus` gives Prometheus' text format, anything else prom-client's
 * JSON. Authorised like any path (read on sys/metrics) and audited; Prometheus scrapes it with a
 * token whose policy allows that.
 */
export function metricsPaths(handles: RuntimeHandles): PathDef[] {
  return [
    definePath({
      pattern: 'metrics',
      fields: { format: { type: 'string' } },
      operations: {
        read: async (req) => {
          const metrics = handles.metrics;
          if (!metrics) throw new CofferError('unsupported_path', 'metrics are not collected on this server');
          if (req.fields.format === 'prometheus') {
            return { raw: { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() } };
          }
          if (req.fields.format !== undefined && req.fields.format !== '' && req.fields.format !== 'json') {
            throw new CofferError('invalid_request', `unknown metrics format "${req.fields.format}" (use prometheus or json)`);
          }
          return { raw: { contentType: 'application/json', body: JSON.stringify(await metrics.registry.getMetricsAsJSON()) } };
        },
      },
    }),
  ];
}
