/**
 * Small child-process supervisor shared by the embedded Temporal dev server and `scripts/start.ts`:
 * spawns a process in its own process group (so a terminal Ctrl-C reaches only the parent, which
 * then stops children in order), splits its output into lines, keeps a tail for error messages,
 * and stops it with SIGTERM, escalating to SIGKILL after a grace period.
 *
 * Safety net: every live child is SIGKILLed when the parent process exits, so a crashed test or
 * script does not leave servers behind (a SIGKILL of the parent itself cannot be intercepted).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitInfo {
  /** Exit code, or null when the process was ended by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnSupervisedOptions {
  /** Short name used in messages, e.g. "temporal", "worker". */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called for each complete output line (without the newline). */
  onLine?: (line: string, stream: OutputStream) => void;
  /** How many of the last output lines to keep for `outputTail()`. Default 60. */
  tailLines?: number;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves (never rejects) once the process has exited or failed to spawn. */
  readonly exited: Promise<ExitInfo>;
  /** Undefined while the process is running. */
  readonly exitInfo: ExitInfo | undefined;
  /** True once `stop()` has been called. */
  readonly stopping: boolean;
  /** The last output lines (stdout and stderr interleaved), joined with newlines. */
  outputTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s). Idempotent. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** Sends a signal to the process group right away; no waiting. */
  kill(signal: NodeJS.Signals): void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) signalGroup(child, 'SIGKILL');
  });
}

/** Signals the child's whole process group (it is a group leader), falling back to the child itself. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return `failed to start: ${info.error.message}`;
  if (info.signal) return `killed by ${info.signal}`;
  return `exited with code ${String(info.code)}`;
}

export function spawnSupervised(opts: SpawnSupervisedOptions): SupervisedProcess {
  installExitHook();
  const tailMax = opts.tailLines ?? 60;
  const tail: string[] = [];
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  live.add(child);

  const pushLine = (line: string, stream: OutputStream): void => {
    tail.push(line);
    if (tail.length > tailMax) tail.shift();
    opts.onLine?.(line, stream);
  };
  const flushers: (() => void)[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (!readable) continue;
    readable.setEncoding('utf8');
    let partial = '';
    readable.on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) pushLine(line, stream);
    });
    flushers.push(() => {
      if (partial) pushLine(partial, stream);
      partial = '';
    });
  }

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const finish = (info: ExitInfo): void => {
      if (exitInfo) return;
      exitInfo = info;
      live.delete(child);
      for (const flush of flushers) flush();
      resolve(info);
    };
    child.on('error', (error) => {
      // 'error' is emitted when spawning fails; a failed kill() also emits it, but then 'close' follows.
      if (child.pid === undefined) finish({ code: null, signal: null, error });
    });
    child.on('close', (code, signal) => finish({ code, signal }));
    // 'close' waits for the pipes; if a stray grandchild keeps them open, do not wait forever.
    child.on('exit', (code, signal) => {
      setTimeout(() => finish({ code, signal }), 2000).unref();
    });
  });

  let stopPromise: Promise<ExitInfo> | undefined;
  let stopping = false;
  return {
    name: opts.name,
    pid: child.pid,
    exited,
    get exitInfo() {
      return exitInfo;
    },
    get stopping() {
      return stopping;
    },
    outputTail: () => tail.join('\n'),
    kill: (signal) => signalGroup(child, signal),
    stop(graceMs = 10_000): Promise<ExitInfo> {
      stopping = true;
      stopPromise ??= (async () => {
        if (exitInfo) return exitInfo;
        signalGroup(child, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const escalated = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            signalGroup(child, 'SIGKILL');
            resolve();
          }, graceMs);
        });
        await Promise.race([exited, escalated]);
        clearTimeout(timer);
        return exited;
      })();
      return stopPromise;
    },
  };
}
