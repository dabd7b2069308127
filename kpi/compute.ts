/**
 * The programme's KPIs, computed from its domain records. Pure: the activity loads the records,
 * this decides what they mean. Each KPI says what it measures, so a snapshot is self-describing.
 */
import { CLAUSES, CONTROLS } from '../catalogue/iso42001';
import type { ScopeBody, SoaEntry } from '../domain/schemas';
import type { AuditRecord, Finding, RoadmapTask } from '../domain/types';

export interface KpiInputs {
  now: number;
  cycle: number;
  scope?: ScopeBody;
  soa?: SoaEntry[];
  /** AI systems that have an impact assessment. */
  impactAssessedSystemIds: string[];
  tasks: RoadmapTask[];
  findings: Finding[];
  audits: AuditRecord[];
  /** Evidence coverage ratio (0..1) from the evidence register, when known. */
  evidenceCoverage?: number;
  /** AI systems found by inventory scans, when any scan ran. */
  discoveredAiSystems?: number;
  /** Approvals waiting past their due time, when known. */
  overdueApprovals?: number;
}

export interface Kpis {
  inventoryCompleteness: number | null;
  impactAssessmentCoverage: number | null;
  soaImplementationRate: number | null;
  evidenceCoverage: number | null;
  openNonconformities: number;
  overdueCorrectiveActions: number;
  /** Median age in days of the open nonconformities (null when there are none). */
  medianOpenNcAgeDays: number | null;
  openRoadmapTasks: number;
  overdueRoadmapTasks: number;
  /** Share of clauses and applicable controls that an internal audit examined this cycle. */
  auditProgrammeCompletion: number;
  overdueApprovals: number | null;
}

const DAY = 86_400_000;
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function computeKpis(i: KpiInputs): Kpis {
  const inScope = (i.scope?.aiSystems ?? []).filter((s) => s.inScope);
  const assessed = new Set(i.impactAssessedSystemIds);
  const applicable = i.soa ? i.soa.filter((e) => e.applicable) : undefined;
  const openNcs = i.findings.filter(
    (f) =>
      (f.grade === 'minor_nc' || f.grade === 'major_nc') &&
      (f.status === 'open' || f.status === 'action_planned'),
  );
  const overdueActions = openNcs.filter(
    (f) => f.status === 'action_planned' && f.correctiveAction && Date.parse(f.correctiveAction.due) < i.now,
  );
  const openTasks = i.tasks.filter((t) => t.status === 'open');
  const applicableIds = applicable ? applicable.map((e) => e.controlId) : CONTROLS.map((c) => c.id);
  const auditUniverse = new Set([...CLAUSES.map((c) => c.id), ...applicableIds]);
  const internalAuditIds = new Set(i.audits.filter((a) => a.audit === 'internal').map((a) => a.id));
  const examined = new Set(
    i.findings
      .filter((f) => internalAuditIds.has(f.auditId) && auditUniverse.has(f.requirementId))
      .map((f) => f.requirementId),
  );
  return {
    inventoryCompleteness:
      i.discoveredAiSystems === undefined
        ? null
        : ratio(
            (i.scope?.aiSystems ?? []).length,
            Math.max(i.discoveredAiSystems, (i.scope?.aiSystems ?? []).length),
          ),
    impactAssessmentCoverage: ratio(inScope.filter((s) => assessed.has(s.id)).length, inScope.length),
    soaImplementationRate: applicable
      ? ratio(applicable.filter((e) => e.implementationStatus === 'implemented').length, applicable.length)
      : null,
    evidenceCoverage: i.evidenceCoverage ?? null,
    openNonconformities: openNcs.length,
    overdueCorrectiveActions: overdueActions.length,
    medianOpenNcAgeDays: median(openNcs.map((f) => Math.floor((i.now - Date.parse(f.raisedAt)) / DAY))),
    openRoadmapTasks: openTasks.length,
    overdueRoadmapTasks: openTasks.filter((t) => Date.parse(t.deadline) < i.now).length,
    auditProgrammeCompletion: examined.size / auditUniverse.size,
    overdueApprovals: i.overdueApprovals ?? null,
  };
}
