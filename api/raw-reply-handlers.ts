/**
 * Handlers whose answers are not JSON, sent as raw replies: the process model as BPMN 2.0 XML,
 * each programme's live diagram (SVG, or an HTML page around it), and the Prometheus metrics
 * text. They are served by the operations routes (`/metrics`, `/process.bpmn`) and the programme
 * routes (`/programmes/{id}/diagram.svg`, `.html`).
 */
import { processBpmn } from '../domain/bpmn';
import type { StepId } from '../domain/vocabulary';
import { DependencyError } from './dependency-errors';
import { requireProgramme } from './handlers';
import { programmeHtml, programmeSvg, type DiagramState } from './process-diagram';
import { NotFoundError, type LiveProgramme } from './programme-gateway';
import type { HandlerContext, Reply } from './route';
import type { ProgrammeInStore } from './store';

/** The model only changes with a deployment: render it once. */
let bpmnDocument: string | undefined;

export function getProcessBpmn(): Promise<Reply> {
  bpmnDocument ??= processBpmn();
  return Promise.resolve({
    status: 200,
    body: undefined,
    raw: {
      contentType: 'application/xml; charset=utf-8',
      data: bpmnDocument,
      headers: { 'Content-Disposition': 'inline; filename="aimsflow-process.bpmn"' },
    },
  });
}

/** What the diagram shows: the live workflow state, or the stored status when Temporal cannot answer. */
export function diagramState(
  row: ProgrammeInStore,
  live: LiveProgramme | undefined,
  at: string,
): DiagramState {
  const stage = live?.currentStage;
  const status = live?.status ?? row.status ?? 'ACTIVE';
  return {
    programmeId: row.programmeId,
    organisation: row.organisation,
    name: row.name,
    status,
    cycle: live?.cycle ?? row.cycle ?? 1,
    currentStep:
      status === 'WITHDRAWN' ? null : ((live ? live.step : (row.step as StepId | null | undefined)) ?? null),
    overdue: stage?.overdue ?? live?.overdue ?? row.overdue ?? false,
    unmetGates: stage?.unmetGates ?? [],
    pendingApprovals: stage?.pendingApprovals ?? [],
    nextDeadline: stage?.nextDeadline,
    live: live !== undefined,
    at,
  };
}

async function liveOrNothing(ctx: HandlerContext, programmeId: string): Promise<LiveProgramme | undefined> {
  try {
    return await ctx.gateway.view(programmeId);
  } catch (err) {
    // The picture is still worth drawing from the stored status when the workflow cannot answer.
    if (err instanceof NotFoundError || err instanceof DependencyError) {
      ctx.log.warn({ err }, 'live programme state unavailable; drawing the stored state');
      return undefined;
    }
    throw err;
  }
}

export function getProgrammeDiagram(format: 'svg' | 'html') {
  return async ({ params }: { params: { id: string } }, ctx: HandlerContext): Promise<Reply> => {
    const row = await requireProgramme(ctx.store, params.id);
    const state = diagramState(row, await liveOrNothing(ctx, params.id), new Date().toISOString());
    return {
      status: 200,
      body: undefined,
      raw:
        format === 'svg'
          ? {
              contentType: 'image/svg+xml; charset=utf-8',
              data: programmeSvg(state),
              headers: { 'Cache-Control': 'no-store' },
            }
          : {
              contentType: 'text/html; charset=utf-8',
              data: programmeHtml(state),
              headers: { 'Cache-Control': 'no-store' },
            },
    };
  };
}

export async function getMetrics(_request: unknown, ctx: HandlerContext): Promise<Reply> {
  return {
    status: 200,
    body: undefined,
    raw: { contentType: ctx.metrics.contentType, data: await ctx.metrics.render() },
  };
}
