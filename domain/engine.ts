/**
 * The pure interpreter of the process model. Stage workflows call it from update validators
 * (reject with a reason, leaving no history), update handlers (apply), and their main loop
 * (gates and deadlines). No I/O, no clock: `ctx.now` is workflow time.
 */
import type { DomainRecords } from './contracts/persistence';
import { addDurationIso } from './durations';
import { currentAudit, evaluateGate, openMajors, type StepContext } from './gates';
import type { ApprovalDef, DeadlineId } from './process-model';
import {
  independenceRejection,
  plannedAudit,
  cycleInternalAudits,
  auditProgrammeStatus,
} from './audit-programme';
import {
  applyVerification,
  auditVerificationsRejection,
  cycleWork,
  ncFollowUp,
  overdueMinorNcs,
  settleMinorsAtAudit,
  trackNewFinding,
  verificationRejection,
} from './nc-follow-up';
import type { AuditFinding, AuditKind, DecisionBody, FindingGrade, StageInput } from './schemas';
import type {
  ApprovalState,
  ArtefactKind,
  AuditRecord,
  Certificate,
  Deadline,
  Dossier,
  Finding,
  PendingApproval,
  ProgrammeWork,
  StageView,
  StepId,
  UnmetGate,
} from './types';

export type { StepContext } from './gates';

const iso = (ms: number) => new Date(ms).toISOString();

const GRADE_NAMES: Record<FindingGrade, string> = {
  conformity: 'a conformity',
  minor_nc: 'a minor nonconformity',
  major_nc: 'a major nonconformity',
  observation: 'an observation',
  ofi: 'an opportunity for improvement',
};

const AUDIT_NAMES: Record<AuditKind, string> = {
  internal: 'an internal audit',
  stage1: 'a stage 1 audit',
  stage2: 'a stage 2 audit',
  surveillance: 'a surveillance audit',
  recertification: 'a recertification audit',
};

// ---------------------------------------------------------------- artefacts and approvals

/** Current version of an artefact, or 0 when nothing is ready to approve. */
export function artefactVersion(d: Dossier, artefact: ArtefactKind, ctx: StepContext): number {
  switch (artefact) {
    case 'scope':
      return d.scope?.version ?? 0;
    case 'roadmap':
      // The roadmap can only be approved once the whole catalogue is assessed and planned.
      return evaluateGate('allRequirementsAssessed', d, ctx) === null &&
        evaluateGate('everyGapHasTask', d, ctx) === null
        ? d.roadmapVersion
        : 0;
    case 'aiPolicy':
      return d.policies['ai-policy']?.version ?? 0;
    case 'riskTreatmentPlan':
      return d.riskTreatmentPlan?.version ?? 0;
    case 'soa':
      return d.soa?.version ?? 0;
    case 'managementReview':
      return d.managementReview?.version ?? 0;
    case 'certificationBody':
      return d.certificationBody?.version ?? 0;
  }
}

const approvalKey = (ctx: StepContext, gate: string) => `${ctx.stepKey}/${gate}`;

export function approverEmail(d: Dossier, def: ApprovalDef): string | undefined {
  return d.scope?.body[def.approverRole].email;
}

function approvalFor(d: Dossier, ctx: StepContext, def: ApprovalDef): ApprovalState | undefined {
  const state = d.approvals[approvalKey(ctx, def.gate)];
  return state && state.artefactVersion === artefactVersion(d, def.artefact, ctx) ? state : undefined;
}

function isApproved(d: Dossier, ctx: StepContext, def: ApprovalDef): boolean {
  return approvalFor(d, ctx, def)?.outcome === 'approved';
}

export function pendingApprovals(d: Dossier, ctx: StepContext): PendingApproval[] {
  return ctx.step.approvals
    .filter((def) => artefactVersion(d, def.artefact, ctx) > 0 && !isApproved(d, ctx, def))
    .map((def) => ({
      gate: def.gate,
      artefact: def.artefact,
      artefactVersion: artefactVersion(d, def.artefact, ctx),
      approverRole: def.approverRole,
      approverEmail: approverEmail(d, def),
      lastOutcome: approvalFor(d, ctx, def)?.outcome,
    }));
}

