/**
 * What an operator sees of a programme in Temporal visibility: filtering on the programme's id
 * lists the programme workflow with its children (the step running, the KPI clock, a report
 * generated for an approval), and each child has a summary naming the organisation and what it
 * does, instead of rows that all read "stageWorkflow". Real dev server, real worker and API.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import {
  AimsCertificateStatus,
  AimsCycle,
  AimsOrganisation,
  AimsProgrammeId,
  AimsStage,
  AimsStep,
} from '../../domain/search-attributes';
import { testDatabases } from '../support/databases';
import { http, HttpJourneyPort, runToRoadmapRequest } from '../support/http-port';
import { eventually } from '../support/processes';
import { useStack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const temporal = useLocalTemporal();

// Visibility is the same on either database: one is enough.
describe.each(testDatabases().slice(0, 1))('on $name', (db) => {
  const stack = useStack(temporal, db, 'children');

  /** The rows a visibility query lists, by workflow id. */
  async function listed(query: string): Promise<Map<string, WorkflowExecutionInfo>> {
    const rows = new Map<string, WorkflowExecutionInfo>();
    for await (const wf of stack.client().workflow.list({ query })) rows.set(wf.workflowId, wf);
    return rows;
  }

  /** Polls (bounded) until the query lists every one of `ids`: visibility lags the starts. */
  function listedOnceIndexed(query: string, ids: string[]): Promise<Map<string, WorkflowExecutionInfo>> {
    return eventually(
      `${ids.join(', ')} listed by ${query}`,
      async () => {
        const rows = await listed(query);
        if (ids.every((id) => rows.has(id))) return rows;
        // Thrown rather than returned, so a timeout says what was listed.
        throw new Error(`listed only [${[...rows.keys()].join(', ')}]`);
      },
      30_000,
    );
  }

  let programmeId: string;
  let workflowId: string;
  let programme: HttpJourneyPort;

  test("filtering on the programme's id lists the programme and its children, each with a summary", async () => {
    const created = await http(
      stack.baseUrl(),
      'POST',
      '/programmes',
      { organisation: 'Acme Ltd', name: 'AIMS 2026', config: { approvalSettle: 'PT0S' } },
      stack.authHeader(),
    );
    expect(created.status).toBe(201);
    ({ id: programmeId, workflowId } = created.body as { id: string; workflowId: string });
    programme = new HttpJourneyPort(() => stack.baseUrl(), programmeId, stack.authHeader());
    await programme.waitForStep('SCOPING');

    const scopingId = `${workflowId}/c1.SCOPING.1`;
    const kpisId = `${workflowId}/kpis`;
    const rows = await listedOnceIndexed(`${AimsProgrammeId.name} = "${programmeId}"`, [
      workflowId,
      scopingId,
      kpisId,
    ]);
    expect([...rows.keys()].sort()).toEqual([workflowId, kpisId, scopingId].sort());

    const stage = rows.get(scopingId)?.typedSearchAttributes;
    expect(stage?.get(AimsProgrammeId)).toBe(programmeId);
    expect(stage?.get(AimsOrganisation)).toBe('Acme Ltd');
    expect(stage?.get(AimsCycle)).toBe(1);
    expect(stage?.get(AimsStage)).toBe('SCOPING');
    expect(stage?.get(AimsStep)).toBe('SCOPING');
    // What changes over the programme's life stays on the programme: one row per programme.
    expect(stage?.get(AimsCertificateStatus)).toBeUndefined();

    const kpis = rows.get(kpisId)?.typedSearchAttributes;
    expect(kpis?.get(AimsProgrammeId)).toBe(programmeId);
    expect(kpis?.get(AimsOrganisation)).toBe('Acme Ltd');
    expect(kpis?.get(AimsStage)).toBeUndefined();

    const client = stack.client();
    const scoping = await client.workflow.getHandle(scopingId).describe();
    expect(scoping.type).toBe('stageWorkflow');
    expect(await scoping.staticSummary()).toBe(
      'Acme Ltd · AIMS 2026 · cycle 1 · Scoping and executive alignment',
    );
    expect(await (await client.workflow.getHandle(kpisId).describe()).staticSummary()).toBe(
      'Acme Ltd · AIMS 2026 · KPI snapshots',
    );

    // The organisation's filter plus the workflow type gives the programmes alone.
    const only = await listed(
      `${AimsOrganisation.name} = "Acme Ltd" AND ${AimsProgrammeId.name} = "${programmeId}" AND WorkflowType = "programmeWorkflow"`,
    );
    expect([...only.keys()]).toEqual([workflowId]);
  });

  test('the next step and the report its approval request asks for are listed under the programme too', async () => {
    await runToRoadmapRequest(programme);

    const gapId = `${workflowId}/c1.GAP_ANALYSIS.1`;
    const stepRows = await listedOnceIndexed(
      `${AimsProgrammeId.name} = "${programmeId}" AND ${AimsStep.name} = "GAP_ANALYSIS"`,
      [workflowId, gapId],
    );
    // The programme has moved on to the same step, so it is listed beside its child (and the
    // finished scoping step is not).
    expect([...stepRows.keys()].sort()).toEqual([workflowId, gapId].sort());
    expect(await (await stack.client().workflow.getHandle(gapId).describe()).staticSummary()).toBe(
      'Acme Ltd · AIMS 2026 · cycle 1 · Gap analysis and roadmap',
    );

    const reports = await eventually(
      'the roadmap report listed under the programme',
      async () => {
        const rows = await listed(
          `${AimsProgrammeId.name} = "${programmeId}" AND WorkflowType = "reportWorkflow"`,
        );
        return rows.size > 0 ? rows : undefined;
      },
      30_000,
    );
    const [reportId, report] = [...reports][0];
    expect(reportId).toMatch(new RegExp(`^${workflowId}/report/gap-analysis/-/roadmap-v\\d+$`));
    expect(report.typedSearchAttributes.get(AimsOrganisation)).toBe('Acme Ltd');
    const version = /-v(\d+)$/.exec(reportId)?.[1];
    expect(await (await stack.client().workflow.getHandle(reportId).describe()).staticSummary()).toBe(
      `Acme Ltd · Gap analysis and roadmap report · v${version} for approval`,
    );
  });
});
