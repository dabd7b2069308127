/**
 * The before/after digest of an audit event: SHA-256 over the canonical JSON of everything the
 * database holds about a programme's journey (its row and every domain record). Two digests
 * that differ prove the change touched the stored state; equal ones that it did not.
 */
import { canonicalJson, sha256Hex } from '../../domain/fingerprint';

type Rows = Promise<readonly object[]>;

/** The reads a digest needs; the repository and the API's store both provide them. */
export interface StateReader {
  getProgramme(programmeId: string): Promise<object | null | undefined>;
  listTransitions(programmeId: string): Rows;
  listAssessments(programmeId: string): Rows;
  listTasks(programmeId: string): Rows;
  listArtefacts(programmeId: string): Rows;
  listAudits(programmeId: string): Rows;
  listFindings(programmeId: string): Rows;
  listDecisions(programmeId: string): Rows;
  listCertificates(programmeId: string): Rows;
}

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
  const { updatedAt: _updatedAt, ...programme } = row as { updatedAt?: unknown };
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