function approvalGateReason(d: Dossier, ctx: StepContext, def: ApprovalDef): string | null {
  const version = artefactVersion(d, def.artefact, ctx);
  if (version === 0) return `${def.title}: nothing submitted for approval yet`;
  const state = approvalFor(d, ctx, def);
  if (!state) return `${def.title} v${version}: awaiting the ${def.approverRole}'s decision`;
  if (state.outcome === 'approved') return null;
  return `${def.title} v${version}: ${state.outcome.replace('_', ' ')} by ${state.approver}${
    state.comment ? ` (${state.comment})` : ''
  }; submit a revised version`;
}

// ---------------------------------------------------------------- gates and view

export function unmetGates(d: Dossier, ctx: StepContext): UnmetGate[] {
  const unmet: UnmetGate[] = [];
  for (const gate of ctx.step.gates) {
    const reason = evaluateGate(gate, d, ctx);
    if (reason) unmet.push({ gate, reason });
  }
  for (const def of ctx.step.approvals) {
    const reason = approvalGateReason(d, ctx, def);
    if (reason) unmet.push({ gate: `approval:${def.gate}`, reason });
  }
  return unmet;
}

export function stageView(d: Dossier, ctx: StepContext): StageView {
  const deadline = activeDeadline(d, ctx);
  return {
    programmeId: d.programmeId,
    cycle: d.cycle,
    step: ctx.step.id,
    stage: ctx.step.stage,
    stepKey: ctx.stepKey,
    accepts: [...ctx.step.accepts],
    unmetGates: unmetGates(d, ctx),
    pendingApprovals: pendingApprovals(d, ctx),
    nextDeadline: deadline,
    overdue: isOverdue(d, ctx),
    certificate: d.certificate,
    ...(ctx.cycleDepth && { programmeWork: programmeWork(d, ctx) }),
  };
}

/** A lapsed certificate; with the cycle in depth also a minor NC whose plan is overdue. */
export function isOverdue(d: Dossier, ctx?: StepContext): boolean {
  return d.certificate?.status === 'LAPSED' || (!!ctx?.cycleDepth && overdueMinorNcs(d).length > 0);
}

export function programmeWork(d: Dossier, ctx: StepContext): ProgrammeWork {
  return {
    cycle: d.cycle,
    cycleStartedAt: d.cycleStartedAt,
    cycleWork: cycleWork(d, ctx.now),
    auditProgramme: auditProgrammeStatus(d, ctx.now),
    nonconformities: ncFollowUp(d, ctx.now),
    carriedOver: d.carriedOver,
  };
}

// ---------------------------------------------------------------- inputs

function stepAcceptsAudit(ctx: StepContext, audit: string): boolean {
  if (audit === 'internal' && ctx.cycleDepth && ctx.step.internalAudits) return true;
  return (ctx.step.audits as readonly string[]).includes(audit);
}

type AuditInput = StageInput & { kind: 'audit' };

/** The scope and auditor responsibilities of an internal audit: its own, else its plan's. */
function internalAuditShape(d: Dossier, input: AuditInput) {
  const plan = input.planId ? plannedAudit(d, input.planId) : undefined;
  return {
    plan,
    scope: input.scope ?? plan?.scope,
    responsibleFor: input.independence?.auditorResponsibleFor ?? plan?.auditorResponsibleFor ?? [],
  };
}

function internalAuditRejection(d: Dossier, input: AuditInput): string | null {
  if (input.planId) {
    const { plan } = internalAuditShape(d, input);
    if (!plan) return `no planned audit ${input.planId} in the internal audit programme of cycle ${d.cycle}`;
    const held = cycleInternalAudits(d).find((a) => a.planId === input.planId);
    if (held) return `planned audit ${input.planId} was already held (${held.id})`;
  }
  const { scope, responsibleFor } = internalAuditShape(d, input);
  return independenceRejection(input.auditors.join(', '), scope ?? [], responsibleFor);
}

/** Extra checks of the certification cycle in depth (stages since certification-cycle-v1). */
function depthRejection(d: Dossier, ctx: StepContext, input: StageInput): string | null {
  switch (input.kind) {
    case 'auditProgramme': {
      for (const a of input.audits) {
        const reason = independenceRejection(a.auditor.email, a.scope, a.auditorResponsibleFor);
        if (reason) return `planned audit ${a.id}: ${reason}`;
      }
      return null;
    }
    case 'audit': {
      if (input.audit === 'internal') return internalAuditRejection(d, input);
      if (input.verifications && input.verifications.length > 0) {
        if (input.audit !== 'surveillance' && input.audit !== 'recertification')
          return 'earlier minor nonconformities are verified at surveillance and recertification audits';
        return auditVerificationsRejection(d, ctx, input.audit, input.verifications);
      }
      return null;
    }
    case 'verification':
      return verificationRejection(ctx, d.findings[input.findingId], input.verification);
    default:
      return null;
  }
}

