/**
 * Exit gates: pure predicates over the facts. Each returns the reason it is not met, or null;
 * the reasons are what the status API shows as "what still blocks this step". A reason names
 * at most a handful of records and counts the rest, so it stays short for any programme size.
 */
import { REQUIREMENTS } from './catalogue/iso42001';
import { auditProgrammeGate } from './audit-programme';
import type { ProgrammeFacts } from './facts';
import {
  applicableRequirement,
  currentAudit,
  gapRequirementIds,
  inScopeSystemIds,
  list,
  openMajors,
  stepNonconformities,
  type StepContext,
} from './queries';
import type { GateId } from './vocabulary';

export type { StepContext } from './queries';

type Gate = (f: ProgrammeFacts, ctx: StepContext) => string | null;

const GATES: Record<GateId, Gate> = {
  scopeDefined: (f) => (f.documents.scope ? null : 'the AIMS scope has not been submitted'),

  allRequirementsAssessed: (f) => {
    const missing = REQUIREMENTS.filter((r) => !f.assessments[r.id]).map((r) => r.id);
    return missing.length === 0
      ? null
      : `${missing.length} of ${REQUIREMENTS.length} requirements not yet assessed: ${list(missing)}`;
  },

  everyGapHasTask: (f) => {
    const planned = new Set(Object.values(f.tasks).map((t) => t.requirementId));
    const unplanned = gapRequirementIds(f).filter((id) => !planned.has(id));
    return unplanned.length === 0 ? null : `gaps without a roadmap task: ${list(unplanned)}`;
  },

  impactAssessmentsComplete: (f) => {
    const missing = inScopeSystemIds(f).filter((id) => !f.impactAssessments[id]);
    return missing.length === 0 ? null : `AI systems in scope without an impact assessment: ${list(missing)}`;
  },

  applicableTasksClosed: (f) => {
    const open = Object.values(f.tasks)
      .filter((t) => t.status === 'open' && applicableRequirement(f, t.requirementId))
      .map((t) => `${t.id} (${t.requirementId})`);
    return open.length === 0
      ? null
      : `roadmap tasks still open for applicable requirements (close them or accept the risk): ${list(open)}`;
  },

  auditHeld: (f, ctx) => {
    const kinds = ctx.step.audits.filter((k) => k !== 'stage1');
    const missing = kinds.filter((k) => !currentAudit(f, ctx, k));
    if (missing.length === 0) return null;
    const attempt = missing.includes('stage2') && f.stage2Attempt > 1 ? ` (attempt ${f.stage2Attempt})` : '';
    return `audit not yet recorded: ${missing.join(', ')}${attempt}`;
  },

  // A certificate withdrawn after lapse needs only a new stage 2: stage 1 of any earlier step counts.
  stage1Held: (f) =>
    f.audits.some((a) => a.audit === 'stage1') ? null : 'the stage 1 audit has not been recorded',

  nonconformitiesHaveActions: (f, ctx) => {
    const open = stepNonconformities(f, ctx)
      .filter((x) => x.status === 'open')
      .map((x) => x.id);
    return open.length === 0 ? null : `nonconformities without a corrective action: ${list(open)}`;
  },

  noOpenMajorNc: (f, ctx) => {
    const majors = openMajors(f, ctx).map((x) => x.id);
    return majors.length === 0
      ? null
      : `major nonconformities not yet verified as corrected: ${list(majors)}`;
  },

  auditProgrammeOnTrack: (f, ctx) => auditProgrammeGate(f, ctx.step.id, ctx.now),

  certificateGranted: (f, ctx) =>
    f.certificate && f.certificate.decisionStepKey === ctx.stepKey && f.certificate.status === 'ACTIVE'
      ? null
      : 'no positive certification decision recorded in this step',
};

export function evaluateGate(gate: GateId, f: ProgrammeFacts, ctx: StepContext): string | null {
  return GATES[gate](f, ctx);
}
