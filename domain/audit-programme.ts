/**
 * The internal audit programme (ISO/IEC 42001 clause 9.2.2): a plan of audits over the
 * three-year certification cycle that together examine every clause 4-10 and every applicable
 * Annex A control, each audit with its scope, its auditor and the auditor's independence, and
 * its planned and actual dates. Pure: the stage workflow (over its facts) and the API (over the
 * stored records) compute the same status.
 *
 * The rules, in our words:
 * - An auditor must not audit their own work (independence.ts).
 * - The plan must cover the whole audit universe (clauses plus applicable controls) in the cycle.
 * - Before the first certification audit (the internal audit step of cycle 1) every requirement
 *   of the universe must have been audited at least once: stage 1 looks for a complete audit.
 * - In surveillance and recertification steps the audits the plan makes due by then must have
 *   been held; at recertification the whole universe must have been audited in the cycle.
 */
import { CLAUSES, CONTROLS } from './catalogue/iso42001';
import type { ProgrammeFacts } from './facts';
import { cycleOfStepKey, list } from './queries';
import type { StepId } from './vocabulary';

export type PlannedAuditState = 'planned' | 'overdue' | 'held';

/** A planned audit as the status needs it; the stored plan adds its title. */
export interface PlannedAuditLike {
  id: string;
  title?: string;
  scope: string[];
  auditor: string;
  plannedOn: string;
}

/** An audit held, as the status needs it. */
export interface HeldAuditLike {
  id: string;
  audit: string;
  stepKey: string;
  planId?: string;
  scope?: string[];
  firstDay: string;
  lastDay: string;
}

export interface PlannedAuditStatus {
  id: string;
  title: string;
  scope: string[];
  auditor: string;
  plannedOn: string;
  status: PlannedAuditState;
  /** The audit record that held it, with its actual dates. */
  auditId?: string;
  firstDay?: string;
  lastDay?: string;
}

/** What status and reports show about the programme of the current cycle. */
export interface AuditProgrammeStatus {
  cycle: number;
  planned: boolean;
  planVersion?: number;
  /** Clauses 4-10 plus the applicable Annex A controls. */
  universe: number;
  audited: number;
  /** audited / universe, 0..1: the "audit programme completion" KPI. */
  coverage: number;
  notYetAudited: string[];
  /** Requirements of the universe that no planned audit covers. */
  notPlanned: string[];
  audits: PlannedAuditStatus[];
}

export interface AuditProgrammeSources {
  cycle: number;
  plan?: { version: number; audits: readonly PlannedAuditLike[] };
  /** Every audit known (those of other cycles are left out here). */
  audits: readonly HeldAuditLike[];
  findings: readonly { auditId: string; requirementId: string }[];
  /** Annex A controls the SoA marks not applicable. */
  notApplicable: readonly string[];
}

/** Clauses 4-10 and the Annex A controls the SoA holds applicable (all of them before an SoA). */
export function auditUniverse(notApplicable: readonly string[]): string[] {
  const excluded = new Set(notApplicable);
  return [...CLAUSES.map((c) => c.id), ...CONTROLS.filter((c) => !excluded.has(c.id)).map((c) => c.id)];
}

/**
 * Requirements the given internal audits examined: their declared scope, or for an audit
 * recorded without one, the requirements its findings name.
 */
export function examinedRequirements(
  audits: readonly Pick<HeldAuditLike, 'id' | 'scope'>[],
  findings: readonly { auditId: string; requirementId: string }[],
): Set<string> {
  const examined = new Set<string>();
  for (const a of audits) {
    if (a.scope && a.scope.length > 0) for (const id of a.scope) examined.add(id);
    else for (const f of findings) if (f.auditId === a.id) examined.add(f.requirementId);
  }
  return examined;
}

