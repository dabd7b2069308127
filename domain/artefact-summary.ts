/**
 * A few plain lines describing an artefact version, for the approval e-mail and the
 * confirmation page: enough for an approver to recognise what they are asked to sign off
 * without opening the full record. Pure, so the workflow can compute it.
 */
import type { ArtefactKind, Dossier } from './types';

const MAX_ITEMS = 5;

function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function more(total: number, shown: number): string[] {
  return total > shown ? [`… and ${total - shown} more`] : [];
}

const day = (iso: string) => iso.slice(0, 10);

export function summariseArtefact(d: Dossier, artefact: ArtefactKind): string[] {
  switch (artefact) {
    case 'scope': {
      const scope = d.scope?.body;
      if (!scope) return [];
      const inScope = scope.aiSystems.filter((s) => s.inScope);
      return [
        `Statement: ${clip(scope.statement)}`,
        `AI systems in scope (${inScope.length} of ${scope.aiSystems.length}): ${inScope.map((s) => s.name).join(', ')}`,
        `AI roles: ${scope.aiRoles.join(', ')}`,
        `Boundaries: ${clip(scope.boundaries)}`,
        `Locations: ${scope.locations.join(', ')}`,
      ];
    }
    case 'roadmap': {
      const assessed = Object.values(d.assessments);
      const count = (status: string) => assessed.filter((a) => a.status === status).length;
      const tasks = Object.values(d.tasks).sort((a, b) => a.id.localeCompare(b.id));
      return [
        `${assessed.length} requirements assessed: ${count('compliant')} compliant, ${count('partially_compliant')} partially compliant, ${count('not_compliant')} not compliant, ${count('not_applicable')} not applicable`,
        `${tasks.length} roadmap tasks to close the gaps:`,
        ...tasks
          .slice(0, MAX_ITEMS)
          .map(
            (t) => `${t.id} (${t.requirementId}): ${clip(t.title, 120)}; ${t.owner}, due ${day(t.deadline)}`,
          ),
        ...more(tasks.length, MAX_ITEMS),
      ];
    }
    case 'aiPolicy': {
      const policy = d.policies['ai-policy']?.body;
      return policy ? [`Title: ${clip(policy.title)}`, `Document: ${clip(policy.documentRef)}`] : [];
    }
    case 'riskTreatmentPlan': {
      const risks = d.riskTreatmentPlan?.body.risks ?? [];
      return [
        `${risks.length} risks, with their treatment and the residual risk to accept (likelihood × severity):`,
        ...risks
          .slice(0, MAX_ITEMS)
          .map(
            (r) =>
              `${r.id}: ${clip(r.title, 120)}; ${r.treatment}, residual ${r.residualLikelihood}×${r.residualSeverity} (inherent ${r.likelihood}×${r.severity})`,
          ),
        ...more(risks.length, MAX_ITEMS),
      ];
    }
    case 'soa': {
      const entries = d.soa?.body.entries ?? [];
      const applicable = entries.filter((e) => e.applicable);
      const implemented = applicable.filter((e) => e.implementationStatus === 'implemented');
      const excluded = entries.filter((e) => !e.applicable).map((e) => e.controlId);
      return [
        `${applicable.length} of ${entries.length} controls applicable; ${implemented.length} of those implemented`,
        `Excluded: ${excluded.length > 0 ? excluded.join(', ') : 'none'}`,
      ];
    }
    case 'managementReview': {
      const review = d.managementReview?.body;
      if (!review) return [];
      return [
        `Held on ${day(review.heldOn)} with ${review.attendees.map((a) => a.name).join(', ')}`,
        ...review.decisions.slice(0, MAX_ITEMS).map((x) => `${clip(x.topic, 80)}: ${clip(x.decision, 160)}`),
        ...more(review.decisions.length, MAX_ITEMS),
      ];
    }
    case 'certificationBody': {
      const body = d.certificationBody?.body;
      if (!body) return [];
      return [
        `${body.name}, accredited by ${body.accreditationBody}`,
        ...(body.contact ? [`Contact: ${body.contact}`] : []),
      ];
    }
  }
}
