/** Idempotency-Key semantics on the in-memory store: replay, reuse, in-progress, failure, expiry. */
import pino from 'pino';
import {
  Idempotency,
  MemoryIdempotencyStore,
  requestFingerprint,
  type KeyedRequest,
} from '../../api/idempotency';
import { HttpProblem } from '../../api/problem';
import type { Reply } from '../../api/route';

const log = pino({ level: 'silent' });
const request = (over: Partial<KeyedRequest> = {}): KeyedRequest => ({
  key: 'k-1',
  caller: 'key-a',
  method: 'POST',
  path: '/programmes',
  query: {},
  body: { organisation: 'A', name: 'B' },
  files: [],
  ...over,
});

function setup(ttlSeconds = 60) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const idem = new Idempotency({ store: new MemoryIdempotencyStore(), ttlSeconds, now: () => now });
  let runs = 0;
  const created = (): Promise<Reply> =>
    Promise.resolve({ status: 201, body: { run: ++runs }, location: `/programmes/${runs}` });
  return { idem, created, runs: () => runs, advance: (ms: number) => (now += ms) };
}

const slug = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof HttpProblem ? e.slug : 'other'),
  );

test('a retry replays the first reply and runs nothing', async () => {
  const t = setup();
  const first = await t.idem.run(request(), log, t.created);
  const again = await t.idem.run(request({ body: { name: 'B', organisation: 'A' } }), log, t.created);
  expect(first.replayed).toBe(false);
  expect(again).toEqual({ replayed: true, reply: first.reply });
  expect(t.runs()).toBe(1);
});

test('the key is per caller; another body, path or file under it is a 422', async () => {
  const t = setup();
  await t.idem.run(request(), log, t.created);
  expect((await t.idem.run(request({ caller: 'key-b' }), log, t.created)).replayed).toBe(false);
  await expect(
    slug(t.idem.run(request({ body: { organisation: 'X', name: 'B' } }), log, t.created)),
  ).resolves.toBe('idempotency-key-reused');
  await expect(slug(t.idem.run(request({ path: '/programmes/x/kpis' }), log, t.created))).resolves.toBe(
    'idempotency-key-reused',
  );
  expect(t.runs()).toBe(2);
});

test('a retry while the first runs is a 409; a failure frees the key; keys expire', async () => {
  const t = setup(60);
  let finish: (r: Reply) => void = () => undefined;
  const slow = t.idem.run(request(), log, () => new Promise<Reply>((resolve) => (finish = resolve)));
  await expect(slug(t.idem.run(request(), log, t.created))).resolves.toBe('idempotency-key-in-use');
  finish({ status: 200, body: {} });
  await slow;

  const failing = request({ key: 'k-2' });
  await expect(t.idem.run(failing, log, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect((await t.idem.run(failing, log, t.created)).replayed).toBe(false);

  t.advance(61_000);
  expect((await t.idem.run(request(), log, t.created)).replayed).toBe(false);
});

test('multipart uploads are fingerprinted by their bytes', () => {
  const file = (data: string) => ({
    field: 'file',
    originalName: 'a.pdf',
    mediaType: 'application/pdf',
    size: 1,
    buffer: Buffer.from(data),
  });
  expect(requestFingerprint(request({ files: [file('x')] }))).toBe(
    requestFingerprint(request({ files: [file('x')] })),
  );
  expect(requestFingerprint(request({ files: [file('x')] }))).not.toBe(
    requestFingerprint(request({ files: [file('y')] })),
  );
});
