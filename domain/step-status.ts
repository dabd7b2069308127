/**
 * Where a step stands: the version of each artefact up for approval, the decisions recorded on
 * them, and every exit gate still unmet with its reason. Pure.
 */
import { ARTEFACTS } from './artefacts';
import type { ApprovalState, ProgrammeFacts } from './facts';
import { evaluateGate } from './gates';
import type { ApprovalDef } from './process-model';
import { decisionOn, type StepContext } from './queries';
import type { PendingApproval, UnmetGate } from './views';
import { APPROVER_ROLE_LABELS, type ArtefactKind } from './vocabulary';

export type { PendingApproval, UnmetGate } from './views';

/** Current version of an artefact, or 0 when nothing is ready to approve. */
export function artefactVersion(f: ProgrammeFacts, artefact: ArtefactKind, ctx: StepContext): number {
  return ARTEFACTS[artefact].version(f, ctx);
}

export function approverEmail(f: ProgrammeFacts, def: ApprovalDef): string | undefined {
  return f.documents.scope?.people[def.approverRole].email;
}

/** The decision recorded for the current version of the gate's artefact, if any. */
export function decisionFor(
  f: ProgrammeFacts,
  ctx: StepContext,
  def: ApprovalDef,
): ApprovalState | undefined {
  return decisionOn(f, ctx, def.gate, artefactVersion(f, def.artefact, ctx));
}

export function isApproved(f: ProgrammeFacts, ctx: StepContext, def: ApprovalDef): boolean {
  return decisionFor(f, ctx, def)?.outcome === 'approved';
}

export function pendingApprovals(f: ProgrammeFacts, ctx: StepContext): PendingApproval[] {
  return ctx.step.approvals
    .filter((def) => artefactVersion(f, def.artefact, ctx) > 0 && !isApproved(f, ctx, def))
    .map((def) => ({
      gate: def.gate,
      artefact: def.artefact,
      artefactVersion: artefactVersion(f, def.artefact, ctx),
      approverRole: def.approverRole,
      approverEmail: approverEmail(f, def),
      lastOutcome: decisionFor(f, ctx, def)?.outcome,
    }));
}

function approvalGateReason(f: ProgrammeFacts, ctx: StepContext, def: ApprovalDef): string | null {
  const version = artefactVersion(f, def.artefact, ctx);
  if (version === 0) return `${def.title}: nothing submitted for approval yet`;
  const state = decisionFor(f, ctx, def);
  if (!state)
    return `${def.title} v${version}: awaiting a decision by ${APPROVER_ROLE_LABELS[def.approverRole]}`;
  if (state.outcome === 'approved') return null;
  return `${def.title} v${version}: ${state.outcome.replace('_', ' ')} by ${state.approver}${
    state.comment ? ` (${state.comment})` : ''
  }; submit a revised version`;
}

export function unmetGates(f: ProgrammeFacts, ctx: StepContext): UnmetGate[] {
  const unmet: UnmetGate[] = [];
  for (const gate of ctx.step.gates) {
    const reason = evaluateGate(gate, f, ctx);
    if (reason) unmet.push({ gate, reason });
  }
  for (const def of ctx.step.approvals) {
    const reason = approvalGateReason(f, ctx, def);
    if (reason) unmet.push({ gate: `approval:${def.gate}`, reason });
  }
  return unmet;
}
