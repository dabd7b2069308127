/**
 * The launcher's restart budget (infra/restart-policy.ts) and its settings: exponential back-off
 * capped, counted over a sliding window, and giving up once the window holds too many restarts.
 */
import { ConfigError, loadConfig } from '../../infra/config';
import { RestartBudget, type RestartLimits } from '../../infra/restart-policy';

const LIMITS: RestartLimits = { maxRestarts: 4, windowMs: 60_000, initialDelayMs: 1000, maxDelayMs: 5000 };

function budgetAt(start = 0): { budget: RestartBudget; clock: { now: number } } {
  const clock = { now: start };
  return { budget: new RestartBudget(LIMITS, () => clock.now), clock };
}

test('doubles the delay for each restart within the window, up to the cap, then gives up', () => {
  const { budget, clock } = budgetAt();
  const verdicts = [];
  for (let i = 0; i < 5; i++) {
    verdicts.push(budget.onCrash());
    clock.now += 100;
  }
  expect(verdicts).toEqual([
    { action: 'restart', delayMs: 1000, restart: 1 },
    { action: 'restart', delayMs: 2000, restart: 2 },
    { action: 'restart', delayMs: 4000, restart: 3 },
    { action: 'restart', delayMs: 5000, restart: 4 },
    { action: 'give-up', restarts: 4 },
  ]);
});

test('restarts older than the window no longer count: a process that stayed up starts afresh', () => {
  const { budget, clock } = budgetAt();
  expect(budget.onCrash()).toMatchObject({ delayMs: 1000 });
  clock.now += 30_000;
  expect(budget.onCrash()).toMatchObject({ delayMs: 2000 });
  clock.now += 30_000; // the first restart is now a full window old
  expect(budget.onCrash()).toEqual({ action: 'restart', delayMs: 2000, restart: 2 });
  clock.now += 60_000;
  expect(budget.onCrash()).toEqual({ action: 'restart', delayMs: 1000, restart: 1 });
});

test('no restarts allowed: the first crash gives up', () => {
  expect(new RestartBudget({ ...LIMITS, maxRestarts: 0 }).onCrash()).toEqual({
    action: 'give-up',
    restarts: 0,
  });
});

describe('launcher settings from the environment', () => {
  test('defaults: 5 restarts within 5 minutes, 1 s doubled up to 30 s, metrics on localhost:9465', () => {
    expect(loadConfig({}).launcher).toEqual({
      restarts: { maxRestarts: 5, windowMs: 300_000, initialDelayMs: 1000, maxDelayMs: 30_000 },
      metricsBind: '127.0.0.1:9465',
    });
  });

  test('reads every setting, and "off" turns the metrics endpoint off', () => {
    expect(
      loadConfig({
        LAUNCHER_MAX_RESTARTS: '0',
        LAUNCHER_RESTART_WINDOW_SECONDS: '60',
        LAUNCHER_RESTART_DELAY_MS: '250',
        LAUNCHER_RESTART_MAX_DELAY_MS: '250',
        LAUNCHER_METRICS_BIND: 'off',
      }).launcher,
    ).toEqual({
      restarts: { maxRestarts: 0, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 250 },
      metricsBind: undefined,
    });
  });

  test.each([
    ['LAUNCHER_MAX_RESTARTS', '-1'],
    ['LAUNCHER_MAX_RESTARTS', 'many'],
    ['LAUNCHER_RESTART_WINDOW_SECONDS', '0'],
    ['LAUNCHER_RESTART_DELAY_MS', '1.5'],
    ['LAUNCHER_RESTART_MAX_DELAY_MS', '100'], // below the 1000 ms default first delay
    ['LAUNCHER_METRICS_BIND', '9465'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