/** Why the current step cannot take this input, or null when it can. */
export function inputRejection(d: Dossier, ctx: StepContext, input: StageInput): string | null {
  if (!ctx.step.accepts.includes(input.kind)) {
    return `step ${ctx.step.id} (${ctx.step.title}) does not accept ${input.kind}; it accepts: ${ctx.step.accepts.join(', ')}`;
  }
  if (input.kind === 'auditProgramme' && !ctx.cycleDepth)
    return `step ${ctx.step.id} started before internal audit programmes existed; submit it in the next step`;
  const base = baseRejection(d, ctx, input);
  return base ?? (ctx.cycleDepth ? depthRejection(d, ctx, input) : null);
}

function baseRejection(d: Dossier, ctx: StepContext, input: StageInput): string | null {
  switch (input.kind) {
    case 'roadmapTask':
      return null;
    case 'taskUpdate': {
      const task = d.tasks[input.taskId];
      if (!task) return `no roadmap task ${input.taskId}`;
      return task.status === 'open' ? null : `task ${input.taskId} is already ${task.status}`;
    }
    case 'impactAssessment': {
      const system = d.scope?.body.aiSystems.find((s) => s.id === input.aiSystemId);
      // A system in scope that a scan found after scoping can be assessed too (domain/discoveries.ts).
      if (!system && d.discoveredSystems?.[input.aiSystemId]) return null;
      if (!system) return `AI system ${input.aiSystemId} is not in the registered scope`;
      return system.inScope ? null : `AI system ${input.aiSystemId} is outside the AIMS scope`;
    }
    case 'riskTreatmentPlan': {
      const known = new Set((d.scope?.body.aiSystems ?? []).map((s) => s.id));
      const unknown = input.risks.flatMap((r) => r.aiSystemIds).filter((id) => !known.has(id));
      return unknown.length === 0
        ? null
        : `risks reference unknown AI systems: ${[...new Set(unknown)].join(', ')}`;
    }
    case 'audit':
      return (
        auditRejection(d, ctx, input.audit) ??
        input.findings.map((f) => gradeRejection(input.audit, f)).find((r) => r) ??
        null
      );
    case 'finding': {
      if (!stepAcceptsAudit(ctx, input.audit))
        return `${input.audit} findings are not recorded in step ${ctx.step.id}`;
      if (!currentAudit(d, ctx, input.audit)) return `record the ${input.audit} audit before its findings`;
      return gradeRejection(input.audit, input);
    }
    case 'correctiveAction': {
      const f = d.findings[input.findingId];
      if (!f) return `no finding ${input.findingId}`;
      if (f.grade !== 'minor_nc' && f.grade !== 'major_nc')
        return `finding ${f.id} is ${GRADE_NAMES[f.grade]}, not a nonconformity`;
      return f.status === 'open' ? null : `finding ${f.id} is already ${f.status.replace('_', ' ')}`;
    }
    case 'verification': {
      const f = d.findings[input.findingId];
      if (!f) return `no finding ${input.findingId}`;
      return f.status === 'action_planned'
        ? null
        : `finding ${f.id} is ${f.status.replace('_', ' ')}; only a finding with a corrective action can be verified`;
    }
    case 'certificationBody':
      return null;
    case 'certificationDecision': {
      const exam = ctx.step.id === 'CERTIFICATION' ? 'stage2' : 'recertification';
      if (!currentAudit(d, ctx, exam))
        return `no certification decision before the ${exam} audit is recorded`;
      if (d.certificate?.decisionStepKey === ctx.stepKey)
        return 'a certification decision is already recorded in this step';
      if (input.decision.outcome === 'granted') {
        const blocking = [
          evaluateGate('nonconformitiesHaveActions', d, ctx),
          evaluateGate('noOpenMajorNc', d, ctx),
        ];
        const reasons = blocking.filter((r): r is string => r !== null);
        if (reasons.length > 0) return `a certificate cannot be granted: ${reasons.join('; ')}`;
      }
      if (input.decision.decidedOn && Date.parse(input.decision.decidedOn) > ctx.now) {
        return 'the decision date cannot be in the future';
      }
      return null;
    }
    default:
      return null;
  }
}

