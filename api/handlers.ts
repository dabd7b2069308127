/**
 * Route handlers. They receive validated input only (see route.ts) and return a Reply; status
 * codes for failures come from the errors they throw (see errors.ts).
 */
import type { z } from 'zod';
import { assembleFacts, type FactEntry } from '../domain/facts';
import { inputDefinition, type Submission } from '../domain/inputs';
import { programmeWork } from '../domain/programme-work';
import { APPROVAL_GATES } from '../domain/process-model';
import { sameEmail } from '../domain/people';
import type { AuditProgrammeBody } from '../domain/schemas';
import {
  ProgrammeConfig,
  type CreateProgramme,
  type DecisionBody,
  type StageInput,
  type WithdrawalBody,
} from '../domain/schemas';
import type { InputAccepted, ProgrammeWork, WorkflowProblem } from '../domain/views';
import { ConflictError, NotFoundError, type LiveProgramme } from './programme-gateway';
import { DependencyError, withTimeout } from './dependency-errors';
import { HttpProblem, issuesToFieldErrors, validationProblem } from './problem';
import type {
  Accepted,
  ProgrammeCreated,
  ProgrammeDetail,
  ProgrammePage,
  ProgrammeSummary,
  Readiness,
} from './responses';
import type { RoadmapTask } from '../domain/records';
import type { HandlerContext, Reply } from './route';
import type {
  ArtefactInStore,
  IdentifiedRow,
  ProgrammeFilter,
  ProgrammeInStore,
  ProgrammeStore,
} from './store';

/** Every gate of the process model; a gate of another step is a 409, an unknown one a 404. */
const KNOWN_GATES = new Set(APPROVAL_GATES);

interface IdParams {
  params: { id: string };
}

const ok = (body: unknown): Reply => ({ status: 200, body });

export const programmePath = (id: string): string => `/programmes/${encodeURIComponent(id)}`;

/** Every programme-scoped route checks the store first, so an unknown id is a 404 before any gateway call. */
export async function requireProgramme(
  store: ProgrammeStore,
  programmeId: string,
): Promise<ProgrammeInStore> {
  const row = await store.getProgramme(programmeId);
  if (!row) throw new HttpProblem('not-found', `No programme with id ${programmeId}.`);
  return row;
}

function toIso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : value;
}

function toSummary(row: ProgrammeInStore): z.input<typeof ProgrammeSummary> {
  return {
    id: row.programmeId,
    workflowId: row.workflowId,
    organisation: row.organisation,
    name: row.name,
    status: row.status ?? 'ACTIVE',
    cycle: row.cycle ?? 1,
    step: row.step ?? null,
    stage: row.stage ?? null,
    overdue: row.overdue ?? false,
    nextDueAt: toIso(row.nextDueAt),
    certificateStatus: row.certificateStatus ?? null,
    certificateExpiresOn: row.certificateExpiresOn ?? null,
    createdAt: toIso(row.createdAt),
  };
}

/** CreateProgramme has already validated each field; this only fills in the defaults. */
function withDefaults(partial: CreateProgramme['config']): ProgrammeConfig {
  const parsed = ProgrammeConfig.safeParse(partial ?? {});
  if (parsed.success) return parsed.data;
  const errors = issuesToFieldErrors('body', parsed.error.issues).map((e) => ({
    ...e,
    pointer: e.pointer.replace(/^\/body/, '/body/config'),
  }));
  throw validationProblem(errors);
}

export interface CreateOptions {
  /** The workflow id recorded with the row before the workflow starts. */
  workflowIdFor: (programmeId: string) => string;
}

export function createProgramme(options: CreateOptions) {
  return async ({ body }: { body: CreateProgramme }, ctx: HandlerContext): Promise<Reply> => {
    const config = withDefaults(body.config);
    const programmeId = ctx.newId();
    const createdAt = new Date().toISOString();
    const record = { programmeId, organisation: body.organisation, name: body.name, config };
    // The row goes first so that an id clash fails before a workflow exists.
    await ctx.store.insertProgramme({ ...record, workflowId: options.workflowIdFor(programmeId), createdAt });
    let workflowId: string;
    try {
      ({ workflowId } = await ctx.gateway.start(record));
    } catch (err) {
      // A row without a workflow would be a programme nobody can advance.
      await ctx.store.deleteProgramme(programmeId).catch((cleanup: unknown) => {
        ctx.log.error(
          { err: cleanup, programmeId },
          'could not delete the row of a programme whose workflow did not start',
        );
      });
      throw err;
    }
    const created: z.input<typeof ProgrammeCreated> = {
      id: programmeId,
      workflowId,
      organisation: record.organisation,
      name: record.name,
      config,
      createdAt,
    };
    return { status: 201, body: created, location: programmePath(programmeId) };
  };
}

