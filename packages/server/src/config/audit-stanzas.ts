import { AUDIT_DEVICE_TYPES, parseDeviceOptions } from '@coffer/audit';
import { isCofferError, isPlainObject } from '@coffer/sdk';
import type { AuditDeviceSpec } from '../core/audit/audit-manager.js';
import type { StanzaKind, StanzaType } from './stanzas.js';

/** Keys of an audit stanza that describe the device rather than configure its sink. */
const DEVICE_KEYS = new Set(['path', 'description', 'local', 'options']);

/**
 * `audit "<type>" { … }`: devices declared in the config, which Vault now recommends over the API.
 * Sink options may sit in an `options { … }` block (OpenBao's form) or directly in the stanza;
 * `path` names the device (default `<type>/`).
 */
export const AUDIT: StanzaKind<AuditDeviceSpec> = {
  name: 'audit',
  min: 0,
  max: 16,
  example: 'audit "file" { file_path = "/var/log/coffer/audit.log" }',
  types: Object.fromEntries(AUDIT_DEVICE_TYPES.map((type) => [type, auditType(type)])),
};

function auditType(type: string): StanzaType<AuditDeviceSpec> {
  return {
    fields: {},
    read(body, context, problems) {
      const value = isPlainObject(body.value) ? body.value : {};
      const nested = isPlainObject(value.options) ? value.options : Array.isArray(value.options) && isPlainObject(value.options[0]) ? value.options[0] : {};
      const inline = Object.fromEntries(Object.entries(value).filter(([key]) => !DEVICE_KEYS.has(key)));
      const options = { ...inline, ...nested };
      try {
        parseDeviceOptions(type, options);
      } catch (error) {
        if (!isCofferError(error)) throw error;
        problems.add(body.line, `${context}: ${error.message}`);
        return undefined;
      }
      const rawPath = typeof value.path === 'string' && value.path !== '' ? value.path : type;
      return {
        path: rawPath.endsWith('/') ? rawPath : `${rawPath}/`,
        type,
        description: typeof value.description === 'string' ? value.description : '',
        options,
        local: value.local === true || value.local === 'true',
        source: 'config',
      };
    },
  };
}