function gradeRejection(audit: AuditKind, finding: AuditFinding): string | null {
  return audit === 'stage1' && (finding.grade === 'minor_nc' || finding.grade === 'major_nc')
    ? 'stage 1 records areas of concern (observations); nonconformities are raised at stage 2'
    : null;
}

function auditRejection(d: Dossier, ctx: StepContext, audit: AuditKind): string | null {
  if (!stepAcceptsAudit(ctx, audit)) return `${AUDIT_NAMES[audit]} is not held in step ${ctx.step.id}`;
  if (audit === 'stage1' || audit === 'stage2') {
    const body = ctx.step.approvals.find((a) => a.gate === 'certification_body');
    if (body && !isApproved(d, ctx, body))
      return 'the certification body has not been chosen and approved yet';
  }
  if (audit === 'stage2' && evaluateGate('stage1Held', d, ctx) !== null)
    return 'stage 2 cannot precede stage 1';
  if (audit === 'internal') return null;
  return currentAudit(d, ctx, audit) ? `the ${audit} audit is already recorded in this step` : null;
}

export interface Applied {
  recordId?: string;
  findingIds?: string[];
  records: DomainRecords;
}

/** Applies an accepted input to the dossier (mutating it) and returns the records to persist. */
export function applyInput(d: Dossier, ctx: StepContext, input: StageInput): Applied {
  const now = iso(ctx.now);
  switch (input.kind) {
    case 'scope': {
      const { kind: _kind, ...body } = input;
      d.scope = { version: (d.scope?.version ?? 0) + 1, submittedAt: now, body };
      return {
        records: {
          artefacts: [{ kind: 'scope', key: '', version: d.scope.version, submittedAt: now, body }],
        },
      };
    }
    case 'assessments': {
      const rows = input.items.map((item) => ({ ...item, assessedAt: now }));
      for (const row of rows) d.assessments[row.requirementId] = row;
      d.roadmapVersion += 1;
      return { records: { assessments: rows } };
    }
    case 'roadmapTask': {
      const id = `T-${++d.seq.task}`;
      d.tasks[id] = {
        id,
        requirementId: input.requirementId,
        title: input.title,
        owner: input.owner,
        deadline: input.deadline,
        status: 'open',
      };
      if (ctx.step.id === 'GAP_ANALYSIS') d.roadmapVersion += 1;
      return { recordId: id, records: { tasks: [d.tasks[id]] } };
    }
    case 'taskUpdate': {
      const task = d.tasks[input.taskId];
      Object.assign(task, {
        status: input.update.status,
        note: input.update.note,
        acceptedBy: input.update.acceptedBy,
        closedAt: now,
      });
      return { recordId: task.id, records: { tasks: [task] } };
    }
    case 'policy': {
      const { kind: _kind, ...body } = input;
      const id = body.policyType === 'ai_policy' ? 'ai-policy' : `P-${++d.seq.policy}`;
      const version = (d.policies[id]?.version ?? 0) + 1;
      d.policies[id] = { id, version, submittedAt: now, body };
      return {
        recordId: id,
        records: { artefacts: [{ kind: 'policy', key: id, version, submittedAt: now, body }] },
      };
    }
    case 'riskTreatmentPlan': {
      const { kind: _kind, ...body } = input;
      d.riskTreatmentPlan = { version: (d.riskTreatmentPlan?.version ?? 0) + 1, submittedAt: now, body };
      return artefact('riskTreatmentPlan', '', d.riskTreatmentPlan.version, now, body);
    }
    case 'impactAssessment': {
      const { kind: _kind, ...body } = input;
      const version = (d.impactAssessments[body.aiSystemId]?.version ?? 0) + 1;
      d.impactAssessments[body.aiSystemId] = { version, submittedAt: now, body };
      return {
        recordId: body.aiSystemId,
        ...artefact('impactAssessment', body.aiSystemId, version, now, body),
      };
    }
    case 'soa': {
      const body = { entries: input.entries, ...(input.submittedBy && { submittedBy: input.submittedBy }) };
      d.soa = { version: (d.soa?.version ?? 0) + 1, submittedAt: now, body };
      return artefact('soa', '', d.soa.version, now, body);
    }
    case 'auditProgramme': {
      const { kind: _kind, ...body } = input;
      const version = d.auditProgramme?.cycle === d.cycle ? d.auditProgramme.version + 1 : 1;
      d.auditProgramme = { cycle: d.cycle, version, submittedAt: now, body };
      return artefact('auditProgramme', `c${d.cycle}`, version, now, body);
    }
    case 'audit': {
      const id = `A-${++d.seq.audit}`;
      const record: AuditRecord = {
        id,
        audit: input.audit,
        stepKey: ctx.stepKey,
        attempt: input.audit === 'stage2' ? d.stage2Attempt : 1,
        firstDay: input.firstDay ?? input.lastDay ?? now,
        lastDay: input.lastDay ?? now,
        auditors: input.auditors,
        independent: input.independent,
      };
      if (ctx.cycleDepth && input.audit === 'internal') {
        const { scope, responsibleFor } = internalAuditShape(d, input);
        if (input.planId) record.planId = input.planId;
        if (scope) record.scope = scope;
        if (input.independence) record.independence = input.independence;
        else if (input.planId) record.independence = { statement: '', auditorResponsibleFor: responsibleFor };
      }
      d.audits.push(record);
      const findings = input.findings.map((f) => addFinding(d, ctx, record, f));
      const settled = ctx.cycleDepth ? settleMinorsAtAudit(d, ctx, record, input.verifications ?? []) : [];
      return {
        recordId: id,
        findingIds: findings.map((f) => f.id),
        records: { audits: [record], findings: [...findings, ...settled] },
      };
    }
    case 'finding': {
      const finding = addFinding(d, ctx, currentAudit(d, ctx, input.audit) as AuditRecord, input);
      return { recordId: finding.id, records: { findings: [finding] } };
    }
    case 'correctiveAction': {
      const f = d.findings[input.findingId];
      f.correctiveAction = { ...input.action, recordedAt: now };
      f.status = 'action_planned';
      return { recordId: f.id, records: { findings: [f] } };
    }
    case 'verification': {
      const f = d.findings[input.findingId];
      if (ctx.cycleDepth) {
        const exam = ctx.step.audits.find((a) => a === 'surveillance' || a === 'recertification');
        const at = exam && f.audit !== 'internal' ? currentAudit(d, ctx, exam) : undefined;
        applyVerification(f, input.verification, now, at?.id, f.audit !== 'internal' ? exam : undefined);
      } else {
        f.verification = { ...input.verification, verifiedAt: now };
        f.status = 'verified';
      }
      return { recordId: f.id, records: { findings: [f] } };
    }
    case 'managementReview': {
      const { kind: _kind, ...body } = input;
      d.managementReview = { version: (d.managementReview?.version ?? 0) + 1, submittedAt: now, body };
      return artefact('managementReview', '', d.managementReview.version, now, body);
    }
    case 'certificationBody': {
      const { kind: _kind, ...body } = input;
      d.certificationBody = { version: (d.certificationBody?.version ?? 0) + 1, submittedAt: now, body };
      return artefact('certificationBody', '', d.certificationBody.version, now, body);
    }
    case 'certificationDecision':
      return applyCertificationDecision(d, ctx, input.decision);
  }
}