export async function listProgrammes(
  { query }: { query: ProgrammeFilter },
  ctx: HandlerContext,
): Promise<Reply> {
  const page = await ctx.store.listProgrammes(query);
  const body: z.input<typeof ProgrammePage> = {
    items: page.items.map(toSummary),
    total: page.total,
    limit: query.limit,
    offset: query.offset,
  };
  return ok(body);
}

async function liveState(ctx: HandlerContext, programmeId: string): Promise<LiveProgramme | undefined> {
  try {
    return await ctx.gateway.view(programmeId);
  } catch (err) {
    // The stored state is still worth showing when the workflow is gone or Temporal is down.
    if (err instanceof NotFoundError || err instanceof DependencyError) {
      ctx.log.warn({ err, programmeId }, 'live programme state unavailable; answering from the store');
      return undefined;
    }
    throw err;
  }
}

/** Whether the workflows are stuck; unknown (null) when Temporal cannot say. */
async function workflowProblem(
  ctx: HandlerContext,
  programmeId: string,
): Promise<WorkflowProblem | undefined> {
  try {
    const problem = await ctx.gateway.problem(programmeId);
    if (problem) ctx.log.error({ programmeId, problem }, 'programme workflow cannot make progress');
    return problem;
  } catch (err) {
    ctx.log.warn({ err, programmeId }, 'could not tell whether the programme workflow is failing');
    return undefined;
  }
}

/** Open roadmap tasks past their deadline: the status shows them beside the gates. */
function overdueTasks(
  rows: readonly IdentifiedRow[],
  now: number,
): z.input<typeof ProgrammeDetail>['overdueTasks'] {
  return rows.flatMap((row) => {
    const t: Partial<RoadmapTask> = row;
    if (t.status !== 'open' || !t.deadline || !(Date.parse(t.deadline) < now)) return [];
    return [
      {
        id: row.id,
        requirementId: t.requirementId ?? '',
        title: t.title ?? '',
        owner: t.owner ?? '',
        deadline: t.deadline,
      },
    ];
  });
}

/**
 * The running cycle's work, computed from the facts the workflows keep (every live
 * nonconformity, the audit programme's coverage…); null before the programme has any.
 */
export async function currentProgrammeWork(
  store: ProgrammeStore,
  programmeId: string,
  now: number,
): Promise<ProgrammeWork | null> {
  let page = await store.loadFacts(programmeId);
  const scalars = page.scalars;
  if (!scalars) return null;
  const entries: FactEntry[] = [...page.entries];
  while (page.next) {
    page = await store.loadFacts(programmeId, undefined, page.next);
    entries.push(...page.entries);
  }
  const facts = assembleFacts(scalars, entries);
  const plan = facts.auditProgramme?.cycle === facts.cycle ? facts.auditProgramme : undefined;
  const stored =
    plan && (await store.getArtefact(programmeId, 'auditProgramme', `c${facts.cycle}`, plan.version));
  const titles = new Map(
    ((stored as { body?: AuditProgrammeBody } | null | undefined)?.body?.audits ?? []).map((a) => [
      a.id,
      a.title,
    ]),
  );
  return programmeWork(facts, now, titles);
}

export async function getProgramme({ params }: IdParams, ctx: HandlerContext): Promise<Reply> {
  const row = await requireProgramme(ctx.store, params.id);
  const [problem, live, tasks, work, certificates] = await Promise.all([
    workflowProblem(ctx, params.id),
    liveState(ctx, params.id),
    ctx.store.listTasks(params.id),
    currentProgrammeWork(ctx.store, params.id, Date.now()),
    ctx.store.listCertificates(params.id),
  ]);
  const stored = toSummary(row);
  const stage = live?.currentStage;
  const body: z.input<typeof ProgrammeDetail> = {
    ...stored,
    config: row.config ?? null,
    ...(live && {
      status: live.status,
      cycle: live.cycle,
      step: live.step,
      stage: live.stage,
      overdue: stage?.overdue ?? live.overdue,
      nextDueAt: live.nextDueAt ?? null,
    }),
    certificate: certificateOf(live?.certificate ?? stage?.certificate, certificates),
    stepKey: live?.stepKey ?? null,
    live: live !== undefined,
    accepts: stage?.accepts ?? [],
    unmetGates: stage?.unmetGates ?? [],
    pendingApprovals: stage?.pendingApprovals ?? [],
    nextDeadline: stage?.nextDeadline ?? null,
    programmeWork: work,
    problem: problem ?? null,
    overdueTasks: overdueTasks(tasks, Date.now()),
  };
  return ok(body);
}

