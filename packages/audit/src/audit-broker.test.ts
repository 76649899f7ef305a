import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, silentLogger } from '@coffer/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectingLogger, manualClock, tempDir } from '../test/support.js';
import type { AuditLogInput } from './audit-input.js';
import { createAuditBroker } from './audit-broker.js';
import { openAuditDevice } from './audit-device.js';
import { hashValue } from './salt.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const login: AuditLogInput = {
  auth: { clientToken: 'hvs.caller', accessor: 'acc-caller', policies: ['default'], tokenType: 'service' },
  request: {
    id: 'req-1',
    operation: 'update',
    path: 'auth/userpass/login/bob',
    data: { password: 'hunter2' },
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    clientToken: 'hvs.caller',
  },
  response: { auth: { clientToken: 'hvs.minted', accessor: 'acc-minted', policies: ['app'] } },
};

const fileDevice = (name: string, options: Record<string, string> = {}, salt = `salt-${name}`) =>
  openAuditDevice({ path: `${name}/`, type: 'file', options: { file_path: join(dir.path, `${name}.log`), ...options }, salt });

/** A file device whose directory is replaced by a file: every write fails (EEXIST from mkdir) until it is back. */
async function breakableDevice(name: string) {
  const logDir = join(dir.path, `${name}-dir`);
  const device = await openAuditDevice({ path: `${name}/`, type: 'file', options: { file_path: join(logDir, 'audit.log') } });
  return {
    device,
    async breakIt() {
      await rm(logDir, { recursive: true });
      await writeFile(logDir, 'in the way');
      await device.sink.reopen?.().catch(() => {});
    },
    async repair() {
      await rm(logDir);
    },
  };
}

const lines = async (name: string) => (await readFile(join(dir.path, `${name}.log`), 'utf8')).trimEnd().split('\n');

