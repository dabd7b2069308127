/**
 * THE table of approval artefacts: for each kind, which version is up for approval, its
 * fingerprint and submitter, where its body is stored, and a few lines describing a version for
 * the approval e-mail and page. Keyed by `ArtefactKind`, so a missing kind does not compile.
 */
import { fingerprint } from './fingerprint';
import type { DocumentFact, ProgrammeFacts } from './facts';
import { evaluateGate } from './gates';
import type { certificationBodyBodySchema } from './inputs/certification-body';
import type { managementReviewBodySchema } from './inputs/management-review';
import type { policyBodySchema } from './inputs/policy';
import type { riskTreatmentPlanBodySchema } from './inputs/risk-treatment-plan';
import type { scopeBodySchema } from './inputs/scope';
import type { soaBodySchema } from './inputs/soa';
import { AI_POLICY_ID } from './inputs/policy';
import type { z as Zod } from 'zod';
import type { StepContext } from './queries';
import type { ArtefactKind } from './vocabulary';

/** Where the body of an artefact version is stored: a row of the artefacts table, or (the roadmap) the assessments and tasks. */
export type ArtefactSource = { from: 'artefact'; kind: string; key: string } | { from: 'roadmap' };

/** The roadmap as its summary reads it from the records. */
export interface RoadmapBody {
  assessments: { requirementId: string; status: string }[];
  tasks: { id: string; requirementId: string; title: string; owner: string; deadline: string }[];
}

export interface ArtefactDefinition {
  /** The version up for approval now; 0 when nothing is ready to approve. */
  version(f: ProgrammeFacts, ctx: StepContext): number;
  /** The current version's fingerprint, time and submitter. */
  document(f: ProgrammeFacts): DocumentFact | undefined;
  source: ArtefactSource;
  /**
   * Assembled from many records (the roadmap): a new version is sent for approval only once
   * edits have settled (ProgrammeConfig.approvalSettle), so a burst of edits makes one request.
   */
  settles?: boolean;
  /** A few plain lines describing a version, from its stored body. */
  summarise(body: unknown): string[];
}

const MAX_ITEMS = 5;

function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function more(total: number, shown: number): string[] {
  return total > shown ? [`… and ${total - shown} more`] : [];
}

const day = (iso: string) => iso.slice(0, 10);

/** The stored body of an artefact, as its input module defines it. */
type Body<S extends (...args: never[]) => Zod.ZodType> = Zod.output<ReturnType<S>>;

/** A single stored document: its version is the document's. */
function documentArtefact<B>(
  document: (f: ProgrammeFacts) => DocumentFact | undefined,
  source: ArtefactSource,
  summarise: (body: B) => string[],
): ArtefactDefinition {
  return {
    version: (f) => document(f)?.version ?? 0,
    document,
    source,
    summarise: (body) => (body ? summarise(body as B) : []),
  };
}

/** The roadmap's fingerprint covers each assessment and task by its digest, in id order. */
function roadmapDocument(f: ProgrammeFacts): DocumentFact {
  const assessments = Object.entries(f.assessments)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([requirementId, a]) => [requirementId, a.status, a.sha256]);
  const tasks = Object.values(f.tasks)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((t) => [t.id, t.requirementId, t.sha256]);
  return { version: f.roadmapVersion, sha256: fingerprint({ assessments, tasks }), submittedAt: '' };
}