/** The live certificate with what its record adds (the scope it certifies). */
function certificateOf(
  live: LiveProgramme['certificate'],
  records: readonly z.input<typeof ProgrammeDetail>['certificate'][],
): z.input<typeof ProgrammeDetail>['certificate'] {
  if (!live) return null;
  const { scopeVersion: _version, ...certificate } = live;
  const record = records.find((c) => c?.number === live.number);
  return { ...(record ?? {}), ...certificate };
}

/** Handler for a programme's sub-collection, answered as { items }. */
export function listOf<Q>(
  read: (store: ProgrammeStore, programmeId: string, query: Q) => Promise<readonly object[]>,
) {
  return async ({ params, query }: IdParams & { query: Q }, ctx: HandlerContext): Promise<Reply> => {
    await requireProgramme(ctx.store, params.id);
    return ok({ items: await read(ctx.store, params.id, query) });
  };
}

/** Handler for one record of a sub-collection the store only lists. */
export function oneOf<P extends { id: string }>(
  noun: string,
  read: (store: ProgrammeStore, programmeId: string) => Promise<IdentifiedRow[]>,
  recordId: (params: P) => string,
) {
  return async ({ params }: { params: P }, ctx: HandlerContext): Promise<Reply> => {
    await requireProgramme(ctx.store, params.id);
    const wanted = recordId(params);
    const found = (await read(ctx.store, params.id)).find((r) => r.id === wanted);
    if (!found) throw new HttpProblem('not-found', `Programme ${params.id} has no ${noun} ${wanted}.`);
    return ok(found);
  };
}

/** Stores may keep every version; the collection shows the latest of each (kind, key). */
export function latestVersions<T extends ArtefactInStore>(rows: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) {
    const id = JSON.stringify([row.kind, row.key]);
    const current = latest.get(id);
    if (!current || row.version > current.version) latest.set(id, row);
  }
  return [...latest.values()];
}

export async function listArtefacts({ params }: IdParams, ctx: HandlerContext): Promise<Reply> {
  await requireProgramme(ctx.store, params.id);
  return ok({ items: latestVersions(await ctx.store.listArtefacts(params.id)) });
}

export async function getArtefacts(
  { params, query }: { params: { id: string; kind: string }; query: { key?: string; version?: number } },
  ctx: HandlerContext,
): Promise<Reply> {
  await requireProgramme(ctx.store, params.id);
  if (query.key === undefined && query.version === undefined) {
    return ok({ items: latestVersions(await ctx.store.listArtefacts(params.id, params.kind)) });
  }
  const key = query.key ?? '';
  const artefact = await ctx.store.getArtefact(params.id, params.kind, key, query.version);
  if (!artefact) {
    const which = `${params.kind}${key ? ` ${key}` : ''}${query.version === undefined ? '' : ` version ${query.version}`}`;
    throw new HttpProblem('not-found', `Programme ${params.id} has no artefact ${which}.`);
  }
  return ok(artefact);
}

/** An accepted input as the API answers it: the findings an audit raised are listed by id. */
export type InputResult = Omit<InputAccepted, 'findings'> & { findingIds?: string[] };

export function inputResult(accepted: InputAccepted): InputResult {
  const { findings, ...rest } = accepted;
  if (!findings || findings.to < findings.from) return rest;
  const findingIds: string[] = [];
  for (let n = findings.from; n <= findings.to; n++) findingIds.push(`F-${n}`);
  return { ...rest, findingIds };
}

/**
 * Takes an input to the running stage: its body is stored first, and the stage gets the
 * input's facts with a reference to it, so the Update stays small however large the body.
 */
export async function acceptInput(
  ctx: HandlerContext,
  programmeId: string,
  input: StageInput,
): Promise<{ accepted: InputAccepted; result: InputResult }> {
  const { kind, ...body } = input;
  const ref = await ctx.store.stageBody(programmeId, kind, body);
  const submission = { kind, ref, facts: inputDefinition(kind).facts(input) } as Submission;
  let accepted: InputAccepted;
  try {
    accepted = await ctx.gateway.submit(programmeId, submission, ctx.idempotencyKey);
  } catch (err) {
    // Only a rejection is final: after a timeout the stage may still take the input.
    if (err instanceof ConflictError) await discard(ctx, ref);
    throw err;
  }
  // The stage wrote the records from it before it answered.
  await discard(ctx, ref);
  return { accepted, result: inputResult(accepted) };
}

async function discard(ctx: HandlerContext, ref: Submission['ref']): Promise<void> {
  await ctx.store.discardBody(ref).catch((err: unknown) => {
    ctx.log.warn({ err, body: ref.id }, 'could not remove a stored input body; it expires in a day');
  });
}

