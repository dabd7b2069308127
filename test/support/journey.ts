/**
 * Drives a programme through the journey over any transport (direct Temporal updates in
 * workflow tests, HTTP in integration tests), so every suite exercises the same script.
 */
import { CLAUSES, CONTROLS } from '../../domain/catalogue/iso42001';
import type { AuditFinding, AuditKind, DecisionBody, PlannedAudit, StageInput } from '../../domain/schemas';
import type { StepId } from '../../domain/vocabulary';
import {
  GAPS,
  PEOPLE,
  assessmentItems,
  impactAssessment,
  riskTreatmentPlan,
  scopeBody,
  soaEntries,
} from './fixtures';

export interface JourneyPort {
  submit(input: StageInput): Promise<{ recordId?: string; findingIds?: string[] }>;
  decide(decision: DecisionBody): Promise<unknown>;
  /** Resolves once the programme runs `step` (and its stage accepts inputs). */
  waitForStep(step: StepId): Promise<unknown>;
}

export const audit = (kind: AuditKind, findings: AuditFinding[] = []): StageInput => ({
  kind: 'audit',
  audit: kind,
  auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
  independent: true,
  findings,
});

const approve = (gate: string, approver: string): DecisionBody => ({ gate, outcome: 'approved', approver });

export async function completeScoping(port: JourneyPort): Promise<void> {
  await port.waitForStep('SCOPING');
  await port.submit({ kind: 'scope', ...scopeBody() } as StageInput);
  await port.decide(approve('scope', PEOPLE.sponsor.email));
}

/** Gap analysis up to the roadmap's approval: the assessments and a task per gap (their ids). */
export async function submitGapAnalysis(port: JourneyPort): Promise<string[]> {
  await port.waitForStep('GAP_ANALYSIS');
  await port.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
  const taskIds: string[] = [];
  for (const requirementId of Object.keys(GAPS)) {
    const res = await port.submit({
      kind: 'roadmapTask',
      requirementId,
      title: `Close the gap on ${requirementId}`,
      owner: PEOPLE.complianceLead.email,
      deadline: '2027-06-30T00:00:00Z',
    });
    taskIds.push(res.recordId as string);
  }
  return taskIds;
}

export async function completeGapAnalysis(port: JourneyPort): Promise<string[]> {
  const taskIds = await submitGapAnalysis(port);
  await port.decide(approve('roadmap', PEOPLE.sponsor.email));
  return taskIds;
}

export async function completeImplementation(port: JourneyPort, taskIds: string[]): Promise<void> {
  await port.waitForStep('IMPLEMENTATION');
  await port.submit({
    kind: 'policy',
    policyType: 'ai_policy',
    title: 'AI policy',
    documentRef: 'dms://policies/ai/v1',
  });
  await port.decide(approve('ai_policy', PEOPLE.topManagement.email));
  await port.submit({ kind: 'riskTreatmentPlan', ...riskTreatmentPlan });
  await port.decide(approve('risk_treatment_plan', PEOPLE.sponsor.email));
  for (const id of ['support-bot', 'fraud-model']) {
    await port.submit({ kind: 'impactAssessment', ...impactAssessment(id) });
  }
  await port.submit({ kind: 'soa', entries: soaEntries() });
  await port.decide(approve('soa', PEOPLE.topManagement.email));
  for (const taskId of taskIds) {
    await port.submit({ kind: 'taskUpdate', taskId, update: { status: 'done' } });
  }
}

/** An internal audit programme: the clauses and the Annex A controls, each by an independent auditor. */
export const auditProgramme = (
  extra: PlannedAudit[] = [],
  plannedOn = '2027-01-15T00:00:00Z',
): StageInput => ({
  kind: 'auditProgramme',
  audits: [
    {
      id: 'ia-clauses',
      title: 'Management system clauses 4-10',
      scope: CLAUSES.map((c) => c.id),
      auditor: { name: 'Ina Auditor', email: 'ina@acme.test' },
      auditorResponsibleFor: ['A.6.2.4'],
      plannedOn,
    },
    {
      id: 'ia-controls',
      title: 'Annex A controls',
      scope: CONTROLS.map((c) => c.id),
      auditor: { name: 'Otto Auditor', email: 'otto@acme.test' },
      auditorResponsibleFor: ['7.5.3'],
      plannedOn,
    },
    ...extra,
  ],
});

export async function completeInternalAudit(port: JourneyPort): Promise<void> {
  await port.waitForStep('INTERNAL_AUDIT');
  await port.submit(auditProgramme());
  const audit = await port.submit({
    kind: 'audit',
    audit: 'internal',
    planId: 'ia-clauses',
    auditors: [{ name: 'Ina Auditor', email: 'ina.auditor@auditors.test' }],
    independent: true,
    findings: [
      { grade: 'conformity', requirementId: '5.2', description: 'AI policy approved and communicated' },
      {
        grade: 'minor_nc',
        requirementId: '7.2',
        description: 'Two data scientists lack recorded AI-risk training',
      },
    ],
  });
  await port.submit({
    kind: 'correctiveAction',
    findingId: (audit.findingIds ?? [])[1],
    action: {
      correction: 'Train both',
      rootCause: 'Onboarding checklist misses AI training',
      action: 'Add AI training to onboarding',
      owner: PEOPLE.complianceLead.email,
      due: '2027-03-01T00:00:00Z',
    },
  });
  await port.submit({
    kind: 'audit',
    audit: 'internal',
    planId: 'ia-controls',
    auditors: [{ name: 'Otto Auditor', email: 'otto.auditor@auditors.test' }],
    independent: true,
    findings: [],
  });
}

export async function completeManagementReview(port: JourneyPort): Promise<void> {
  await port.waitForStep('MANAGEMENT_REVIEW');
  await port.submit({
    kind: 'managementReview',
    heldOn: '2027-02-01T10:00:00Z',
    attendees: [PEOPLE.topManagement, PEOPLE.complianceLead],
    decisions: [{ topic: 'Resources', decision: 'Fund a second ML engineer', owner: PEOPLE.sponsor.email }],
  });
  await port.decide(approve('management_review', PEOPLE.topManagement.email));
}

/** Certification body, stage 1 and stage 2 recorded; returns before the decision. */
export async function holdCertificationAudits(port: JourneyPort): Promise<void> {
  await port.waitForStep('CERTIFICATION');
  await port.submit({ kind: 'certificationBody', name: 'Example Cert Ltd', accreditationBody: 'UKAS' });
  await port.decide(approve('certification_body', PEOPLE.sponsor.email));
  await port.submit(audit('stage1'));
  await port.submit(audit('stage2'));
}

export async function grantCertificate(port: JourneyPort, certificateNumber: string): Promise<void> {
  await port.submit({ kind: 'certificationDecision', decision: { outcome: 'granted', certificateNumber } });
}

export async function runToCertification(port: JourneyPort): Promise<void> {
  await completeScoping(port);
  const tasks = await completeGapAnalysis(port);
  await completeImplementation(port, tasks);
  await completeInternalAudit(port);
  await completeManagementReview(port);
  await holdCertificationAudits(port);
}

export async function passAudit(
  port: JourneyPort,
  step: StepId,
  kind: 'surveillance' | 'recertification',
): Promise<void> {
  await port.waitForStep(step);
  await port.submit(audit(kind));
}
