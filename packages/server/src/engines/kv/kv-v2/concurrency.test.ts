import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const harness = () => createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });

describe('kv v2 under concurrent requests', () => {
  it('lets exactly one of many concurrent cas:1 writes win', async () => {
    const h = await harness();
    await h.call('write', 'data/k', { data: { writer: 'initial' } });
    const writers = Array.from({ length: 20 }, (_, i) =>
      h.call('write', 'data/k', { data: { writer: i }, options: { cas: 1 } }),
    );
    const outcomes = await Promise.allSettled(writers);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const outcome of lost) {
      expect(isCofferError(outcome.reason) && outcome.reason.message).toBe(
        'check-and-set parameter did not match the current version',
      );
    }
    const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
    expect((await h.call('read', 'data/k'))?.data).toMatchObject({ data: { writer: winner }, metadata: { version: 2 } });
  });

  it('lets exactly one of many concurrent create-only (cas:0) writes win', async () => {
    const h = await harness();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => h.call('write', 'data/new', { data: { i }, options: { cas: 0 } })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('numbers concurrent unconditional writes without gaps or duplicates', async () => {
    const h = await harness();
    const responses = await Promise.all(
      Array.from({ length: 15 }, (_, i) => h.call('write', 'data/k', { data: { i } })),
    );
    const versions = responses.map((response) => response?.data?.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const meta = (await h.call('read', 'metadata/k'))?.data as { current_version: number; versions: object };
    expect(meta.current_version).toBe(15);
    expect(Object.keys(meta.versions)).toHaveLength(10);
  });

  it('keeps concurrent patches from losing each other', async () => {
    const h = await harness();
    await h.call('write', 'data/k', { data: {} });
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.call('patch', 'data/k', { data: { [`field${i}`]: i } })));
    const data = ((await h.call('read', 'data/k'))?.data as { data: Record<string, unknown> }).data;
    expect(Object.keys(data).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `field${i}`).sort());
  });
});