function addFinding(d: Dossier, ctx: StepContext, audit: AuditRecord, body: AuditFinding): Finding {
  const finding: Finding = {
    id: `F-${++d.seq.finding}`,
    audit: audit.audit,
    auditId: audit.id,
    stepKey: ctx.stepKey,
    grade: body.grade,
    requirementId: body.requirementId,
    description: body.description,
    // Conformities, observations and OFIs need no action: they are closed on record.
    status: body.grade === 'minor_nc' || body.grade === 'major_nc' ? 'open' : 'verified',
    raisedAt: iso(ctx.now),
  };
  if (ctx.cycleDepth) trackNewFinding(d, finding);
  d.findings[finding.id] = finding;
  return finding;
}

function artefact(kind: string, key: string, version: number, submittedAt: string, body: unknown): Applied {
  return { records: { artefacts: [{ kind, key, version, submittedAt, body }] } };
}

function applyCertificationDecision(
  d: Dossier,
  ctx: StepContext,
  decision: (StageInput & { kind: 'certificationDecision' })['decision'],
): Applied {
  const decidedOn = decision.decidedOn ?? iso(ctx.now);
  if (decision.outcome === 'refused') {
    // A refusal sends the organisation back to a new stage 2 (or recertification audit).
    const superseded = supersedeStepNonconformities(d, ctx);
    if (ctx.step.id === 'CERTIFICATION') d.stage2Attempt += 1;
    else d.audits = d.audits.filter((a) => !(a.stepKey === ctx.stepKey && a.audit === 'recertification'));
    return { records: { findings: superseded } };
  }
  const previous = d.certificate;
  // Recertification (even a restoration after lapse) continues from the old expiry date.
  const expiresOn =
    ctx.step.id === 'RECERTIFICATION' && previous
      ? addDurationIso(previous.expiresOn, d.config.certificateValidity)
      : addDurationIso(decidedOn, d.config.certificateValidity);
  const certificate: Certificate = {
    number: decision.certificateNumber ?? '',
    decisionDate: decidedOn,
    expiresOn,
    status: 'ACTIVE',
    cycle: ctx.step.id === 'RECERTIFICATION' ? d.cycle + 1 : d.cycle,
    decisionStepKey: ctx.stepKey,
  };
  if (ctx.cycleDepth) {
    const scope = d.scope?.body;
    if (scope)
      certificate.scope = {
        statement: scope.statement,
        aiSystemIds: scope.aiSystems.filter((s) => s.inScope).map((s) => s.id),
      };
    if (previous && previous.number !== certificate.number) certificate.replaces = previous.number;
  }
  d.certificate = certificate;
  return { recordId: certificate.number, records: { certificate } };
}

