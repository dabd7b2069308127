/**
 * Realistic programme content shared by workflow and integration tests: one organisation with
 * three AI systems, a full catalogue assessment with real gaps, and an SoA for every control.
 */
import { CONTROLS, REQUIREMENTS } from '../../domain/catalogue/iso42001';
import type { ProgrammeInStore } from '../../api/store';
import type { AssessmentItem, ScopeBody, SoaEntry } from '../../domain/schemas';
import { deriveNonce, type ApprovalTokenPayload } from '../../services/approval-links/tokens';

/**
 * Tests record approvers' decisions through the API as a programme office would after a meeting:
 * on the approver's behalf, with evidence (the service's keys may record only their holder's own
 * decision otherwise). Links are the other way, tested on their own.
 */
export function onBehalf<D extends { approver: string; onBehalfOf?: { evidence: string } }>(decision: D): D {
  return decision.onBehalfOf
    ? decision
    : { ...decision, onBehalfOf: { evidence: `minutes: decided by ${decision.approver}` } };
}

export const PEOPLE = {
  sponsor: { name: 'Sam Sponsor', email: 'sponsor@acme.test' },
  topManagement: { name: 'Cleo Chief', email: 'ceo@acme.test' },
  complianceLead: { name: 'Lee Lead', email: 'lead@acme.test' },
};

export function scopeBody(): Omit<
  ScopeBody,
  'internalIssues' | 'externalIssues' | 'interestedParties' | 'integratesWith' | 'committee'
> &
  Partial<ScopeBody> {
  return {
    statement: 'The AIMS covers the customer-support assistant and fraud scoring at Acme Ltd, EU operations.',
    aiSystems: [
      { id: 'support-bot', name: 'Support assistant', type: 'feature', inScope: true },
      { id: 'fraud-model', name: 'Fraud scoring model', type: 'model', inScope: true },
      { id: 'hr-screening', name: 'CV screening trial', type: 'internal_use', inScope: false },
    ],
    aiRoles: ['provider', 'customer'],
    boundaries: 'Product engineering and data science; HR tooling excluded.',
    locations: ['Dublin', 'Lisbon'],
    internalIssues: ['Small ML team'],
    externalIssues: ['EU AI Act obligations'],
    interestedParties: [{ name: 'Customers', requirements: ['Explanations of automated decisions'] }],
    integratesWith: ['ISO27001'],
    sponsor: PEOPLE.sponsor,
    complianceLead: PEOPLE.complianceLead,
    topManagement: PEOPLE.topManagement,
    committee: [PEOPLE.complianceLead],
  };
}

/** Requirements the fixture organisation does not yet meet, and how. */
export const GAPS: Record<string, AssessmentItem['status']> = {
  '6.1.4': 'not_compliant',
  '8.4': 'not_compliant',
  'A.5.2': 'not_compliant',
  'A.6.2.8': 'partially_compliant',
  'A.7.5': 'partially_compliant',
};
export const NOT_APPLICABLE_CONTROL = 'A.10.4';

export function assessmentItems(): Omit<AssessmentItem, 'evidence'>[] {
  return REQUIREMENTS.map((r) => {
    if (r.id === NOT_APPLICABLE_CONTROL) {
      return {
        requirementId: r.id,
        status: 'not_applicable' as const,
        justification: 'No external customers receive AI outputs directly',
        assessor: PEOPLE.complianceLead.email,
      };
    }
    return {
      requirementId: r.id,
      status: GAPS[r.id] ?? ('compliant' as const),
      assessor: PEOPLE.complianceLead.email,
    };
  });
}

export function soaEntries(): Omit<SoaEntry, 'title' | 'owner'>[] {
  return CONTROLS.map((c) => ({
    controlId: c.id,
    applicable: c.id !== NOT_APPLICABLE_CONTROL,
    justification:
      c.id === NOT_APPLICABLE_CONTROL
        ? 'No customer-facing AI outputs'
        : 'Needed to treat identified AI risks',
    implementationStatus:
      c.id === NOT_APPLICABLE_CONTROL ? ('not_implemented' as const) : ('implemented' as const),
  }));
}

export const riskTreatmentPlan = {
  risks: [
    {
      id: 'r-bias',
      title: 'Unfair fraud flags for some customer groups',
      aiSystemIds: ['fraud-model'],
      likelihood: 3,
      severity: 4,
      treatment: 'mitigate' as const,
      controls: ['A.7.4', 'A.6.2.4'],
      residualLikelihood: 2,
      residualSeverity: 3,
    },
  ],
};

export function impactAssessment(aiSystemId: string) {
  return {
    aiSystemId,
    intendedUse: `Intended use of ${aiSystemId}`,
    foreseeableMisuse: 'Used for decisions it was not validated for',
    affectedParties: ['Customers'],
    harms: ['Wrongful denial of service'],
    benefits: ['Faster service'],
    likelihood: 2,
    severity: 3,
    measures: ['Human review of adverse outcomes'],
  };
}

/** A programme row as the store returns it, in scoping, for tests of the API on fakes. */
export function storedProgramme(id: string): ProgrammeInStore {
  return {
    programmeId: id,
    organisation: 'Acme',
    name: 'AIMS 2025',
    workflowId: `programme-${id}`,
    config: {},
    status: 'ACTIVE',
    cycle: 1,
    step: 'SCOPING',
    stage: 'SCOPING',
    overdue: false,
    nextDueAt: null,
    certificateStatus: null,
    certificateExpiresOn: null,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A scope approval link's payload for the sponsor, signed by whoever holds `secret`, valid until `exp` (seconds). */
export function linkPayload(
  secret: string,
  exp: number,
  over: Partial<ApprovalTokenPayload> = {},
): ApprovalTokenPayload {
  const requestId = 'c1.SCOPING.1/scope/v1/r1';
  return {
    v: 1,
    programmeId: 'p-1',
    stepKey: 'c1.SCOPING.1',
    gate: 'scope',
    approver: 'sponsor@acme.test',
    artefactSha256: 'a'.repeat(64),
    requestId,
    nonce: deriveNonce(secret, 'p-1', requestId, 'sponsor@acme.test'),
    exp,
    intendedOutcome: 'approved',
    ...over,
  };
}
