/**
 * The internal audit programme (ISO/IEC 42001 clause 9.2.2): a plan of audits over the
 * three-year certification cycle that together examine every clause 4-10 and every applicable
 * Annex A control, each audit with its scope, its auditor and the auditor's independence, and
 * its planned and actual dates. Pure: the stage workflow, the API and the KPIs share it.
 *
 * The rules, in our words:
 * - An auditor must not audit their own work: the requirements an auditor is responsible for
 *   may not overlap the audit's scope. Such an audit (or plan) is refused with the overlap.
 * - The plan must cover the whole audit universe (clauses plus applicable controls) in the cycle.
 * - Before the first certification audit (the internal audit step of cycle 1) every requirement
 *   of the universe must have been audited at least once: stage 1 looks for a complete audit.
 * - In surveillance and recertification steps the audits the plan makes due by then must have
 *   been held; at recertification the whole universe must have been audited in the cycle.
 */
import { CLAUSES, CONTROLS } from './catalogue/iso42001';
import type { AuditProgrammeBody, PlannedAudit } from './schemas';
import type { AuditRecord, Dossier, StepId } from './types';

/** The plan of one cycle as the dossier holds it. */
export interface AuditProgramme {
  cycle: number;
  version: number;
  submittedAt: string;
  body: AuditProgrammeBody;
}

export type PlannedAuditState = 'planned' | 'overdue' | 'held';

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

/** Requirement ids both in the audit scope and among the auditor's responsibilities. */
export function independenceConflict(scope: readonly string[], responsibleFor: readonly string[]): string[] {
  const own = new Set(responsibleFor);
  return [...new Set(scope.filter((id) => own.has(id)))];
}

export function independenceRejection(
  auditor: string,
  scope: readonly string[],
  responsibleFor: readonly string[],
): string | null {
  const conflict = independenceConflict(scope, responsibleFor);
  return conflict.length === 0
    ? null
    : `${auditor} is not independent of this audit: they are responsible for ${conflict.join(', ')}, which it covers (an auditor must not audit their own work)`;
}

/** Clauses 4-10 and the Annex A controls the SoA holds applicable (all of them before an SoA). */
export function auditUniverse(d: Pick<Dossier, 'soa'>): string[] {
  const applicable = d.soa
    ? CONTROLS.filter((c) => d.soa?.body.entries.find((e) => e.controlId === c.id)?.applicable ?? true)
    : CONTROLS;
  return [...CLAUSES.map((c) => c.id), ...applicable.map((c) => c.id)];
}

/** The cycle a step key belongs to (`c2.SURVEILLANCE_1.1` is cycle 2). */
export function cycleOfStepKey(stepKey: string): number {
  const m = /^c(\d+)\./.exec(stepKey);
  return m ? Number(m[1]) : 0;
}

/** Internal audits recorded in the current cycle. */
export function cycleInternalAudits(d: Pick<Dossier, 'audits' | 'cycle'>): AuditRecord[] {
  return d.audits.filter((a) => a.audit === 'internal' && cycleOfStepKey(a.stepKey) === d.cycle);
}

/**
 * Requirements the given internal audits examined: their declared scope, or for an audit
 * recorded without one, the requirements its findings name.
 */
export function examinedRequirements(
  audits: readonly AuditRecord[],
  findings: readonly { auditId: string; requirementId: string }[],
): Set<string> {
  const examined = new Set<string>();
  for (const a of audits) {
    if (a.scope && a.scope.length > 0) for (const id of a.scope) examined.add(id);
    else for (const f of findings) if (f.auditId === a.id) examined.add(f.requirementId);
  }
  return examined;
}

export function currentPlan(d: Dossier): AuditProgramme | undefined {
  return d.auditProgramme && d.auditProgramme.cycle === d.cycle ? d.auditProgramme : undefined;
}

export function plannedAudit(d: Dossier, planId: string): PlannedAudit | undefined {
  return currentPlan(d)?.body.audits.find((a) => a.id === planId);
}

export function auditProgrammeStatus(d: Dossier, now: number): AuditProgrammeStatus {
  const universe = auditUniverse(d);
  const audits = cycleInternalAudits(d);
  const examined = examinedRequirements(audits, Object.values(d.findings));
  const plan = currentPlan(d);
  const planned = new Set((plan?.body.audits ?? []).flatMap((a) => a.scope));
  const audited = universe.filter((id) => examined.has(id));
  return {
    cycle: d.cycle,
    planned: plan !== undefined,
    planVersion: plan?.version,
    universe: universe.length,
    audited: audited.length,
    coverage: universe.length === 0 ? 1 : audited.length / universe.length,
    notYetAudited: universe.filter((id) => !examined.has(id)),
    notPlanned: plan ? universe.filter((id) => !planned.has(id)) : universe,
    audits: (plan?.body.audits ?? []).map((p) => {
      const held = audits.find((a) => a.planId === p.id);
      return {
        id: p.id,
        title: p.title,
        scope: p.scope,
        auditor: p.auditor.email,
        plannedOn: p.plannedOn,
        status: held ? 'held' : Date.parse(p.plannedOn) <= now ? 'overdue' : 'planned',
        ...(held && { auditId: held.id, firstDay: held.firstDay, lastDay: held.lastDay }),
      };
    }),
  };
}

function list(ids: string[], max = 6): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

/** Why the step's internal-audit gate is not met, or null. */
export function auditProgrammeGate(d: Dossier, step: StepId, now: number): string | null {
  const s = auditProgrammeStatus(d, now);
  if (!s.planned) return `no internal audit programme planned for cycle ${d.cycle}`;
  if (s.notPlanned.length > 0)
    return `the internal audit programme does not cover ${s.notPlanned.length} of ${s.universe} requirements in the cycle: ${list(s.notPlanned)}`;
  const fullCoverageDue = step === 'INTERNAL_AUDIT' || step === 'RECERTIFICATION';
  if (fullCoverageDue && s.notYetAudited.length > 0) {
    const when = step === 'INTERNAL_AUDIT' ? 'before the certification audit' : 'before recertification';
    return `${s.notYetAudited.length} of ${s.universe} requirements not yet internally audited ${when}: ${list(s.notYetAudited)}`;
  }
  const overdue = s.audits.filter((a) => a.status === 'overdue');
  return overdue.length === 0
    ? null
    : `planned internal audits not yet held: ${list(overdue.map((a) => `${a.id} (planned ${a.plannedOn.slice(0, 10)})`))}`;
}

/**
 * When the next planned audit falls due (after `now`): the stage wakes then, so that status
 * and gates show it as overdue if it has not been held.
 */
export function nextPlannedAuditDue(d: Dossier, now: number): number | undefined {
  const held = new Set(cycleInternalAudits(d).map((a) => a.planId));
  const times = (currentPlan(d)?.body.audits ?? [])
    .filter((a) => !held.has(a.id))
    .map((a) => Date.parse(a.plannedOn))
    .filter((t) => t > now);
  return times.length > 0 ? Math.min(...times) : undefined;
}
