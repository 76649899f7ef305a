import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('read, write, list, delete', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    expect((await cli(['secrets', 'enable', '-path=secret', 'kv-v2'])).code).toBe(0);
  });
  afterAll(() => close());

  it('write then read a KV v2 path through the raw API', async () => {
    const write = await cli(['write', 'secret/data/raw', '-'], { stdin: '{"data":{"k":"v"}}' });
    expect(write.code).toBe(0);
    expect(write.stdout).toMatch(/^Key\s+Value\n---\s+-----\ncreated_time\s+\S+/);

    const read = await cli(['read', 'secret/data/raw']);
    expect(read.code).toBe(0);
    expect(read.stdout).toMatch(/^data\s+map\[k:v\]$/m);

    const json = JSON.parse((await cli(['read', '-format=json', 'secret/data/raw'])).stdout);
    expect(json.data.data).toEqual({ k: 'v' });
    // Query parameters as k=v.
    expect((await cli(['read', '-field=data', 'secret/data/raw', 'version=1'])).stdout).toBe('map[k:v]');
  });

  it('write with no data needs -force; a 204 prints Success', async () => {
    const refused = await cli(['write', 'sys/rotate']);
    expect(refused).toMatchObject({ code: 1, stderr: 'Must supply data or use -force\n' });
    const forced = await cli(['write', '-force', 'sys/rotate']);
    expect(forced).toMatchObject({ code: 0, stdout: 'Success! Data written to: sys/rotate\n' });
  });

  it('list of a path and of nothing', async () => {
    const list = await cli(['list', 'secret/metadata']);
    expect(list).toMatchObject({ code: 0, stdout: 'Keys\n----\nraw\n' });
    const none = await cli(['list', 'secret/metadata/nothing']);
    expect(none).toMatchObject({ code: 2, stderr: 'No value found at secret/metadata/nothing\n' });
    const noneJson = await cli(['list', '-format=json', 'secret/metadata/nothing']);
    expect(noneJson.code).toBe(2);
    expect(JSON.parse(noneJson.stdout)).toEqual({});
  });

  it('delete, then read finds nothing (exit 2)', async () => {
    const deleted = await cli(['delete', 'secret/metadata/raw']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Success! Data deleted (if it existed) at: secret/metadata/raw\n' });
    const read = await cli(['read', 'secret/data/raw']);
    expect(read).toMatchObject({ code: 2, stderr: 'No value found at secret/data/raw\n' });
  });

  it('an API error names the URL, code and errors, exit 2', async () => {
    const result = await cli(['write', 'sys/mounts/x', 'type=nonsense']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Error writing data to sys\/mounts\/x: Error making API request\.\n\nURL: PUT http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/mounts\/x\nCode: 400\. Errors:\n\n\* .+\n$/,
    );
  });
});
