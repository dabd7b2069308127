/**
 * What a programme leaves in Temporal's histories: every run of every workflow of one programme
 * (the programme workflow, which continues as new once per cycle; its stage children, which
 * continue as new when their history grows; the KPI schedule; report and scan workflows), with
 * each run's event count, encoded size and largest payloads, summed per certification cycle.
 *
 * Runs are found two ways and the results merged by run id, so neither visibility lag nor a
 * missing visibility feature loses a run:
 * - visibility: `WorkflowId = 'programme-P'` and `WorkflowId STARTS_WITH 'programme-P/'` (the
 *   dev server's SQLite visibility supports STARTS_WITH; if a server rejects it, the history walk
 *   still finds every workflow started from the programme's own histories);
 * - the histories themselves, which are strongly consistent: each run names the run it continued
 *   (`continuedExecutionRunId`), the run that continued it (`newExecutionRunId`) and the children
 *   it started (StartChildWorkflowExecutionInitiated / ChildWorkflowExecutionStarted), and every
 *   workflow id found this way is also described (its latest run) and listed (its other runs).
 * Workflows the API starts with a client (on-demand reports, inventory scans) have ids under the
 * programme's prefix but no parent: only visibility finds them.
 *
 * Call it once the programme has settled (no workflow task or activity in flight), or the counts
 * are a snapshot of a moving target.
 */
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { defaultWorkflowId } from '../api/programme-gateway';
import type { ProgrammeWorkflowInput } from '../domain/contracts/workflows';
import { AimsCycle } from '../domain/search-attributes';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

const { EventType } = temporal.api.enums.v1;
const ProtoHistoryEvent = temporal.api.history.v1.HistoryEvent;
/** The runtime class of decoded Payload messages (the reflection-backed `Payload` is a Type, not a class). */
const PayloadClass = (temporal.api.common.v1.Payload as unknown as { ctor?: new () => object }).ctor;

/** Where a payload peak was seen: its size, and the event that carried it. */
export interface PayloadPeak {
  bytes: number;
  /** The event type, e.g. `WorkflowExecutionStarted`, `ActivityTaskCompleted`; '' when there is none. */
  eventType: string;
  eventId: number;
}

export interface RunStats {
  workflowId: string;
  runId: string;
  /** The workflow type, e.g. `programmeWorkflow`, `stageWorkflow`, `reportWorkflow`. */
  workflowType: string;
  /** The certification cycle the run belongs to (see `cycleOf` rules in programmeHistoryStats). */
  cycle: number | undefined;
  /** Number of events in the run's history. */
  events: number;
  /** Sum over events of the protobuf-encoded size of each HistoryEvent. */
  bytes: number;
  /**
   * The single largest Payload in any event of the run: data plus metadata values, i.e. the bytes
   * the payload converter wrote. This is what Temporal's per-blob size limit is about.
   */
  largestPayload: PayloadPeak;
  /** The event whose Payloads (all of them, anywhere in its attributes) add up to the most bytes. */
  largestEventPayloads: PayloadPeak;
  /** When the run started (its first event). */
  startTime: Date;
  /** True when the run ended by continuing as new. */
  continuedAsNew: boolean;
}

export interface CycleStats {
  runs: number;
  events: number;
  bytes: number;
  maxEventsInRun: number;
  /** Bytes of the single largest Payload of the cycle's runs. */
  largestPayload: number;
  /** Bytes of the largest per-event payload sum of the cycle's runs. */
  largestEventPayloads: number;
}

export type RunRef = { workflowId: string; runId: string };

export interface HistoryStats {
  programmeId: string;
  /** The programme workflow's id, `programme-<programmeId>`; children's ids start with it and `/`. */
  workflowId: string;
  /** Every run, ordered by cycle, then start time, then workflow id. */
  runs: RunStats[];
  /** Per cycle; runs whose cycle is unknown (none, normally) are only in `runs` and `totals`. */
  byCycle: Map<number, CycleStats>;
  totals: { runs: number; events: number; bytes: number };
  largestPayload: PayloadPeak & RunRef;
  largestEventPayloads: PayloadPeak & RunRef;
  maxEventsInRun: RunRef & { events: number };
  /** How the runs were found: useful when a number looks wrong. */
  enumeration: {
    /** Whether the server accepted `WorkflowId STARTS_WITH ...` (false: the history walk alone found the children). */
    startsWith: boolean;
    /** Runs visibility listed. */
    fromVisibility: number;
    /** Runs only the history walk (or describe) found, e.g. ones visibility had not indexed yet. */
    fromHistoriesOnly: number;
  };
}

