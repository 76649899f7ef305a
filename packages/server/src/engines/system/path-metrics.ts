import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';
import { renderMetrics } from '../../metrics/metrics.js';

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
          return { raw: await renderMetrics(metrics, req.fields.format) };
        },
      },
    }),
  ];
}
