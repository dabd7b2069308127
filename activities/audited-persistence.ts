/**
 * Audit events of the workflows' own changes (step entered, cycle ended, withdrawn, certificate
 * active, lapsed or withdrawn), appended by the persistence activities with the actor
 * `system`, the server clock, and where in Temporal the change happened. Each append has a
 * dedupe key, so an activity retried after a crash appends nothing twice.
 */
import { Context } from '@temporalio/activity';
import type { PersistenceActivities, SaveRecords, TransitionRecord } from '../domain/contracts/persistence';
import type { AuditDraft, TemporalEventRef } from '../domain/audit-chain';
import type { ProgrammeRepository } from '../db/repository';
import type { AuditTrail } from '../services/audit-trail/service';
import { programmeStateDigest } from '../services/audit-trail/state-digest';

const SYSTEM = { actorId: 'system', actorRole: 'system' } as const;

/** The running activity's place in its workflow; undefined when called outside an activity. */
function activityRef(): TemporalEventRef | undefined {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return undefined;
  }
  const execution = info.workflowExecution;
  if (!execution) return undefined;
  return { workflowId: execution.workflowId, runId: execution.runId, activityId: info.activityId };
}

function transitionAction(t: TransitionRecord): string {
  if (t.to === 'CYCLE_END') return 'cycle.ended';
  if (t.to === 'WITHDRAWN') return 'programme.withdrawn';
  return `step.entered:${t.to}`;
}

export function auditedPersistence(
  inner: PersistenceActivities,
  repo: ProgrammeRepository,
  trail: AuditTrail,
): PersistenceActivities {
  const draft = (
    programmeId: string,
    fields: Pick<AuditDraft, 'action' | 'subject' | 'beforeDigest' | 'afterDigest' | 'dedupeKey'>,
    workflowTime: string | undefined,
  ): AuditDraft => ({
    chainId: programmeId,
    at: new Date().toISOString(),
    ...SYSTEM,
    ...fields,
    temporalEvent: { ...activityRef(), ...(workflowTime && { workflowTime }) },
  });

  return {
    ...inner,
    async recordTransition(transition, status) {
      const before = await programmeStateDigest(repo, transition.programmeId);
      await inner.recordTransition(transition, status);
      const after = await programmeStateDigest(repo, transition.programmeId);
      await trail.append(
        draft(
          transition.programmeId,
          {
            action: transitionAction(transition),
            subject: transition.id,
            // On a retry the transition is already stored, so "before" equals "after"; the
            // dedupe key then returns the first attempt's event anyway.
            beforeDigest: before,
            afterDigest: after,
            dedupeKey: `transition:${transition.id}`,
          },
          transition.at,
        ),
      );
      // The head, not this event: it also anchors whatever the API appended meanwhile.
      return (await trail.head(transition.programmeId)) ?? undefined;
    },
    // The workflows pass a certificate only when its status changes (issued or restored,
    // lapsed, withdrawn), so each one is an event; its action follows from the status alone,
    // which a retry after the save sees unchanged.
    async saveRecords(save: SaveRecords) {
      const { programmeId } = save;
      const certificate = save.changes.certificate;
      const ref = activityRef();
      // Without an activity identity (direct calls) a retry could not be told from a new event.
      if (!certificate || !ref) return inner.saveRecords(save);
      const before = await programmeStateDigest(repo, programmeId);
      await inner.saveRecords(save);
      await trail.append(
        draft(
          programmeId,
          {
            action: `certificate.${certificate.status.toLowerCase()}`,
            subject: certificate.number,
            beforeDigest: before,
            afterDigest: await programmeStateDigest(repo, programmeId),
            dedupeKey: `records:${ref.workflowId}/${ref.runId}/${ref.activityId}`,
          },
          certificate.status === 'LAPSED' ? certificate.lapsedAt : undefined,
        ),
      );
    },
  };
}
