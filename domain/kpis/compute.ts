/**
 * The programme's KPIs, computed from its domain records. Pure: the activity loads the records,
 * this decides what they mean. Each KPI says what it measures, so a snapshot is self-describing.
 */
import { CLAUSES, CONTROLS } from '../catalogue/iso42001';
import type { ScopeBody, SoaEntry } from '../schemas';
import type { AuditRecord, Finding, RoadmapTask } from '../records';
import type { InventoryItem } from '../inventory/view';

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
  /** Every AI system of the inventory (scans, imports, scope), when it was loaded. */
  inventory?: readonly InventoryItem[];
  /** Approvals waiting past their due time, when known. */
  overdueApprovals?: number;
}

export interface Kpis {
  /**
   * Share of the active AI systems whose inventory record is complete: registered (imported or
   * in the scope statement), with purpose, owner and a known life-cycle stage, and, when in
   * scope, an impact assessment. A system scans found that nobody registered is incomplete.
   */
  inventoryCompleteness: number | null;
  impactAssessmentCoverage: number | null;
  soaImplementationRate: number | null;
  evidenceCoverage: number | null;
  openNonconformities: number;
  /** Nonconformities with a corrective action planned and not yet verified. */
  openCorrectiveActions?: number;
  overdueCorrectiveActions: number;
  /** Median age in days of the open nonconformities (null when there are none). */
  medianOpenNcAgeDays: number | null;
  /** Age in days of the oldest open nonconformity (null when there are none). */
  oldestOpenNcAgeDays?: number | null;
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

/** Whether an inventory record says everything the AIMS needs to know about the system. */
export function inventoryRecordComplete(item: InventoryItem, impactAssessed: ReadonlySet<string>): boolean {
  return (
    item.registered &&
    Boolean(item.purpose) &&
    Boolean(item.owner) &&
    item.lifecycleStage !== 'unknown' &&
    (!item.inScope || impactAssessed.has(item.id))
  );
}

const cycleOf = (stepKey: string): number | undefined => {
  const m = /^c(\d+)\./.exec(stepKey);
  return m ? Number(m[1]) : undefined;
};

/** The requirements an audit examined: its recorded scope, else what its findings name. */
function examined(audit: AuditRecord, findings: readonly Finding[]): string[] {
  const scope = (audit as { scope?: unknown }).scope;
  if (Array.isArray(scope) && scope.length > 0)
    return scope.filter((x): x is string => typeof x === 'string');
  return findings.filter((f) => f.auditId === audit.id).map((f) => f.requirementId);
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
  // This cycle's internal audits (records without a cycle in their step key count too).
  const internalAudits = i.audits.filter(
    (a) => a.audit === 'internal' && (cycleOf(a.stepKey) ?? i.cycle) === i.cycle,
  );
  const examinedIds = new Set(
    internalAudits.flatMap((a) => examined(a, i.findings)).filter((id) => auditUniverse.has(id)),
  );
  const activeSystems = i.inventory?.filter((s) => s.status === 'active');
  const ages = openNcs.map((f) => Math.floor((i.now - Date.parse(f.raisedAt)) / DAY));
  return {
    inventoryCompleteness: activeSystems
      ? ratio(activeSystems.filter((s) => inventoryRecordComplete(s, assessed)).length, activeSystems.length)
      : null,
    impactAssessmentCoverage: ratio(inScope.filter((s) => assessed.has(s.id)).length, inScope.length),
    soaImplementationRate: applicable
      ? ratio(applicable.filter((e) => e.implementationStatus === 'implemented').length, applicable.length)
      : null,
    evidenceCoverage: i.evidenceCoverage ?? null,
    openNonconformities: openNcs.length,
    openCorrectiveActions: openNcs.filter((f) => f.status === 'action_planned').length,
    overdueCorrectiveActions: overdueActions.length,
    medianOpenNcAgeDays: median(ages),
    oldestOpenNcAgeDays: ages.length === 0 ? null : Math.max(...ages),
    openRoadmapTasks: openTasks.length,
    overdueRoadmapTasks: openTasks.filter((t) => Date.parse(t.deadline) < i.now).length,
    auditProgrammeCompletion: examinedIds.size / auditUniverse.size,
    overdueApprovals: i.overdueApprovals ?? null,
  };
}
