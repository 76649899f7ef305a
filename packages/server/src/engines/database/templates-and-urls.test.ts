import { describe, expect, it } from 'vitest';
import { parseMysqlDsn, parsePostgresUrl, redactConnectionUrl } from './connection-url.js';
import { parseCronSchedule } from './cron-schedule.js';
import { formatGoTime } from './go-time-format.js';
import { mysqlPlugins } from './mysql-plugin.js';
import { postgresPlugin } from './postgres-plugin.js';
import { compileUsernameTemplate } from './username-template.js';

describe('username templates', () => {
  it("renders Vault's PostgreSQL default: v-<display8>-<role8>-<random20>-<unix>, at most 63", () => {
    const render = compileUsernameTemplate(postgresPlugin.defaultUsernameTemplate);
    const name = render({ DisplayName: 'approle-very-long', RoleName: 'readonly-role' });
    expect(name).toMatch(/^v-approle--readonly-[0-9A-Za-z]{20}-\d{10}$/);
    expect(render({ DisplayName: 'd'.repeat(40), RoleName: 'r'.repeat(40) }).length).toBeLessThanOrEqual(63);
  });

  it("renders MySQL's (32) and the legacy one (16)", () => {
    const mysql = compileUsernameTemplate(mysqlPlugins[0]?.defaultUsernameTemplate as string);
    expect(mysql({ DisplayName: 'token', RoleName: 'app' })).toMatch(/^v-token-app-[0-9A-Za-z]{20}$/);
    const legacy = compileUsernameTemplate(mysqlPlugins.find((p) => p.name === 'mysql-legacy-database-plugin')?.defaultUsernameTemplate as string);
    expect(legacy({ DisplayName: 'token', RoleName: 'readonly' })).toMatch(/^v-read-[0-9A-Za-z]{9}$/);
  });

  it('supports the functions, pipelines, sub-expressions and trim markers operators use', () => {
    const render = compileUsernameTemplate(
      '{{- .RoleName | uppercase -}} _ {{- replace "-" "_" .DisplayName }}_{{ truncate_sha256 12 "abcdefghijklmnop" }}_{{ printf "%s%%" (lowercase "X") }}',
    );
    expect(render({ DisplayName: 'a-b', RoleName: 'ro' })).toMatch(/^RO_a_b_abcd[0-9a-f]{8}_x%$/);
    expect(compileUsernameTemplate('{{ timestamp "2006" }}')({ DisplayName: '', RoleName: '' })).toMatch(/^\d{4}$/);
  });

  it('refuses malformed templates with the reason', () => {
    expect(() => compileUsernameTemplate('{{ nosuch 3 }}')).toThrow(/function "nosuch" not defined/);
    expect(() => compileUsernameTemplate('{{ .Unknown }}')).toThrow(/can't evaluate field Unknown/);
    expect(() => compileUsernameTemplate('{{ truncate 0 "x" }}')).toThrow(/max length/);
    expect(() => compileUsernameTemplate('{{ printf "x"')).toThrow(/unclosed/);
  });
});

describe('connection URLs', () => {
  const creds = { username: 'co@ffer', password: 'p@ss:w/rd%' };

  it('puts credentials into a parsed PostgreSQL URL, so their characters cannot change its meaning', () => {
    expect(parsePostgresUrl('postgresql://{{username}}:{{password}}@127.0.0.1:5433/app?sslmode=disable', creds)).toEqual({
      host: '127.0.0.1',
      port: 5433,
      database: 'app',
      user: 'co@ffer',
      password: 'p@ss:w/rd%',
      params: { sslmode: 'disable' },
    });
    expect(parsePostgresUrl("host=db port=5432 user={{username}} password='{{password}}' dbname=x sslmode=require", creds)).toMatchObject({
      host: 'db',
      port: 5432,
      user: 'co@ffer',
      password: 'p@ss:w/rd%',
      database: 'x',
      params: { sslmode: 'require' },
    });
  });

  it("parses Go's MySQL DSN as Vault takes it, and mysql:// URLs", () => {
    expect(parseMysqlDsn('{{username}}:{{password}}@tcp(127.0.0.1:3307)/app?tls=false', creds)).toEqual({
      host: '127.0.0.1',
      port: 3307,
      database: 'app',
      user: 'co@ffer',
      password: 'p@ss:w/rd%',
      params: { tls: 'false' },
    });
    expect(parseMysqlDsn('root@unix(/run/mysqld.sock)/', creds)).toEqual({ socketPath: '/run/mysqld.sock', user: 'root', params: {} });
    expect(parseMysqlDsn('mysql://{{username}}:{{password}}@db:3306/', creds)).toMatchObject({ host: 'db', port: 3306, user: 'co@ffer' });
    expect(() => parseMysqlDsn('garbage', creds)).toThrow(/invalid connection_url/);
  });

  it('redacts a literal password on read and keeps the template', () => {
    expect(redactConnectionUrl('postgresql://{{username}}:{{password}}@h:5432/db')).toBe('postgresql://{{username}}:{{password}}@h:5432/db');
    expect(redactConnectionUrl('postgresql://admin:s3cret@h:5432/db')).toBe('postgresql://admin:xxxxx@h:5432/db');
    expect(redactConnectionUrl('root:s3cret@tcp(h:3306)/')).toBe('root:xxxxx@tcp(h:3306)/');
    expect(redactConnectionUrl("host=h password='s3 cret' user=u")).toBe('host=h password=xxxxx user=u');
  });
});

describe('rotation schedules (cron) and Go time layouts', () => {
  it('finds the next matching minute in UTC', () => {
    const at = new Date('2024-05-01T10:07:30Z');
    expect(parseCronSchedule('*/15 * * * *').next(at).toISOString()).toBe('2024-05-01T10:15:00.000Z');
    expect(parseCronSchedule('0 0 * * SAT').next(at).toISOString()).toBe('2024-05-04T00:00:00.000Z');
    expect(parseCronSchedule('@monthly').next(at).toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(parseCronSchedule('30 9 1-7 jan-mar mon').next(at).toISOString()).toBe('2025-01-01T09:30:00.000Z');
    expect(() => parseCronSchedule('0 0 30 2 *')).toThrow(/never matches/);
    expect(() => parseCronSchedule('61 * * * *')).toThrow(/out of range/);
    expect(() => parseCronSchedule('* * *')).toThrow(/5 fields/);
  });

  it("formats Vault's expiration layout", () => {
    expect(formatGoTime(new Date('2024-05-01T08:09:10.123Z'), '2006-01-02 15:04:05-0700')).toBe('2024-05-01 08:09:10+0000');
    expect(formatGoTime(new Date('2024-05-01T08:09:10.123Z'), 'Mon Jan _2 03:04:05.000 PM MST 2006')).toBe('Wed May  1 08:09:10.123 AM UTC 2024');
  });
});