export const ARTEFACTS: Record<ArtefactKind, ArtefactDefinition> = {
  scope: documentArtefact<Body<typeof scopeBodySchema>>(
    (f) => f.documents.scope,
    { from: 'artefact', kind: 'scope', key: '' },
    (scope) => {
      const inScope = scope.aiSystems.filter((s) => s.inScope);
      return [
        `Statement: ${clip(scope.statement)}`,
        `AI systems in scope (${inScope.length} of ${scope.aiSystems.length}): ${clip(
          inScope.map((s) => s.name).join(', '),
          400,
        )}`,
        `AI roles: ${scope.aiRoles.join(', ')}`,
        `Boundaries: ${clip(scope.boundaries)}`,
        `Locations: ${clip(scope.locations.join(', '))}`,
      ];
    },
  ),
  roadmap: {
    // The roadmap can only be approved once the whole catalogue is assessed and planned.
    version: (f, ctx) =>
      evaluateGate('allRequirementsAssessed', f, ctx) === null &&
      evaluateGate('everyGapHasTask', f, ctx) === null
        ? f.roadmapVersion
        : 0,
    document: roadmapDocument,
    source: { from: 'roadmap' },
    settles: true,
    summarise(body) {
      const { assessments, tasks } = body as RoadmapBody;
      const count = (status: string) => assessments.filter((a) => a.status === status).length;
      const sorted = [...tasks].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
      return [
        `${assessments.length} requirements assessed: ${count('compliant')} compliant, ${count('partially_compliant')} partially compliant, ${count('not_compliant')} not compliant, ${count('not_applicable')} not applicable`,
        `${tasks.length} roadmap tasks to close the gaps:`,
        ...sorted
          .slice(0, MAX_ITEMS)
          .map(
            (t) => `${t.id} (${t.requirementId}): ${clip(t.title, 120)}; ${t.owner}, due ${day(t.deadline)}`,
          ),
        ...more(tasks.length, MAX_ITEMS),
      ];
    },
  },
  aiPolicy: documentArtefact<Body<typeof policyBodySchema>>(
    (f) => f.policies[AI_POLICY_ID],
    { from: 'artefact', kind: 'policy', key: AI_POLICY_ID },
    (policy) => [`Title: ${clip(policy.title)}`, `Document: ${clip(policy.documentRef)}`],
  ),
  riskTreatmentPlan: documentArtefact<Body<typeof riskTreatmentPlanBodySchema>>(
    (f) => f.documents.riskTreatmentPlan,
    { from: 'artefact', kind: 'riskTreatmentPlan', key: '' },
    ({ risks }) => [
      `${risks.length} risks, with their treatment and the residual risk to accept (likelihood × severity):`,
      ...risks
        .slice(0, MAX_ITEMS)
        .map(
          (r) =>
            `${r.id}: ${clip(r.title, 120)}; ${r.treatment}, residual ${r.residualLikelihood}×${r.residualSeverity} (inherent ${r.likelihood}×${r.severity})`,
        ),
      ...more(risks.length, MAX_ITEMS),
    ],
  ),
  soa: documentArtefact<Body<typeof soaBodySchema>>(
    (f) => f.documents.soa,
    { from: 'artefact', kind: 'soa', key: '' },
    ({ entries }) => {
      const applicable = entries.filter((e) => e.applicable);
      const implemented = applicable.filter((e) => e.implementationStatus === 'implemented');
      const excluded = entries.filter((e) => !e.applicable).map((e) => e.controlId);
      return [
        `${applicable.length} of ${entries.length} controls applicable; ${implemented.length} of those implemented`,
        `Excluded: ${excluded.length > 0 ? clip(excluded.join(', '), 400) : 'none'}`,
      ];
    },
  ),
  managementReview: documentArtefact<Body<typeof managementReviewBodySchema>>(
    (f) => f.documents.managementReview,
    { from: 'artefact', kind: 'managementReview', key: '' },
    (review) => [
      `Held on ${day(review.heldOn)} with ${clip(review.attendees.map((a) => a.name).join(', '), 300)}`,
      ...review.decisions.slice(0, MAX_ITEMS).map((x) => `${clip(x.topic, 80)}: ${clip(x.decision, 160)}`),
      ...more(review.decisions.length, MAX_ITEMS),
    ],
  ),
  certificationBody: documentArtefact<Body<typeof certificationBodyBodySchema>>(
    (f) => f.documents.certificationBody,
    { from: 'artefact', kind: 'certificationBody', key: '' },
    (body) => [
      `${body.name}, accredited by ${body.accreditationBody}`,
      ...(body.contact ? [`Contact: ${body.contact}`] : []),
    ],
  ),
};

/** Where a kind's stored body can be downloaded (GET /programmes/{id}/artefacts/{kind}?key=); none for the roadmap. */
export function artefactLocation(artefact: ArtefactKind): { kind: string; key: string } | undefined {
  const source = ARTEFACTS[artefact].source;
  return source.from === 'artefact' ? { kind: source.kind, key: source.key } : undefined;
}
