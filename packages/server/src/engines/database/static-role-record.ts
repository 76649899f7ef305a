import { CofferError, type FieldValues } from '@coffer/sdk';
import { parseCronSchedule } from './cron-schedule.js';
import { checkCredentialType, statementList } from './role-record.js';

/**
 * A static role (`static-roles/<name>`): one existing database user whose password Coffer owns
 * and rotates, every `rotationPeriod` or on the `rotationSchedule` cron. The current password
 * and the rotation times are kept with it, so a restart knows what is due.
 */
export interface StaticRoleRecord {
  dbName: string;
  username: string;
  /** Seconds; 0 when a schedule is used. */
  rotationPeriod: number;
  /** Cron; '' when a period is used. */
  rotationSchedule: string;
  /** Seconds after a scheduled time within which a missed rotation may still run; 0 = any time. */
  rotationWindow: number;
  rotationStatements: string[];
  password: string;
  /** Unix ms of the last successful rotation (0 before the first). */
  lastVaultRotation: number;
  /** Unix ms when the next rotation is due. */
  nextRotation: number;
}

/** Vault's queue tick: shorter periods could not be honoured. */
export const MIN_ROTATION_PERIOD = 5;
/** Vault's minimum rotation_window. */
export const MIN_ROTATION_WINDOW = 3600;

export const STATIC_ROLE_FIELDS = {
  name: { type: 'string', required: true },
  db_name: { type: 'string' },
  username: { type: 'string' },
  rotation_period: { type: 'duration' },
  rotation_schedule: { type: 'string' },
  rotation_window: { type: 'duration' },
  rotation_statements: { type: 'any' },
  credential_type: { type: 'string' },
} as const;

const invalid = (message: string) => new CofferError('invalid_request', message);

/** The role's settings after a write; the password and times are left to the rotation. */
export function applyStaticRoleFields(
  current: StaticRoleRecord | undefined,
  fields: FieldValues<typeof STATIC_ROLE_FIELDS>,
): StaticRoleRecord {
  checkCredentialType(fields.credential_type);
  const dbName = fields.db_name ?? current?.dbName ?? '';
  if (dbName === '') throw invalid('database name is a required field');
  const username = fields.username ?? current?.username ?? '';
  if (username === '') throw invalid('username is a required field to create a static account');
  if (current && current.username !== username) throw invalid('cannot update static account username');

  let rotationPeriod = current?.rotationPeriod ?? 0;
  let rotationSchedule = current?.rotationSchedule ?? '';
  let rotationWindow = current?.rotationWindow ?? 0;
  const period = fields.rotation_period;
  const schedule = fields.rotation_schedule;
  if (period !== undefined && period !== 0 && schedule !== undefined && schedule !== '') {
    throw invalid('mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided');
  }
  if (period !== undefined && period !== 0) {
    if (period < MIN_ROTATION_PERIOD) throw invalid(`rotation_period must be ${MIN_ROTATION_PERIOD} seconds or more`);
    rotationPeriod = period;
    rotationSchedule = '';
    rotationWindow = 0;
  } else if (schedule !== undefined && schedule !== '') {
    parseCronSchedule(schedule);
    rotationSchedule = schedule;
    rotationPeriod = 0;
  }
  if (rotationPeriod === 0 && rotationSchedule === '') {
    throw invalid('one of rotation_schedule or rotation_period must be provided to create a static account');
  }
  if (fields.rotation_window !== undefined) {
    if (rotationSchedule === '' && fields.rotation_window !== 0) throw invalid('rotation_window is invalid with use of rotation_period');
    if (fields.rotation_window !== 0 && fields.rotation_window < MIN_ROTATION_WINDOW) {
      throw invalid(`rotation_window must be ${MIN_ROTATION_WINDOW} seconds or more`);
    }
    rotationWindow = fields.rotation_window;
  }
  return {
    dbName,
    username,
    rotationPeriod,
    rotationSchedule,
    rotationWindow,
    rotationStatements:
      fields.rotation_statements !== undefined
        ? statementList(fields.rotation_statements, 'rotation_statements')
        : (current?.rotationStatements ?? []),
    password: current?.password ?? '',
    lastVaultRotation: current?.lastVaultRotation ?? 0,
    nextRotation: current?.nextRotation ?? 0,
  };
}

/** When the rotation after one at `from` (Unix ms) is due. */
export function nextRotationAfter(role: StaticRoleRecord, from: number): number {
  if (role.rotationSchedule !== '') return parseCronSchedule(role.rotationSchedule).next(new Date(from)).getTime();
  return from + role.rotationPeriod * 1000;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();

export function staticRoleJson(role: StaticRoleRecord): Record<string, unknown> {
  return {
    db_name: role.dbName,
    username: role.username,
    rotation_statements: role.rotationStatements,
    credential_type: 'password',
    ...scheduleJson(role),
    ...(role.lastVaultRotation > 0 ? { last_vault_rotation: rfc3339(role.lastVaultRotation) } : {}),
  };
}

export function staticCredsJson(role: StaticRoleRecord, now: number): Record<string, unknown> {
  return {
    username: role.username,
    password: role.password,
    last_vault_rotation: rfc3339(role.lastVaultRotation),
    ttl: Math.max(0, Math.floor((role.nextRotation - now) / 1000)),
    ...scheduleJson(role),
  };
}

function scheduleJson(role: StaticRoleRecord): Record<string, unknown> {
  return role.rotationSchedule !== ''
    ? { rotation_schedule: role.rotationSchedule, rotation_window: role.rotationWindow }
    : { rotation_period: role.rotationPeriod };
}
