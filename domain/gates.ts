/**
 * Exit gates: pure predicates over the dossier. Each returns the reason it is not met, or
 * null; the reasons are what the status API shows as "what still blocks this step".
 */
import { CLAUSES, REQUIREMENTS } from './catalogue/iso42001';
import type { GateId, StepDef } from './process-model';
import type { AuditRecord, Dossier, Finding } from './types';
import { auditProgrammeGate } from './audit-programme';

export interface StepContext {
  step: StepDef;
  stepKey: string;
  /** Workflow time in ms (Date.now() inside the sandbox). */
  now: number;
  /**
   * The certification cycle in depth (audit programme, NC follow-up, carry-over): on for stages
   * started by code with the `certification-cycle-v1` patch, off for stages recorded before.
   */
  cycleDepth?: boolean;
}

const NC_GRADES = new Set(['minor_nc', 'major_nc']);

function list(ids: string[], max = 5): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

/** The audit of `kind` that counts in this step (for stage 2: the current attempt only). */
export function currentAudit(
  d: Dossier,
  ctx: StepContext,
  kind: AuditRecord['audit'],
): AuditRecord | undefined {
  return [...d.audits]
    .reverse()
    .find(
      (a) =>
        a.stepKey === ctx.stepKey && a.audit === kind && (kind !== 'stage2' || a.attempt === d.stage2Attempt),
    );
}

/** Live nonconformities raised in this step (superseded ones no longer count). */
export function stepNonconformities(d: Dossier, ctx: StepContext): Finding[] {
  return Object.values(d.findings).filter(
    (f) => f.stepKey === ctx.stepKey && NC_GRADES.has(f.grade) && f.status !== 'superseded',
  );
}

export function openMajors(d: Dossier, ctx: StepContext): Finding[] {
  return stepNonconformities(d, ctx).filter((f) => f.grade === 'major_nc' && f.status !== 'verified');
}

export function gapRequirementIds(d: Dossier): string[] {
  return Object.values(d.assessments)
    .filter((a) => a.status === 'partially_compliant' || a.status === 'not_compliant')
    .map((a) => a.requirementId);
}

function applicableRequirement(d: Dossier, requirementId: string): boolean {
  if (CLAUSES.some((c) => c.id === requirementId)) return true;
  const row = d.soa?.body.entries.find((e) => e.controlId === requirementId);
  return row ? row.applicable : true;
}

const GATES: Record<GateId, (d: Dossier, ctx: StepContext) => string | null> = {
  scopeDefined: (d) => (d.scope ? null : 'the AIMS scope has not been submitted'),

  allRequirementsAssessed: (d) => {
    const missing = REQUIREMENTS.filter((r) => !d.assessments[r.id]).map((r) => r.id);
    return missing.length === 0
      ? null
      : `${missing.length} of ${REQUIREMENTS.length} requirements not yet assessed: ${list(missing)}`;
  },

  everyGapHasTask: (d) => {
    const planned = new Set(Object.values(d.tasks).map((t) => t.requirementId));
    const unplanned = gapRequirementIds(d).filter((id) => !planned.has(id));
    return unplanned.length === 0 ? null : `gaps without a roadmap task: ${list(unplanned)}`;
  },

  impactAssessmentsComplete: (d) => {
    const inScope = (d.scope?.body.aiSystems ?? []).filter((s) => s.inScope).map((s) => s.id);
    const missing = inScope.filter((id) => !d.impactAssessments[id]);
    return missing.length === 0 ? null : `AI systems in scope without an impact assessment: ${list(missing)}`;
  },

  applicableTasksClosed: (d) => {
    const open = Object.values(d.tasks)
      .filter((t) => t.status === 'open' && applicableRequirement(d, t.requirementId))
      .map((t) => `${t.id} (${t.requirementId})`);
    return open.length === 0
      ? null
      : `roadmap tasks still open for applicable requirements (close them or accept the risk): ${list(open)}`;
  },

  auditHeld: (d, ctx) => {
    const kinds = ctx.step.audits.filter((k) => k !== 'stage1');
    const missing = kinds.filter((k) => !currentAudit(d, ctx, k));
    if (missing.length === 0) return null;
    const attempt = missing.includes('stage2') && d.stage2Attempt > 1 ? ` (attempt ${d.stage2Attempt})` : '';
    return `audit not yet recorded: ${missing.join(', ')}${attempt}`;
  },

  // A certificate withdrawn after lapse needs only a new stage 2: stage 1 of any earlier step counts.
  stage1Held: (d) =>
    d.audits.some((a) => a.audit === 'stage1') ? null : 'the stage 1 audit has not been recorded',

  nonconformitiesHaveActions: (d, ctx) => {
    const open = stepNonconformities(d, ctx)
      .filter((f) => f.status === 'open')
      .map((f) => f.id);
    return open.length === 0 ? null : `nonconformities without a corrective action: ${list(open)}`;
  },

  noOpenMajorNc: (d, ctx) => {
    const majors = openMajors(d, ctx).map((f) => f.id);
    return majors.length === 0
      ? null
      : `major nonconformities not yet verified as corrected: ${list(majors)}`;
  },

  // Gates that stages recorded before certification-cycle-v1 never had: always met there.
  auditProgrammeOnTrack: (d, ctx) => (ctx.cycleDepth ? auditProgrammeGate(d, ctx.step.id, ctx.now) : null),

  certificateGranted: (d, ctx) =>
    d.certificate && d.certificate.decisionStepKey === ctx.stepKey && d.certificate.status === 'ACTIVE'
      ? null
      : 'no positive certification decision recorded in this step',
};

export function evaluateGate(gate: GateId, d: Dossier, ctx: StepContext): string | null {
  return GATES[gate](d, ctx);
}