export interface HistoryStatsOptions {
  /** The programme workflow's id; default `programme-<programmeId>` as the API starts it. */
  workflowId?: string;
  /** Histories fetched at once (default 8). */
  concurrency?: number;
  /**
   * List the children with `WorkflowId STARTS_WITH` (default true). False skips it (for a server
   * without it): the history walk still finds every workflow the programme's histories started.
   */
  startsWith?: boolean;
}

/** `1536` -> `1.5 KiB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.abs(n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${n < 0 ? '-' : ''}${value.toFixed(digits)} ${units[unit]}`;
}

/** A visibility query string literal. */
function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function toNumber(n: { toNumber(): number } | number | null | undefined): number {
  if (n === null || n === undefined) return 0;
  return typeof n === 'number' ? n : n.toNumber();
}

/** `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED` -> `WorkflowExecutionStarted`. */
export function eventTypeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  const name = type === null || type === undefined ? undefined : EventType[type];
  if (!name) return `EventType${type ?? ''}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

/** Bytes of one Payload as the converter wrote it: data plus metadata values. */
export function payloadBytes(p: Payload): number {
  let n = p.data?.length ?? 0;
  for (const value of Object.values(p.metadata ?? {})) n += value?.length ?? 0;
  return n;
}

function isPayload(value: object): value is Payload {
  if (PayloadClass && value instanceof PayloadClass) return true;
  // Plain objects (e.g. a history built with create() from JSON): data bytes and a metadata map of bytes.
  const v = value as { data?: unknown; metadata?: unknown };
  if (!(v.data instanceof Uint8Array) || typeof v.metadata !== 'object' || v.metadata === null) return false;
  return Object.values(v.metadata).every((m) => m instanceof Uint8Array);
}

/** Every Payload anywhere inside `value`, e.g. an event's attributes (inputs, results, headers, memo, failures). */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (isPayload(value)) {
    found.push(value);
    return found;
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) payloadsIn(child, found);
  return found;
}

interface Measured {
  events: number;
  bytes: number;
  largestPayload: PayloadPeak;
  largestEventPayloads: PayloadPeak;
}

const NO_PEAK: PayloadPeak = { bytes: 0, eventType: '', eventId: 0 };

/** Counts, sizes and payload peaks of one history. */
export function measureHistory(events: readonly HistoryEvent[]): Measured {
  let bytes = 0;
  let largestPayload = NO_PEAK;
  let largestEventPayloads = NO_PEAK;
  for (const event of events) {
    bytes += ProtoHistoryEvent.encode(event).finish().length;
    const sizes = payloadsIn(event).map(payloadBytes);
    if (sizes.length === 0) continue;
    const eventType = eventTypeName(event.eventType);
    const eventId = toNumber(event.eventId);
    const single = Math.max(...sizes);
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (single > largestPayload.bytes) largestPayload = { bytes: single, eventType, eventId };
    if (sum > largestEventPayloads.bytes) largestEventPayloads = { bytes: sum, eventType, eventId };
  }
  return { events: events.length, bytes, largestPayload, largestEventPayloads };
}

function eventTimeMs(event: HistoryEvent | undefined): number {
  const t = event?.eventTime;
  if (!t) return NaN;
  return toNumber(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** What one run's history says about other runs and workflows. */
interface Links {
  sameId: string[];
  childIds: string[];
  childRuns: RunRef[];
}

function linksOf(events: readonly HistoryEvent[]): Links {
  const links: Links = { sameId: [], childIds: [], childRuns: [] };
  for (const e of events) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      if (started.continuedExecutionRunId) links.sameId.push(started.continuedExecutionRunId);
      if (started.firstExecutionRunId) links.sameId.push(started.firstExecutionRunId);
    }
    const continued = e.workflowExecutionContinuedAsNewEventAttributes;
    if (continued?.newExecutionRunId) links.sameId.push(continued.newExecutionRunId);
    const initiated = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (initiated?.workflowId) links.childIds.push(initiated.workflowId);
    const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId && child.runId)
      links.childRuns.push({ workflowId: child.workflowId, runId: child.runId });
  }
  return links;
}

/** `resume.cycle` of a programme run's input (1 for the first run); undefined when it cannot be read. */
function programmeInputCycle(events: readonly HistoryEvent[]): number | undefined {
  const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  try {
    const input = defaultPayloadConverter.fromPayload<Partial<ProgrammeWorkflowInput> | null>(payload);
    if (!input || typeof input !== 'object') return undefined;
    return input.resume?.cycle ?? 1;
  } catch {
    return undefined;
  }
}

const GRPC_NOT_FOUND = 5;

/** No such workflow or run: describe() says so with WorkflowNotFoundError, fetchHistory() with a raw gRPC NOT_FOUND. */
function notFound(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const cause = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(cause) && Number(cause.code) === GRPC_NOT_FOUND;
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

interface RunRecord extends RunRef {
  info?: WorkflowExecutionInfo;
  /** The run whose StartChild event first named this run's workflow id. */
  startedBy?: RunRef;
  events?: HistoryEvent[];
  links?: Links;
  /** Listed, but its history is gone (a closed run past the namespace's retention). */
  gone?: boolean;
}

/**
 * Every run of every workflow of programme `programmeId`, measured.
 *
 * The cycle of a run, in order:
 * 1. a workflow id `programme-P/c<n>.<STEP>.<visit>` (a stage): n;
 * 2. a run of the programme workflow: `resume.cycle` of its input (1 without), else its
 *    `AimsCycle` search attribute;
 * 3. a workflow a stage started (the approval reports): that stage's cycle;
 * 4. anything else (the KPI schedule's runs, workflows the API started): the cycle of the
 *    programme run that was running when the run started.
 */
export async function programmeHistoryStats(
  client: Client,
  programmeId: string,
  options: HistoryStatsOptions = {},
): Promise<HistoryStats> {
  const parentId = options.workflowId ?? defaultWorkflowId(programmeId);
  const prefix = `${parentId}/`;
  const concurrency = Math.max(1, options.concurrency ?? 8);

  const runs = new Map<string, RunRecord>();
  const fromVisibility = new Set<string>();
  /** Workflow ids already described and listed. */
  const idsDone = new Set<string>();
  /** The first run found starting each child workflow id. */
  const starters = new Map<string, RunRef>();

  const addRun = (ref: RunRef, info?: WorkflowExecutionInfo): void => {
    const known = runs.get(ref.runId);
    if (known) {
      known.info ??= info;
      return;
    }
    runs.set(ref.runId, { workflowId: ref.workflowId, runId: ref.runId, info });
  };

  const list = async (query: string): Promise<void> => {
    for await (const info of client.workflow.list({ query })) {
      addRun(info, info);
      fromVisibility.add(info.runId);
    }
  };

  // 1. Visibility.
  await list(`WorkflowId = ${quote(parentId)}`);
  let startsWith = options.startsWith ?? true;
  if (startsWith) {
    try {
      await list(`WorkflowId STARTS_WITH ${quote(prefix)}`);
    } catch {
      startsWith = false;
    }
  }
  // Listed already: the programme's id, and with STARTS_WITH every id under its prefix.
  idsDone.add(parentId);
  if (startsWith) for (const r of runs.values()) idsDone.add(r.workflowId);

  // 2. The histories, to a fixed point: fetch every run not yet fetched, follow its links, and
  //    describe and list every workflow id not seen before.
  const pendingIds = new Set<string>([parentId, ...[...runs.values()].map((r) => r.workflowId)]);
  for (;;) {
    const ids = [...pendingIds];
    pendingIds.clear();
    await pool(ids, concurrency, async (workflowId) => {
      // The latest run, which visibility may not list yet.
      try {
        const description = await client.workflow.getHandle(workflowId).describe();
        addRun({ workflowId, runId: description.runId });
      } catch (err) {
        if (!notFound(err)) throw err;
      }
      if (!idsDone.has(workflowId)) {
        idsDone.add(workflowId);
        await list(`WorkflowId = ${quote(workflowId)}`);
      }
    });
    const unfetched = [...runs.values()].filter((r) => !r.events);
    if (unfetched.length === 0) break;
    await pool(unfetched, concurrency, async (run) => {
      try {
        const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
        run.events = history.events ?? [];
      } catch (err) {
        if (!notFound(err)) throw err;
        run.events = [];
        run.gone = true;
      }
      run.links = linksOf(run.events);
    });
    for (const run of unfetched) {
      const links = run.links as Links;
      for (const runId of links.sameId) addRun({ workflowId: run.workflowId, runId });
      for (const child of links.childRuns) addRun(child);
      for (const childId of [...links.childIds, ...links.childRuns.map((c) => c.workflowId)]) {
        if (!starters.has(childId)) starters.set(childId, { workflowId: run.workflowId, runId: run.runId });
        if (!idsDone.has(childId)) pendingIds.add(childId);
      }
    }
  }
  for (const run of runs.values()) run.startedBy = starters.get(run.workflowId);

  const fetched = [...runs.values()].filter(
    (r): r is RunRecord & { events: HistoryEvent[] } => !!r.events && !r.gone,
  );
  if (!fetched.some((r) => r.workflowId === parentId))
    throw new Error(`no runs of workflow ${parentId} found: is ${programmeId} a programme?`);

  // 3. Cycles.
  const stageCycle = (workflowId: string): number | undefined => {
    if (!workflowId.startsWith(prefix)) return undefined;
    const m = /^c(\d+)\./.exec(workflowId.slice(prefix.length));
    return m ? Number(m[1]) : undefined;
  };
  const programmeRuns = fetched
    .filter((r) => r.workflowId === parentId)
    .map((r) => ({
      runId: r.runId,
      start: eventTimeMs(r.events[0]),
      cycle: programmeInputCycle(r.events) ?? r.info?.typedSearchAttributes.get(AimsCycle),
    }))
    .sort((a, b) => a.start - b.start);
  const cycleAt = (start: number): number | undefined => {
    let cycle: number | undefined;
    for (const p of programmeRuns) if (p.start <= start) cycle = p.cycle;
    return cycle;
  };
  const cycleOf = (run: RunRecord & { events: HistoryEvent[] }): number | undefined => {
    const fromId = stageCycle(run.workflowId);
    if (fromId !== undefined) return fromId;
    if (run.workflowId === parentId) return programmeRuns.find((p) => p.runId === run.runId)?.cycle;
    const starterCycle = run.startedBy && stageCycle(run.startedBy.workflowId);
    if (starterCycle !== undefined) return starterCycle;
    return cycleAt(eventTimeMs(run.events[0]));
  };

  // 4. Measure.
  const measured: RunStats[] = fetched.map((run) => {
    const first = run.events[0];
    const last = run.events[run.events.length - 1];
    return {
      workflowId: run.workflowId,
      runId: run.runId,
      workflowType:
        first?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? run.info?.type ?? '',
      cycle: cycleOf(run),
      ...measureHistory(run.events),
      startTime: new Date(eventTimeMs(first)),
      continuedAsNew: !!last?.workflowExecutionContinuedAsNewEventAttributes,
    };
  });
  measured.sort(
    (a, b) =>
      (a.cycle ?? Infinity) - (b.cycle ?? Infinity) ||
      a.startTime.getTime() - b.startTime.getTime() ||
      a.workflowId.localeCompare(b.workflowId) ||
      a.runId.localeCompare(b.runId),
  );

  const byCycle = new Map<number, CycleStats>();
  let largestPayload: HistoryStats['largestPayload'] = { ...NO_PEAK, workflowId: '', runId: '' };
  let largestEventPayloads: HistoryStats['largestEventPayloads'] = { ...NO_PEAK, workflowId: '', runId: '' };
  let maxEventsInRun: HistoryStats['maxEventsInRun'] = { workflowId: '', runId: '', events: 0 };
  const totals = { runs: 0, events: 0, bytes: 0 };
  for (const r of measured) {
    totals.runs++;
    totals.events += r.events;
    totals.bytes += r.bytes;
    const ref = { workflowId: r.workflowId, runId: r.runId };
    if (r.largestPayload.bytes > largestPayload.bytes) largestPayload = { ...r.largestPayload, ...ref };
    if (r.largestEventPayloads.bytes > largestEventPayloads.bytes)
      largestEventPayloads = { ...r.largestEventPayloads, ...ref };
    if (r.events > maxEventsInRun.events) maxEventsInRun = { ...ref, events: r.events };
    if (r.cycle === undefined) continue;
    const c = byCycle.get(r.cycle) ?? {
      runs: 0,
      events: 0,
      bytes: 0,
      maxEventsInRun: 0,
      largestPayload: 0,
      largestEventPayloads: 0,
    };
    c.runs++;
    c.events += r.events;
    c.bytes += r.bytes;
    c.maxEventsInRun = Math.max(c.maxEventsInRun, r.events);
    c.largestPayload = Math.max(c.largestPayload, r.largestPayload.bytes);
    c.largestEventPayloads = Math.max(c.largestEventPayloads, r.largestEventPayloads.bytes);
    byCycle.set(r.cycle, c);
  }

  return {
    programmeId,
    workflowId: parentId,
    runs: measured,
    byCycle: new Map([...byCycle].sort(([a], [b]) => a - b)),
    totals,
    largestPayload,
    largestEventPayloads,
    maxEventsInRun,
    enumeration: {
      startsWith,
      fromVisibility: [...fromVisibility].filter((id) => !runs.get(id)?.gone).length,
      fromHistoriesOnly: fetched.filter((r) => !fromVisibility.has(r.runId)).length,
    },
  };
}