describe('audit broker', () => {
  it('requires nothing when no device is enabled', async () => {
    const broker = createAuditBroker({ logger: silentLogger });
    await expect(broker.logRequest(login)).resolves.toBeUndefined();
    await expect(broker.logResponse(login)).resolves.toBeUndefined();
  });

  it('writes request and response to every device, each with its own salt and options', async () => {
    const broker = createAuditBroker({ logger: silentLogger });
    broker.addDevice(await fileDevice('a'));
    broker.addDevice(await fileDevice('b', { hmac_accessor: 'false', prefix: '@cee: ' }));
    const before = structuredClone(login);
    await broker.logRequest(login);
    await broker.logResponse(login);
    expect(login).toEqual(before);

    const [aRequest, aResponse] = (await lines('a')).map((l) => JSON.parse(l));
    expect(aRequest).toMatchObject({
      type: 'request',
      auth: { client_token: hashValue('salt-a', 'hvs.caller'), accessor: hashValue('salt-a', 'acc-caller') },
      request: { id: 'req-1', path: 'auth/userpass/login/bob', data: { password: hashValue('salt-a', 'hunter2') }, remote_address: '127.0.0.1' },
    });
    expect(aResponse).toMatchObject({ type: 'response', response: { auth: { client_token: hashValue('salt-a', 'hvs.minted') } } });
    expect(aRequest.time).toBe(aRequest.time.replace(/[^0-9TZ:.-]/g, ''));

    const bLines = await lines('b');
    expect(bLines.every((l) => l.startsWith('@cee: {'))).toBe(true);
    const bRequest = JSON.parse((bLines[0] as string).slice('@cee: '.length));
    expect(bRequest.auth).toMatchObject({ client_token: hashValue('salt-b', 'hvs.caller'), accessor: 'acc-caller' });
    // sys/audit-hash gives what the log shows, per device.
    expect(broker.hash('a', 'hunter2')).toBe(aRequest.request.data.password);
    expect(broker.hash('b/', 'hunter2')).not.toBe(aRequest.request.data.password);
    for (const text of [...(await lines('a')), ...bLines]) {
      for (const secret of ['hunter2', 'hvs.caller', 'hvs.minted']) expect(text).not.toContain(secret);
    }
    // hmac_accessor=false on b only.
    expect((await lines('a')).join('\n')).not.toContain('acc-minted');
    expect(bLines.join('\n')).toContain('"accessor":"acc-minted"');
    await broker.close();
  });

  it('fails closed when no device writes, and succeeds while one still does', async () => {
    const broker = createAuditBroker({ logger: silentLogger });
    const one = await breakableDevice('one');
    const two = await breakableDevice('two');
    broker.addDevice(one.device);
    broker.addDevice(two.device);
    await one.breakIt();
    await expect(broker.logRequest(login)).resolves.toBeUndefined();
    await broker.idle();
    await two.breakIt();
    const refusal = await broker.logRequest(login).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CofferError);
    expect(refusal).toMatchObject({ code: 'internal', message: 'internal error' });
    const cause = (refusal as CofferError).cause as AggregateError;
    expect(cause.message).toBe('no audit device succeeded in logging the request');
    // mkdir of the log directory meets the file in its place.
    expect([...cause.errors].sort()).toEqual([expect.stringMatching(/^one\/: EEXIST/), expect.stringMatching(/^two\/: EEXIST/)]);
    await expect(broker.logResponse(login)).rejects.toThrow('internal error');
    expect(broker.stats().refused).toEqual({ request: 1, response: 1 });
    const stats = Object.fromEntries(broker.stats().devices.map((d) => [d.path, d]));
    expect(stats['one/']).toMatchObject({ writes: 0, failures: 3, consecutiveFailures: 3 });
    expect(stats['two/']).toMatchObject({ writes: 1, failures: 2 });
    await two.repair();
    await expect(broker.logRequest(login)).resolves.toBeUndefined();
    await broker.close();
  });

  it('logs a burst of failures once, then at most once per interval, and the recovery', async () => {
    const logger = collectingLogger();
    const clock = manualClock();
    const broker = createAuditBroker({ logger, clock: clock.now, failureLogIntervalMs: 10_000 });
    const flaky = await breakableDevice('flaky');
    broker.addDevice(flaky.device);
    broker.addDevice(await fileDevice('steady'));
    await flaky.breakIt();
    for (let i = 0; i < 50; i += 1) await broker.logRequest(login);
    await broker.idle();
    const failures = () => logger.records.filter((r) => r.message === 'audit device failed to write an entry');
    expect(failures()).toHaveLength(1);
    expect(failures()[0]?.bindings).toMatchObject({ device: 'flaky/', type: 'file', suppressed: 0 });
    expect(String(failures()[0]?.bindings['reason'])).toMatch(/EEXIST/);
    expect(JSON.stringify(logger.records)).not.toContain('hunter2');
    expect(JSON.stringify(logger.records)).not.toContain(hashValue('salt-steady', 'hunter2'));

    clock.advance(10_000);
    await broker.logRequest(login);
    await broker.idle();
    expect(failures()).toHaveLength(2);
    expect(failures()[1]?.bindings).toMatchObject({ suppressed: 49, consecutiveFailures: 51 });

    await flaky.repair();
    await broker.logRequest(login);
    await broker.idle();
    expect(logger.records.filter((r) => r.message === 'audit device recovered')).toHaveLength(1);
    await flaky.breakIt();
    await broker.logRequest(login);
    await broker.idle();
    expect(failures()).toHaveLength(3);
    expect(broker.stats().devices.find((d) => d.path === 'flaky/')).toMatchObject({ failures: 52, writes: 1, consecutiveFailures: 1 });
    await broker.close();
  });

  it('logs refusals once per burst as well', async () => {
    const logger = collectingLogger();
    const broker = createAuditBroker({ logger, clock: manualClock().now });
    const only = await breakableDevice('only');
    broker.addDevice(only.device);
    await only.breakIt();
    for (let i = 0; i < 5; i += 1) await broker.logRequest(login).catch(() => {});
    expect(logger.records.filter((r) => r.message === 'no audit device recorded the request; refusing it')).toHaveLength(1);
    await broker.close();
  });

  it('manages devices: duplicates refused, removal closes the sink, unknown hash paths refused, probes written', async () => {
    const broker = createAuditBroker({ logger: silentLogger });
    const device = await fileDevice('main');
    broker.addDevice(device);
    expect(() => broker.addDevice(device)).toThrow(/already enabled/);
    expect(() => broker.hash('nope/', 'x')).toThrow(/unknown audit backend/);
    expect(broker.devices().map((d) => d.path)).toEqual(['main/']);

    const probe = await fileDevice('probe');
    await broker.probe(probe);
    expect(JSON.parse((await lines('probe'))[0] as string)).toMatchObject({
      type: 'request',
      request: { operation: 'update', path: 'sys/audit/test' },
    });

    expect(await broker.removeDevice('main')).toBe(true);
    expect(broker.size).toBe(0);
    await expect(device.sink.write('{"a":1}', { signal: new AbortController().signal })).rejects.toThrow(/closed/);
    expect(await broker.removeDevice('main/')).toBe(false);
    await probe.sink.close();
  });

  it('reopens every device on SIGHUP and reports the ones that could not', async () => {
    const logger = collectingLogger();
    const broker = createAuditBroker({ logger });
    broker.addDevice(await fileDevice('fine'));
    const broken = await breakableDevice('broken');
    broker.addDevice(broken.device);
    await rm(join(dir.path, 'broken-dir'), { recursive: true });
    await writeFile(join(dir.path, 'broken-dir'), 'in the way');
    const failures = await broker.reopen();
    expect(failures.map((f) => f.path)).toEqual(['broken/']);
    expect(logger.records.some((r) => r.message === 'audit device could not reopen' && r.bindings['device'] === 'broken/')).toBe(true);
    await broker.close();
  });

  it('refuses invalid device options with invalid_request', async () => {
    await expect(openAuditDevice({ path: 'f/', type: 'file', options: { file_path: join(dir.path, 'x.log'), log_raw: 'maybe' } })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/log_raw must be a boolean/),
    });
    await expect(openAuditDevice({ path: 'f/', type: 'file', options: { format: 'jsonx', file_path: 'discard' } })).rejects.toThrow(/jsonx/);
    await expect(openAuditDevice({ path: 'f/', type: 'file', options: { filepath: 'x' } })).rejects.toThrow(/unknown option "filepath"/);
    await expect(openAuditDevice({ path: 'h/', type: 'http', options: {} })).rejects.toThrow(/unknown audit device type/);
  });
});
