import type { RecordChanges } from '../../domain/contracts/persistence';
import type { SystemFact, TaskFact } from '../../domain/facts';
import { chunkChanges, SAVE_CHUNK_BYTES } from '../../domain/save-chunks';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

function discoveries(n: number): RecordChanges {
  const systems = Array.from({ length: n }, (_, i) => ({
    id: `sys-${i}`,
    fact: { discovered: { scanId: 'scan-1', at: '2027-01-01T00:00:00.000Z' } } satisfies SystemFact,
  }));
  const tasks = systems.map((s, i) => ({
    fact: {
      id: `T-${i + 1}`,
      status: 'open',
      requirementId: 'A.5.2',
      deadline: '2027-01-01',
    } as unknown as TaskFact,
    discovered: { systemId: s.id, name: `Système de scoring n°${i} — ${'x'.repeat(40)}` },
  }));
  return { systems, tasks, certificate: { number: 'AIMS-1' } as RecordChanges['certificate'] };
}

describe('chunkChanges', () => {
  test('leaves a small save whole', () => {
    const changes = discoveries(3);
    expect(chunkChanges(changes)).toEqual([changes]);
  });

  test('splits a large save into chunks under the limit, keeping every item in order', () => {
    const changes = discoveries(500);
    expect(bytes(changes)).toBeGreaterThan(4 * SAVE_CHUNK_BYTES);
    const chunks = chunkChanges(changes);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(SAVE_CHUNK_BYTES);
    // Concatenated, the chunks are the save: systems first, then the tasks that name them.
    expect(chunks.flatMap((c) => c.systems ?? [])).toEqual(changes.systems);
    expect(chunks.flatMap((c) => c.tasks ?? [])).toEqual(changes.tasks);
    const lastSystemChunk = chunks.map((c) => !!c.systems).lastIndexOf(true);
    const firstTaskChunk = chunks.findIndex((c) => c.tasks);
    expect(firstTaskChunk).toBeGreaterThanOrEqual(lastSystemChunk);
    // The certificate goes once, with the last chunk.
    expect(chunks.filter((c) => c.certificate)).toHaveLength(1);
    expect(chunks.at(-1)?.certificate).toEqual(changes.certificate);
  });

  test('counts multi-byte text in bytes, as the payload limit does', () => {
    const wide = {
      policies: Array.from({ length: 40 }, (_, i) => ({ id: `P-${i}`, title: '規程'.repeat(200) })),
    };
    const chunks = chunkChanges(wide as unknown as RecordChanges, 8 * 1024);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(8 * 1024);
  });
});
