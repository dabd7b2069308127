/**
 * `npm start` keeps the service up when one of its processes crashes. The launcher runs as a real
 * process (its production entry point, compiled) with its embedded Temporal dev server, the worker
 * and the API; the test SIGKILLs one of them, as an out-of-memory kill would, and watches the
 * launcher restart it after a back-off while the others keep serving, log the restart at error
 * level and count it in `aimsflow_launcher_restarts_total`. A process that keeps crashing is
 * given up on: everything stops and the launcher exits 1, for systemd to take over.
 *
 * Everything is awaited through what the processes show (the launcher's log lines, pids, HTTP
 * answers), polled with bounded helpers; nothing sleeps.
 */
import type { StepId } from '../../domain/vocabulary';
import type { ProgrammeDetail } from '../support/http-port';
import { alive, ERROR_LEVEL, LaunchedService, type LauncherLog } from '../support/launcher';
import { eventually, within } from '../support/processes';

jest.setTimeout(300_000);

const RESTARTS = 'aimsflow_launcher_restarts_total';

async function startProgramme(service: LaunchedService, organisation: string): Promise<string> {
  const res = await service.request('POST', '/programmes', { organisation, name: 'AIMS certification' });
  if (res.status !== 201) throw new Error(`POST /programmes -> ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

/** Waits until the programme's step takes inputs: a worker ran its workflow that far. */
function waitForStep(service: LaunchedService, programmeId: string, step: StepId): Promise<ProgrammeDetail> {
  return eventually(`programme ${programmeId} to reach ${step}`, async () => {
    const res = await service.request('GET', `/programmes/${programmeId}`);
    const detail = res.body as ProgrammeDetail;
    return res.status === 200 && detail.step === step && detail.accepts.length > 0 ? detail : undefined;
  });
}

const crashOf =
  (process: string) =>
  (l: LauncherLog): boolean =>
    l.process === process && l.level === ERROR_LEVEL && /unexpectedly; restarting it/.test(l.msg);

/** The newest of the pids the launcher logged (it must have logged one). */
function newest(pids: number[]): number {
  const pid = pids[pids.length - 1];
  if (pid === undefined) throw new Error('the launcher logged no pid for that process');
  return pid;
}

describe('a crashed process is restarted, the others keep serving', () => {
  let service: LaunchedService;

  beforeAll(async () => {
    service = await LaunchedService.start({
      // The production back-off: a second before the first restart, time enough to see the API
      // answer while no worker runs.
      LAUNCHER_RESTART_DELAY_MS: '1000',
      LAUNCHER_RESTART_MAX_DELAY_MS: '4000',
      LAUNCHER_MAX_RESTARTS: '5',
      LAUNCHER_RESTART_WINDOW_SECONDS: '300',
    });
  });

  afterAll(async () => {
    const exit = await service?.stop();
    // Ctrl-C after crashes and restarts is still an orderly stop.
    expect(exit).toEqual({ code: 0, signal: null });
  });

  test('a worker killed with SIGKILL: the API answers meanwhile, a new worker takes the work on, the restart is logged at error level and counted', async () => {
    const worker = newest(service.pids('worker'));
    const api = newest(service.pids('api'));
    await waitForStep(service, await startProgramme(service, 'Before The Crash Ltd'), 'SCOPING');

    process.kill(worker, 'SIGKILL');
    const crash = await service.waitForLog('the launcher to log the worker crash', crashOf('worker'));
    expect(crash.msg).toBe(
      'worker killed by SIGKILL unexpectedly; restarting it in 1000 ms (restart 1 of 5 within 300 s)',
    );
    expect(crash).toMatchObject({ exit: { code: null, signal: 'SIGKILL' }, restart: 1, delayMs: 1000 });

    // No worker runs now, and the API still answers: readiness (Temporal and the database), and a
    // new programme, whose workflow waits on the task queue for the next worker.
    expect(alive(worker)).toBe(false);
    expect((await service.request('GET', '/readyz')).status).toBe(200);
    const duringCrash = await startProgramme(service, 'During The Crash Ltd');
    const answeredAt = Date.now();

    const newWorker = await service.nextPid('worker', worker);
    expect(newWorker).not.toBe(worker);
    expect(alive(newWorker)).toBe(true);
    const restartedAt = service.logs().find((l) => l.childPid === newWorker)?.time ?? 0;
    expect(answeredAt).toBeLessThanOrEqual(restartedAt);
    // The back-off was waited out, not skipped (less a few ms: Date.now and timers use other clocks).
    expect(restartedAt - crash.time).toBeGreaterThanOrEqual(990);

    await waitForStep(service, duringCrash, 'SCOPING');
    await waitForStep(service, await startProgramme(service, 'After The Crash Ltd'), 'SCOPING');
    expect(await service.metric(`${RESTARTS}{process="worker"}`)).toBe(1);
    // The API was never restarted: the same process answered throughout.
    expect(service.pids('api')).toEqual([api]);
    expect(await service.metric(`${RESTARTS}{process="api"}`)).toBe(0);
  });

  test('an API killed with SIGKILL is restarted on the same port; the worker is left alone', async () => {
    const api = newest(service.pids('api'));
    const worker = newest(service.pids('worker'));
    process.kill(api, 'SIGKILL');
    const crash = await service.waitForLog('the launcher to log the API crash', crashOf('api'));
    expect(crash.msg).toMatch(/^api killed by SIGKILL unexpectedly; restarting it in 1000 ms/);

    const newApi = await service.nextPid('api', api);
    expect(alive(newApi)).toBe(true);
    await eventually('the new API to answer', async () =>
      (await service.request('GET', '/readyz')).status === 200 ? true : undefined,
    );
    await waitForStep(service, await startProgramme(service, 'After The API Crash Ltd'), 'SCOPING');
    expect(await service.metric(`${RESTARTS}{process="api"}`)).toBe(1);
    expect(newest(service.pids('worker'))).toBe(worker);
  });

  test('the Temporal dev server killed with SIGKILL is restarted on the same address and file; nothing is lost', async () => {
    const temporal = newest(service.temporalPids());
    const programme = await startProgramme(service, 'Before The Temporal Crash Ltd');
    await waitForStep(service, programme, 'SCOPING');

    process.kill(temporal, 'SIGKILL');
    const crash = await service.waitForLog('the launcher to log the dev server crash', crashOf('temporal'));
    expect(crash.msg).toMatch(
      /^Temporal dev server killed by SIGKILL unexpectedly; restarting it in 1000 ms/,
    );
    const restarted = await eventually('the dev server to be ready again', () => service.temporalPids()[1]);
    expect(restarted).not.toBe(temporal);

    // Its state came back from temporal.sqlite, and the worker and the API reconnected.
    await waitForStep(service, programme, 'SCOPING');
    const after = await eventually('the API to start a programme again', () =>
      startProgramme(service, 'After The Temporal Crash Ltd'),
    );
    await waitForStep(service, after, 'SCOPING');
    expect(await service.metric(`${RESTARTS}{process="temporal"}`)).toBe(1);
  });
});

test('a worker that keeps crashing within the window is given up on: everything stops, exit 1', async () => {
  const service = await LaunchedService.start({
    LAUNCHER_MAX_RESTARTS: '2',
    LAUNCHER_RESTART_WINDOW_SECONDS: '600',
    // Short for the test; doubled once (100 ms, then 200 ms capped to 150 ms).
    LAUNCHER_RESTART_DELAY_MS: '100',
    LAUNCHER_RESTART_MAX_DELAY_MS: '150',
  });
  try {
    const api = newest(service.pids('api'));
    let worker = newest(service.pids('worker'));
    for (let i = 0; i < 2; i++) {
      process.kill(worker, 'SIGKILL');
      worker = await service.nextPid('worker', worker);
    }
    const temporal = newest(service.temporalPids());
    const restarts = service.logs().filter(crashOf('worker'));
    expect(restarts.map((l) => l.delayMs)).toEqual([100, 150]);
    expect(await service.metric(`${RESTARTS}{process="worker"}`)).toBe(2);

    process.kill(worker, 'SIGKILL');
    const exit = await within(service.exited, 90_000, 'the launcher to give up and exit');
    expect(exit).toEqual({ code: 1, signal: null });
    const givenUp = service
      .logs()
      .find((l) => l.process === 'worker' && /giving up/.test(l.msg) && l.level === ERROR_LEVEL);
    expect(givenUp?.msg).toBe(
      'worker killed by SIGKILL unexpectedly; it was restarted 2 times within 600 s ' +
        '(LAUNCHER_MAX_RESTARTS=2): giving up, stopping everything',
    );
    // Stopped, not abandoned: no process of the service is left, nothing answers.
    for (const pid of [api, temporal, worker]) expect(alive(pid)).toBe(false);
    await expect(fetch(`${service.baseUrl}/healthz`)).rejects.toThrow();
    expect(service.logs().filter((l) => l.msg === 'worker started')).toHaveLength(3);
  } finally {
    await service.stop();
  }
});