function supersedeStepNonconformities(d: Dossier, ctx: StepContext): Finding[] {
  const open = Object.values(d.findings).filter(
    (f) =>
      f.stepKey === ctx.stepKey &&
      (f.grade === 'major_nc' || f.grade === 'minor_nc') &&
      f.status !== 'verified',
  );
  for (const f of open) f.status = 'superseded';
  return open;
}

// ---------------------------------------------------------------- decisions

export function decisionRejection(d: Dossier, ctx: StepContext, decision: DecisionBody): string | null {
  const def = ctx.step.approvals.find((a) => a.gate === decision.gate);
  if (!def) {
    const gates = ctx.step.approvals.map((a) => a.gate);
    return `gate ${decision.gate} is not decided in step ${ctx.step.id}${
      gates.length ? `; open gates here: ${gates.join(', ')}` : '; this step has no approval gates'
    }`;
  }
  const version = artefactVersion(d, def.artefact, ctx);
  if (version === 0) return `${def.title}: nothing is ready for approval yet`;
  const expected = approverEmail(d, def);
  if (!expected || expected.toLowerCase() !== decision.approver.toLowerCase()) {
    return `${def.title} is decided by the ${def.approverRole}${expected ? ` (${expected})` : ''}, not ${decision.approver}`;
  }
  const state = approvalFor(d, ctx, def);
  if (state)
    return `${def.title} v${version} was already ${state.outcome.replace('_', ' ')} by ${state.approver}`;
  return null;
}

export function applyDecision(
  d: Dossier,
  ctx: StepContext,
  decision: DecisionBody,
  decisionId: string,
): DomainRecords {
  const def = ctx.step.approvals.find((a) => a.gate === decision.gate);
  if (!def) throw new Error(`gate ${decision.gate} is not in step ${ctx.step.id}`);
  const state: ApprovalState = {
    gate: def.gate,
    artefact: def.artefact,
    artefactVersion: artefactVersion(d, def.artefact, ctx),
    approverRole: def.approverRole,
    outcome: decision.outcome,
    approver: decision.approver,
    comment: decision.comment,
    decidedAt: iso(ctx.now),
  };
  d.approvals[approvalKey(ctx, def.gate)] = state;
  return { approvals: [{ ...state, decisionId, stepKey: ctx.stepKey }] };
}

// ---------------------------------------------------------------- deadlines