/** A record named in a request's path (a task, a finding): how to tell whether it exists. */
export interface PathRecord<P> {
  what: string;
  id: (params: P) => string;
  find: (store: ProgrammeStore, programmeId: string, id: string) => Promise<object | null>;
}

/** Handler for a stage input route: the body (and path) become a StageInput for the stage. */
export function submitInput<P extends { id: string }, B>(
  toInput: (body: B, params: P) => StageInput,
  createdAt?: (params: P, recordId: string) => string,
  about?: PathRecord<P>,
) {
  return async ({ params, body }: { params: P; body: B }, ctx: HandlerContext): Promise<Reply> => {
    const input = toInput(body, params);
    await requireProgramme(ctx.store, params.id);
    if (about) {
      const id = about.id(params);
      if (!(await about.find(ctx.store, params.id, id)))
        throw new NotFoundError(`No ${about.what} ${id} in this programme.`);
    }
    const { accepted, result } = await acceptInput(ctx, params.id, input);
    ctx.onInputAccepted?.(params.id, input, accepted);
    if (!createdAt) return ok(result);
    const location = result.recordId === undefined ? undefined : createdAt(params, result.recordId);
    return { status: 201, body: result, location };
  };
}

export async function decide(
  { params, body }: IdParams & { body: DecisionBody },
  ctx: HandlerContext,
): Promise<Reply> {
  await requireProgramme(ctx.store, params.id);
  if (!KNOWN_GATES.has(body.gate))
    throw new HttpProblem(
      'not-found',
      `No approval gate ${body.gate}; the gates are ${[...KNOWN_GATES].join(', ')}.`,
      {
        errors: [{ pointer: '/body/gate', detail: 'unknown approval gate' }],
      },
    );
  const onBehalf = body.onBehalfOf !== undefined;
  if (onBehalf && !ctx.actor.recordsForOthers)
    throw new HttpProblem(
      'forbidden',
      "Recording a decision on an approver's behalf needs a key that may record decisions for others (created with recordsForOthers).",
      { errors: [{ pointer: '/body/onBehalfOf', detail: 'this key may not record decisions for others' }] },
    );
  if (!onBehalf && !(ctx.actor.holder && sameEmail(ctx.actor.holder, body.approver)))
    throw new HttpProblem(
      'forbidden',
      `This key may record only its holder's own decision (${ctx.actor.holder ? `it is held by ${ctx.actor.holder}` : 'it names no holder'}). The approver decides by the e-mailed link; a decision made elsewhere is recorded with onBehalfOf and its evidence.`,
      { errors: [{ pointer: '/body/approver', detail: 'not the holder of this key' }] },
    );
  const accepted = await ctx.gateway.decide(
    params.id,
    { ...body, recordedBy: ctx.actor.id },
    ctx.idempotencyKey,
  );
  return {
    ...ok(accepted),
    // The trail tells a decision recorded for someone else from one made by the approver.
    ...(onBehalf && { audit: { action: 'approval.recorded-on-behalf', subject: body.gate } }),
  };
}

export async function withdraw(
  { params, body }: IdParams & { body: WithdrawalBody },
  ctx: HandlerContext,
): Promise<Reply> {
  await requireProgramme(ctx.store, params.id);
  await ctx.gateway.withdraw(params.id, body.reason);
  const location = programmePath(params.id);
  const accepted: z.input<typeof Accepted> = { accepted: true, location };
  return { status: 202, body: accepted, location };
}

export function health(): Promise<Reply> {
  return Promise.resolve(ok({ status: 'ok' }));
}

export async function readiness(_request: unknown, ctx: HandlerContext): Promise<Reply> {
  const [temporal, database] = await Promise.allSettled([
    withTimeout(ctx.gateway.ping(), ctx.readyTimeoutMs),
    withTimeout(ctx.store.ping(), ctx.readyTimeoutMs),
  ]);
  const outcomes = { temporal, database };
  const failed = Object.entries(outcomes).flatMap(([dependency, outcome]) => {
    if (outcome.status === 'fulfilled') return [];
    const err: unknown = outcome.reason;
    ctx.log.warn({ err, dependency }, 'readiness check failed');
    return [dependency];
  });
  if (failed.length === 0) {
    const body: z.input<typeof Readiness> = { temporal: 'ok', database: 'ok' };
    return ok(body);
  }
  const checks = Object.fromEntries(
    Object.keys(outcomes).map((d) => [d, failed.includes(d) ? 'unavailable' : 'ok']),
  );
  throw new HttpProblem('dependency-unavailable', `Not ready: ${failed.join(' and ')} unavailable.`, {
    extensions: { checks },
    headers: { 'Retry-After': '5' },
  });
}
