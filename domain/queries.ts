/**
 * Questions the gates, inputs and deadlines ask of a programme's facts: the audit that counts
 * in this step, its live nonconformities, the requirements with a gap. Pure.
 */
import { CLAUSES } from './catalogue/iso42001';
import type { ApprovalState, AuditFact, FindingFact, ProgrammeFacts } from './facts';
import type { StepDef } from './process-model';
import type { AuditKind } from './vocabulary';

/** Where an input, a gate or a deadline is evaluated: the step, its key, and workflow time. */
export interface StepContext {
  step: StepDef;
  /** `c<cycle>.<STEP>.<visit>`, e.g. `c1.CERTIFICATION.1`. */
  stepKey: string;
  /** Workflow time in ms (Date.now() inside the sandbox). */
  now: number;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Up to `max` ids, then how many more: gate reasons stay short however many records there are. */
export function list(ids: readonly string[], max = 5): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

export const isNonconformity = (f: Pick<FindingFact, 'grade'>): boolean =>
  f.grade === 'minor_nc' || f.grade === 'major_nc';

/** Open, or awaiting verification of its corrective action. */
export const isLive = (f: Pick<FindingFact, 'status'>): boolean =>
  f.status === 'open' || f.status === 'action_planned';

/** The cycle a step key belongs to (`c2.SURVEILLANCE_1.1` is cycle 2). */
export function cycleOfStepKey(stepKey: string): number {
  const m = /^c(\d+)\./.exec(stepKey);
  return m ? Number(m[1]) : 0;
}

/** The audit of `kind` that counts in this step (for stage 2: the current attempt only). */
export function currentAudit(f: ProgrammeFacts, ctx: StepContext, kind: AuditKind): AuditFact | undefined {
  for (let i = f.audits.length - 1; i >= 0; i--) {
    const a = f.audits[i];
    if (a.voided || a.stepKey !== ctx.stepKey || a.audit !== kind) continue;
    if (kind !== 'stage2' || a.attempt === f.stage2Attempt) return a;
  }
  return undefined;
}

/** Live nonconformities raised in this step (superseded ones no longer count). */
export function stepNonconformities(f: ProgrammeFacts, ctx: StepContext): FindingFact[] {
  return Object.values(f.findings).filter(
    (x) => x.stepKey === ctx.stepKey && isNonconformity(x) && x.status !== 'superseded',
  );
}

export function openMajors(f: ProgrammeFacts, ctx: StepContext): FindingFact[] {
  return stepNonconformities(f, ctx).filter((x) => x.grade === 'major_nc' && x.status !== 'verified');
}

export function gapRequirementIds(f: ProgrammeFacts): string[] {
  return Object.entries(f.assessments)
    .filter(([, a]) => a.status === 'partially_compliant' || a.status === 'not_compliant')
    .map(([id]) => id);
}

/** Clauses always apply; a control does unless the SoA marks it not applicable. */
export function applicableRequirement(f: ProgrammeFacts, requirementId: string): boolean {
  if (CLAUSES.some((c) => c.id === requirementId)) return true;
  return !(f.documents.soa?.notApplicable ?? []).includes(requirementId);
}

/** The AI systems of the scope that are inside the AIMS scope. */
export function inScopeSystemIds(f: ProgrammeFacts): string[] {
  return Object.entries(f.systems)
    .filter(([, s]) => s.scope?.inScope)
    .map(([id]) => id);
}

/** The decision recorded in this step for `gate`, if it concerns `version` of the artefact. */
export function decisionOn(
  f: ProgrammeFacts,
  ctx: StepContext,
  gate: string,
  version: number,
): ApprovalState | undefined {
  const state = f.approvals[`${ctx.stepKey}/${gate}`];
  return state && state.artefactVersion === version ? state : undefined;
}