function deadlineDue(d: Dossier, ctx: StepContext, id: DeadlineId): Deadline | undefined {
  const cert = d.certificate;
  const gatesOpen = () => unmetGates(d, ctx).length > 0;
  switch (id) {
    case 'majorNcVerification': {
      const stage2 = currentAudit(d, ctx, 'stage2');
      if (!stage2 || openMajors(d, ctx).length === 0) return undefined;
      return {
        id,
        dueAt: addDurationIso(stage2.lastDay, d.config.majorNcVerificationWindow),
        description: `major nonconformities must be verified as corrected, or stage 2 is repeated`,
      };
    }
    case 'surveillanceDue': {
      const round = ctx.step.surveillanceRound ?? 1;
      if (!cert || cert.status !== 'ACTIVE' || !gatesOpen()) return undefined;
      const first = addDurationIso(cert.decisionDate, d.config.firstSurveillanceWithin);
      return {
        id,
        dueAt: addDurationIso(first, d.config.surveillanceInterval, round - 1),
        description: `surveillance audit ${round} must be completed`,
      };
    }
    case 'recertificationDue':
      if (!cert || cert.status !== 'ACTIVE' || !gatesOpen()) return undefined;
      return {
        id,
        dueAt: cert.expiresOn,
        description: 'recertification must be decided before the certificate expires',
      };
    case 'restoreWindow':
      if (!cert || cert.status !== 'LAPSED' || !cert.lapsedAt) return undefined;
      return {
        id,
        dueAt: addDurationIso(cert.lapsedAt, d.config.restoreWindow),
        description: 'the lapsed certificate can be restored until then; afterwards it is withdrawn',
      };
  }
}

export function activeDeadline(d: Dossier, ctx: StepContext): Deadline | undefined {
  return ctx.step.deadlines
    .map((id) => deadlineDue(d, ctx, id))
    .filter((x): x is Deadline => x !== undefined)
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
}

export interface DeadlineEffect {
  event: string;
  records: DomainRecords;
  loopBack?: { to: StepId; reason: string };
}

export function expireDeadline(d: Dossier, ctx: StepContext, deadline: Deadline): DeadlineEffect {
  const id = deadline.id as DeadlineId;
  switch (id) {
    case 'majorNcVerification': {
      const majors = openMajors(d, ctx).map((f) => f.id);
      const superseded = supersedeStepNonconformities(d, ctx);
      d.stage2Attempt += 1;
      return {
        event: `stage 2 must be repeated: ${majors.join(', ')} not verified within ${d.config.majorNcVerificationWindow} of its last day`,
        records: { findings: superseded },
      };
    }
    case 'surveillanceDue':
    case 'recertificationDue': {
      const cert = d.certificate as Certificate;
      Object.assign(cert, { status: 'LAPSED', lapsedAt: deadline.dueAt });
      return {
        event: `certificate ${cert.number} lapsed: ${deadline.description} by ${deadline.dueAt}`,
        records: { certificate: cert },
      };
    }
    case 'restoreWindow': {
      const cert = d.certificate as Certificate;
      cert.status = 'WITHDRAWN';
      const to = ctx.step.onWithdrawnCertificate ?? 'CERTIFICATION';
      const reason = `certificate ${cert.number} withdrawn: not restored within ${d.config.restoreWindow} of lapsing`;
      return { event: reason, records: { certificate: cert }, loopBack: { to, reason } };
    }
  }
}

// ---------------------------------------------------------------- step boundaries

export function enterStep(d: Dossier, ctx: StepContext): void {
  if (ctx.step.id === 'CERTIFICATION') d.stage2Attempt = 1;
}

/** Work done when a step's gates all hold; returns records to persist. */
export function completeStep(d: Dossier, _ctx: StepContext): DomainRecords {
  const cert = d.certificate;
  if (cert && cert.status === 'LAPSED') {
    // The audit was done within the restore window: the certificate is restored.
    cert.status = 'ACTIVE';
    delete cert.lapsedAt;
    return { certificate: cert };
  }
  return {};
}

export function newDossier(programmeId: string, organisation: string, config: Dossier['config']): Dossier {
  return {
    programmeId,
    organisation,
    cycle: 1,
    config,
    seq: { task: 0, finding: 0, audit: 0, policy: 0 },
    assessments: {},
    roadmapVersion: 0,
    tasks: {},
    policies: {},
    impactAssessments: {},
    audits: [],
    findings: {},
    stage2Attempt: 0,
    approvals: {},
  };
}

/**
 * The dossier a new three-year cycle starts from. Closed findings and past audits live on in
 * the database; carrying them forward would grow the workflow input every cycle.
 */
export function dossierForNextCycle(d: Dossier): Dossier {
  const liveFindings = Object.fromEntries(
    Object.entries(d.findings).filter(([, f]) => f.status === 'open' || f.status === 'action_planned'),
  );
  // The latest stage 1 stays: a certificate withdrawn in a later cycle needs only a new stage 2.
  const stage1 = d.audits.filter((a) => a.audit === 'stage1').slice(-1);
  return { ...d, cycle: d.cycle + 1, findings: liveFindings, audits: stage1, approvals: {} };
}
