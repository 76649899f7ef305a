import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DgramSocket } from 'node-unix-socket';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { never, tempDir } from '../test/support.js';
import { openAuditDevice } from './audit-device.js';
import { formatSyslogMessage } from './syslog-format.js';
import { SyslogSink } from './syslog-sink.js';

const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z) (\S+) (\S+) (\d+) - - (.*)$/s;
const line = '{"type":"request","request":{"id":"r1","path":"secret/data/app"}}';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await sleep(10);
  expect(check()).toBe(true);
}

describe('syslog sink', () => {
  it('sends RFC 5424 messages, facility AUTH and tag coffer by default, to a UDP receiver', async () => {
    const udp = createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (message) => got.push(message.toString('utf8')));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const device = await openAuditDevice({
      path: 'syslog/',
      type: 'syslog',
      options: { address: `127.0.0.1:${udp.address().port}` },
    });
    await device.sink.write(line, { signal: never });
    await until(() => got.length === 1);
    const m = RFC5424.exec(got[0] as string);
    expect(m).not.toBeNull();
    const [, pri, time, host, app, pid, message] = m as RegExpExecArray;
    expect(Number(pri)).toBe(4 * 8 + 6); // AUTH.INFO
    expect(Date.parse(time as string)).not.toBeNaN();
    expect(host).toBe(hostname().replace(/[^\x21-\x7e]/g, '_'));
    expect(app).toBe('coffer');
    expect(Number(pid)).toBe(process.pid);
    expect(message).toBe(line);
    await device.sink.close();
    udp.close();
  });

  it('uses the configured facility and tag, and frames TCP messages by octet count (RFC 6587)', async () => {
    const chunks: Buffer[] = [];
    const server = createServer((socket) => socket.on('data', (chunk: Buffer) => chunks.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const sink = new SyslogSink({ address: `127.0.0.1:${port}`, socketType: 'tcp', facility: 'local0', tag: 'vault', hostname: 'node-1' });
    await sink.write(line, { signal: never });
    await sink.write('{"type":"response","n":"é"}', { signal: never });
    await until(() => Buffer.concat(chunks).toString('utf8').includes('"response"'));
    const stream = Buffer.concat(chunks);
    const messages: string[] = [];
    for (let at = 0; at < stream.length; ) {
      const space = stream.indexOf(0x20, at);
      const length = Number(stream.subarray(at, space).toString());
      messages.push(stream.subarray(space + 1, space + 1 + length).toString('utf8'));
      at = space + 1 + length;
    }
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^<134>1 \S+ node-1 vault \d+ - - \{"type":"request"/);
    expect(messages[1]?.endsWith('{"type":"response","n":"é"}')).toBe(true);
    await sink.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers to a local unix datagram socket, as /dev/log is', async () => {
    const path = join(dir.path, 'dev-log');
    const listener = new DgramSocket();
    const got: string[] = [];
    listener.on('data', (data: Buffer) => got.push(data.toString('utf8')));
    listener.bind(path);
    const sink = new SyslogSink({ socketPath: path });
    await sink.write(line, { signal: never });
    await until(() => got.length === 1);
    expect(got[0]).toMatch(RFC5424);
    expect(got[0]?.endsWith(` - - ${line}`)).toBe(true);
    await sink.close();
    listener.close();
  });

  it('falls back to a stream connection when the local socket is a stream socket (syslog-ng)', async () => {
    const path = join(dir.path, 'stream-log');
    let text = '';
    const server = createServer((socket) => socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8'))));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const sink = new SyslogSink({ socketPath: path });
    await sink.write(line, { signal: never });
    await until(() => text.endsWith('\n'));
    expect(text.trimEnd()).toMatch(RFC5424);
    await sink.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails when there is no local syslog, and refuses unknown facilities', async () => {
    const sink = new SyslogSink({ socketPath: join(dir.path, 'missing') });
    await expect(sink.write(line, { signal: never })).rejects.toThrow(/No such file/);
    await sink.close();
    await expect(openAuditDevice({ path: 'syslog/', type: 'syslog', options: { facility: 'MARS' } })).rejects.toThrow(/facility/);
  });

  it('limits header fields to printable ASCII and prints microseconds', () => {
    const message = formatSyslogMessage('m', { facility: 4, appName: 'my app', hostname: 'höst', procId: '7' }, 1767323045123456789n);
    expect(message).toBe('<38>1 2026-01-02T03:04:05.123456Z h_st my_app 7 - - m');
  });
});
