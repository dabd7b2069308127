/**
 * The before/after digest of an audit event: SHA-256 over the canonical JSON of everything the
 * database holds about a programme's journey (its row and every domain record). Two digests
 * that differ prove the change touched the stored state; equal ones that it did not.
 */
import { canonicalJson, sha256Hex } from '../domain/fingerprint';
import type { ProgrammeStore } from '../api/store';

/** The reads a digest needs; the repository and the API's store both provide them. */
export type StateReader = Pick<
  ProgrammeStore,
  | 'getProgramme'
  | 'listTransitions'
  | 'listAssessments'
  | 'listTasks'
  | 'listArtefacts'
  | 'listAudits'
  | 'listFindings'
  | 'listDecisions'
  | 'listCertificates'
>;

/** null when the programme does not exist (yet). */
export async function programmeStateDigest(store: StateReader, programmeId: string): Promise<string | null> {
  const row = await store.getProgramme(programmeId);
  if (!row) return null;
  const [transitions, assessments, tasks, artefacts, audits, findings, decisions, certificates] =
    await Promise.all([
      store.listTransitions(programmeId),
      store.listAssessments(programmeId),
      store.listTasks(programmeId),
      store.listArtefacts(programmeId),
      store.listAudits(programmeId),
      store.listFindings(programmeId),
      store.listDecisions(programmeId),
      store.listCertificates(programmeId),
    ]);
  // Bookkeeping time only: it moves on every write without the state changing.
  const { updatedAt: _updatedAt, ...programme } = row;
  // The JSON round trip turns dates and row objects into plain values, which canonicalJson sorts.
  return sha256Hex(
    canonicalJson(
      JSON.parse(
        JSON.stringify({
          programme,
          transitions,
          assessments,
          tasks,
          artefacts,
          audits,
          findings,
          decisions,
          certificates,
        }),
      ),
    ),
  );
}
