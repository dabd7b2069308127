/**
 * Writes the records an accepted input (or a decision, a deadline, a timer) changed: the facts
 * the workflow decided on, joined with the bodies the API stored for the input. Rows keep
 * exactly the shape they always had (the API and the reports read them as before): a task row
 * is its facts plus its title, a finding row its facts plus its description and the text of its
 * corrective action and verification, an artefact row its whole body.
 *
 * Runs inside the caller's transaction. Every write is an upsert by natural key, merged with
 * the row already there, so a retried activity writes the same rows again and nothing twice.
 */
import { In, type EntityManager, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { BodyPath, FindingText, RecordChanges } from '../domain/contracts/persistence';
import { discoveredTaskTitle } from '../domain/discoveries';
import type { CorrectiveActionFact, FindingFact, VerificationFact } from '../domain/facts';
import type { AssessmentItem, AuditRecord, CorrectiveAction, Finding, Verification } from '../domain/records';
import type { ScopeBody } from '../domain/schemas';
import { bodiesFor, valueAt } from './body-store';
import {
  ENTITY,
  type ArtefactRow,
  type AuditRow,
  type CertificateRow,
  type FindingRow,
  type TaskRow,
} from './entities';
import {
  fromFindingRow,
  fromTaskRow,
  toArtefactRow,
  toAssessmentRow,
  toAuditRow,
  toCertificateRow,
  toDecisionRow,
  toFindingRow,
  toTaskRow,
} from './mappers';

/** Rows per INSERT statement: keeps large record sets under every driver's parameter limit. */
const BATCH = 100;

async function upsert<T extends ObjectLiteral>(
  em: EntityManager,
  entity: string,
  rows: T[],
  key: (keyof T & string)[],
) {
  for (let i = 0; i < rows.length; i += BATCH)
    await em.getRepository<T>(entity).upsert(rows.slice(i, i + BATCH), { conflictPaths: key });
}

/** Every body reference a change makes, so each stored body is read once. */
function pathsOf(changes: RecordChanges): BodyPath[] {
  const paths: (BodyPath | undefined)[] = [
    ...(changes.assessments ?? []).map((a) => a.body),
    ...(changes.tasks ?? []).flatMap((t) => [t.created, t.closed]),
    ...(changes.artefacts ?? []).map((a) => a.body),
    ...(changes.audits ?? []).map((a) => a.body),
    ...(changes.findings ?? []).flatMap((f) => [
      f.text?.description,
      f.text?.correctiveAction,
      f.text?.verification,
    ]),
  ];
  return paths.filter((p): p is BodyPath => p !== undefined);
}

async function existing<R extends ObjectLiteral>(
  em: EntityManager,
  entity: string,
  programmeId: string,
  ids: string[],
): Promise<Map<string, R>> {
  if (ids.length === 0) return new Map();
  const rows: R[] = [];
  for (let i = 0; i < ids.length; i += BATCH)
    rows.push(
      ...(await em
        .getRepository<R>(entity)
        .findBy({ programmeId, id: In(ids.slice(i, i + BATCH)) } as unknown as FindOptionsWhere<R>)),
    );
  return new Map(rows.map((r) => [r.id as string, r]));
}

export async function writeRecords(
  em: EntityManager,
  programmeId: string,
  cycle: number,
  changes: RecordChanges,
): Promise<void> {
  const bodies = await bodiesFor(em, pathsOf(changes));
  const at = <T>(p: BodyPath): T => valueAt(bodies.get(p.id), p.path) as T;

  if (changes.assessments?.length) {
    const rows = changes.assessments.map((a) =>
      toAssessmentRow(programmeId, cycle, {
        ...at<AssessmentItem>(a.body),
        status: a.fact.status,
        assessedAt: a.fact.assessedAt,
      }),
    );
    await upsert(em, ENTITY.assessment, rows, ['programmeId', 'cycle', 'requirementId']);
  }

  if (changes.tasks?.length) {
    const before = await existing<TaskRow>(
      em,
      ENTITY.task,
      programmeId,
      changes.tasks.map((t) => t.fact.id),
    );
    const rows = changes.tasks.map(({ fact, created, discovered, closed }) => {
      const row = before.get(fact.id);
      const body = created ? at<{ title: string }>(created) : undefined;
      const update = closed ? at<{ note?: string; acceptedBy?: string }>(closed) : undefined;
      const title =
        body?.title ??
        (discovered
          ? discoveredTaskTitle(discovered.name, discovered.systemId)
          : row
            ? fromTaskRow(row).title
            : '');
      return toTaskRow(programmeId, {
        ...(row ? fromTaskRow(row) : {}),
        id: fact.id,
        requirementId: fact.requirementId,
        title,
        owner: fact.owner,
        deadline: fact.deadline,
        status: fact.status,
        ...(update && { note: update.note, acceptedBy: update.acceptedBy }),
        ...(fact.closedAt && { closedAt: fact.closedAt }),
      });
    });
    await upsert(em, ENTITY.task, rows, ['programmeId', 'id']);
  }

  if (changes.artefacts?.length) {
    const rows = changes.artefacts.map((a) => {
      const row: ArtefactRow = toArtefactRow(programmeId, { ...a, body: at(a.body) });
      // The body the workflow accepted is the body stored: its fingerprint proves it.
      if (row.sha256 !== a.sha256)
        throw new Error(`artefact ${a.kind} v${a.version}: stored body does not match its digest`);
      return row;
    });
    await upsert(em, ENTITY.artefact, rows, ['programmeId', 'kind', 'key', 'version']);
  }

  const newAudits = (changes.audits ?? []).filter((a) => a.body);
  if (newAudits.length) {
    const rows = newAudits.map(({ fact, body }) => {
      const input = at<{
        auditors: { name: string; email: string }[];
        independent: boolean;
        independence?: { statement: string; auditorResponsibleFor: string[] };
      }>(body as BodyPath);
      const record: AuditRecord = {
        id: fact.id,
        audit: fact.audit,
        stepKey: fact.stepKey,
        attempt: fact.attempt,
        firstDay: fact.firstDay,
        lastDay: fact.lastDay,
        auditors: input.auditors,
        independent: input.independent,
        ...(fact.planId && { planId: fact.planId }),
        ...(fact.scope && { scope: fact.scope }),
        ...(fact.auditorResponsibleFor && {
          independence: {
            statement: input.independence?.statement ?? '',
            auditorResponsibleFor: fact.auditorResponsibleFor,
          },
        }),
      };
      return toAuditRow(programmeId, record);
    });
    await upsert<AuditRow>(em, ENTITY.audit, rows, ['programmeId', 'id']);
  }

  if (changes.findings?.length) {
    const ids = changes.findings
      .flatMap((f) => [f.fact.id, f.text?.escalation?.from ?? ''])
      .filter((id) => id);
    const before = await existing<FindingRow>(em, ENTITY.finding, programmeId, [...new Set(ids)]);
    const rows = changes.findings.map(({ fact, text }) => {
      const row = before.get(fact.id);
      return toFindingRow(
        programmeId,
        findingRecord(fact, text ?? {}, row && fromFindingRow(row), before, at),
      );
    });
    await upsert<FindingRow>(em, ENTITY.finding, rows, ['programmeId', 'id']);
  }

  if (changes.approvals?.length) {
    await upsert(
      em,
      ENTITY.decision,
      changes.approvals.map((d) => toDecisionRow(programmeId, d)),
      ['id'],
    );
  }

  if (changes.certificate) {
    const c = changes.certificate;
    const row = await em
      .getRepository<CertificateRow>(ENTITY.certificate)
      .findOneBy({ programmeId, number: c.number });
    const scope =
      row?.scope ?? (c.scopeVersion ? await certifiedScope(em, programmeId, c.scopeVersion) : null);
    const { scopeVersion: _v, ...certificate } = c;
    await upsert(
      em,
      ENTITY.certificate,
      [toCertificateRow(programmeId, { ...certificate, ...(scope && { scope }) })],
      ['programmeId', 'number'],
    );
  }
}

/** The scope a certificate covers: the statement and AI systems in scope of that version. */
async function certifiedScope(em: EntityManager, programmeId: string, version: number) {
  const row = await em
    .getRepository<ArtefactRow>(ENTITY.artefact)
    .findOneBy({ programmeId, kind: 'scope', key: '', version });
  const body = row?.body as ScopeBody | undefined;
  return body
    ? { statement: body.statement, aiSystemIds: body.aiSystems.filter((s) => s.inScope).map((s) => s.id) }
    : null;
}

function correctiveActionRecord(fact: CorrectiveActionFact, body: object | undefined): CorrectiveAction {
  return { ...(body as Omit<CorrectiveAction, keyof CorrectiveActionFact>), ...fact };
}

/**
 * A verification's text comes from a verification input or from one entry of an audit's
 * `verifications`; the latter also names its finding, which the record it is part of already is.
 */
function verificationRecord(fact: VerificationFact, body: object | undefined): Verification {
  const { findingId: _finding, ...text } = (body ?? {}) as Omit<Verification, keyof VerificationFact> & {
    findingId?: string;
  };
  return { ...text, ...fact };
}

/**
 * A finding's row from its facts: the description comes with the finding (or, for a major NC
 * raised from a minor one, quotes it); the texts of its corrective action and verification come
 * with the inputs that recorded them and stay as they are while only facts change.
 */
function findingRecord(
  fact: FindingFact,
  text: FindingText,
  row: Finding | undefined,
  rows: Map<string, FindingRow>,
  at: <T>(p: BodyPath) => T,
): Finding {
  let description = row?.description ?? '';
  if (text.description) description = at<string>(text.description);
  if (text.escalation) {
    const minor = rows.get(text.escalation.from);
    const quoted = minor ? fromFindingRow(minor).description : '';
    description = `Raised from minor nonconformity ${text.escalation.from} (${text.escalation.fromAudit} audit), not verified as corrected at this ${text.escalation.atAudit} audit: ${quoted}`;
  }
  const actionBody = text.correctiveAction ? at<object>(text.correctiveAction) : undefined;
  const verificationBody = text.verification ? at<object>(text.verification) : undefined;
  const correctiveAction = fact.correctiveAction
    ? correctiveActionRecord(fact.correctiveAction, actionBody ?? row?.correctiveAction)
    : undefined;
  const verification = fact.verification
    ? verificationRecord(fact.verification, verificationBody ?? row?.verification)
    : undefined;
  // An action verified as not effective moves, with that verification, to the finding's history.
  const previousActions = (fact.track?.previousActions ?? []).map((p) => {
    const kept = row?.track?.previousActions?.find((x) => x.recordedAt === p.recordedAt);
    if (kept) return kept;
    const { verification: v, ...action } = p;
    return {
      ...correctiveActionRecord(action, row?.correctiveAction),
      verification: verificationRecord(v, verificationBody),
    };
  });
  const track: Finding['track'] = fact.track && {
    ...fact.track,
    previousActions: fact.track.previousActions ? previousActions : undefined,
  };
  return {
    id: fact.id,
    audit: fact.audit,
    auditId: fact.auditId,
    stepKey: fact.stepKey,
    grade: fact.grade,
    requirementId: fact.requirementId,
    description,
    status: fact.status,
    raisedAt: fact.raisedAt,
    ...(correctiveAction && { correctiveAction }),
    ...(verification && { verification }),
    ...(track && { track }),
  };
}