export function auditProgrammeStatus(s: AuditProgrammeSources, now: number): AuditProgrammeStatus {
  const universe = auditUniverse(s.notApplicable);
  const audits = s.audits.filter((a) => a.audit === 'internal' && cycleOfStepKey(a.stepKey) === s.cycle);
  const examined = examinedRequirements(audits, s.findings);
  const plan = s.plan;
  const planned = new Set((plan?.audits ?? []).flatMap((a) => a.scope));
  const audited = universe.filter((id) => examined.has(id));
  return {
    cycle: s.cycle,
    planned: plan !== undefined,
    planVersion: plan?.version,
    universe: universe.length,
    audited: audited.length,
    coverage: universe.length === 0 ? 1 : audited.length / universe.length,
    notYetAudited: universe.filter((id) => !examined.has(id)),
    notPlanned: plan ? universe.filter((id) => !planned.has(id)) : universe,
    audits: (plan?.audits ?? []).map((p) => {
      const held = audits.find((a) => a.planId === p.id);
      return {
        id: p.id,
        title: p.title ?? p.id,
        scope: p.scope,
        auditor: p.auditor,
        plannedOn: p.plannedOn,
        status: held ? 'held' : Date.parse(p.plannedOn) <= now ? 'overdue' : 'planned',
        ...(held && { auditId: held.id, firstDay: held.firstDay, lastDay: held.lastDay }),
      };
    }),
  };
}

/** The plan of the current cycle in the facts, if one was submitted in this cycle. */
export function currentPlan(f: ProgrammeFacts) {
  return f.auditProgramme && f.auditProgramme.cycle === f.cycle ? f.auditProgramme : undefined;
}

export function plannedAudit(f: ProgrammeFacts, planId: string) {
  return currentPlan(f)?.audits.find((a) => a.id === planId);
}

/** Internal audits recorded in the current cycle. */
export function cycleInternalAudits(f: ProgrammeFacts) {
  return f.audits.filter((a) => a.audit === 'internal' && cycleOfStepKey(a.stepKey) === f.cycle);
}

/** The status as the stage sees it, from its facts. */
export function factsAuditProgrammeStatus(f: ProgrammeFacts, now: number): AuditProgrammeStatus {
  const plan = currentPlan(f);
  return auditProgrammeStatus(
    {
      cycle: f.cycle,
      plan: plan && {
        version: plan.version,
        audits: plan.audits.map((a) => ({ ...a, auditor: a.auditorEmail })),
      },
      audits: f.audits,
      findings: Object.values(f.findings),
      notApplicable: f.documents.soa?.notApplicable ?? [],
    },
    now,
  );
}

/** Why the step's internal-audit gate is not met, or null. */
export function auditProgrammeGate(f: ProgrammeFacts, step: StepId, now: number): string | null {
  const s = factsAuditProgrammeStatus(f, now);
  if (!s.planned) return `no internal audit programme planned for cycle ${f.cycle}`;
  if (s.notPlanned.length > 0)
    return `the internal audit programme does not cover ${s.notPlanned.length} of ${s.universe} requirements in the cycle: ${list(s.notPlanned, 6)}`;
  const fullCoverageDue = step === 'INTERNAL_AUDIT' || step === 'RECERTIFICATION';
  if (fullCoverageDue && s.notYetAudited.length > 0) {
    const when = step === 'INTERNAL_AUDIT' ? 'before the certification audit' : 'before recertification';
    return `${s.notYetAudited.length} of ${s.universe} requirements not yet internally audited ${when}: ${list(s.notYetAudited, 6)}`;
  }
  const overdue = s.audits.filter((a) => a.status === 'overdue');
  return overdue.length === 0
    ? null
    : `planned internal audits not yet held: ${list(
        overdue.map((a) => `${a.id} (planned ${a.plannedOn.slice(0, 10)})`),
        6,
      )}`;
}

/**
 * When the next planned audit falls due (after `now`): the stage wakes then, so that status
 * and gates show it as overdue if it has not been held.
 */
export function nextPlannedAuditDue(f: ProgrammeFacts, now: number): number | undefined {
  const held = new Set(cycleInternalAudits(f).map((a) => a.planId));
  const times = (currentPlan(f)?.audits ?? [])
    .filter((a) => !held.has(a.id))
    .map((a) => Date.parse(a.plannedOn))
    .filter((t) => t > now);
  return times.length > 0 ? Math.min(...times) : undefined;
}
