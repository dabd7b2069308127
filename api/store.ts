/**
 * The read model the HTTP layer needs, and nothing more. `db/repository.ts` satisfies it
 * structurally; keeping it narrow lets the routes be tested against an in-memory fake.
 * The record types name only the fields the API reads: everything else a record carries is
 * passed through to the client as stored. They describe what the repository returns
 * (`StoredProgramme`, `StoredArtefact` in db/mappers.ts), not the table rows of db/entities.ts.
 */
import type { BodyRef, FactsPage, ProgrammeRecord } from '../domain/contracts/persistence';
import type { Certificate } from '../domain/views';
import type { CertificateStatus, ProgrammeStatus } from '../domain/vocabulary';

export interface NewProgrammeRow extends ProgrammeRecord {
  createdAt: string;
}

/** A programme as the database last recorded it (the live state comes from its workflow). */
export interface ProgrammeInStore {
  programmeId: string;
  organisation: string;
  name: string;
  workflowId: string;
  config?: unknown;
  status?: ProgrammeStatus;
  cycle?: number;
  step?: string | null;
  stage?: string | null;
  overdue?: boolean;
  nextDueAt?: string | Date | null;
  certificateStatus?: CertificateStatus | null;
  certificateExpiresOn?: string | null;
  createdAt?: string | Date;
  updatedAt?: string | Date;
}

export interface ProgrammeFilter {
  stage?: string;
  organisation?: string;
  status?: ProgrammeStatus;
  limit: number;
  offset: number;
}

export interface ProgrammePage {
  items: ProgrammeInStore[];
  total: number;
}

/** A stored record the API returns as is. */
export type StoredRecord = object;

export interface IdentifiedRow {
  id: string;
}

/** A stored artefact version: which artefact, and which version of it. */
export interface ArtefactInStore {
  kind: string;
  key: string;
  version: number;
}

export interface ProgrammeStore {
  /** @throws an error named 'DuplicateError' when the id is taken */
  insertProgramme(row: NewProgrammeRow): Promise<unknown>;
  deleteProgramme(programmeId: string): Promise<unknown>;
  getProgramme(programmeId: string): Promise<ProgrammeInStore | null | undefined>;
  listProgrammes(filter: ProgrammeFilter): Promise<ProgrammePage>;
  listTransitions(programmeId: string): Promise<StoredRecord[]>;
  listAssessments(programmeId: string, cycle?: number): Promise<StoredRecord[]>;
  listTasks(programmeId: string): Promise<IdentifiedRow[]>;
  listArtefacts(programmeId: string, kind?: string): Promise<ArtefactInStore[]>;
  getArtefact(
    programmeId: string,
    kind: string,
    key: string,
    version?: number,
  ): Promise<ArtefactInStore | null | undefined>;
  listAudits(programmeId: string): Promise<IdentifiedRow[]>;
  listFindings(programmeId: string): Promise<IdentifiedRow[]>;
  /** One task or finding by id, without reading the others. */
  getTask(programmeId: string, id: string): Promise<object | null>;
  getFinding(programmeId: string, id: string): Promise<object | null>;
  listDecisions(programmeId: string): Promise<StoredRecord[]>;
  listCertificates(programmeId: string): Promise<Certificate[]>;
  /** Stores an input's body for the stage to accept; the workflow gets only the reference. */
  stageBody(programmeId: string, kind: string, body: object): Promise<BodyRef>;
  /** The stage rejected the input, or wrote its records: the stored body goes. */
  discardBody(ref: BodyRef): Promise<unknown>;
  /** A page of the facts the workflows keep about the programme (db/facts-store.ts). */
  loadFacts(programmeId: string, stepKey?: string, cursor?: string): Promise<FactsPage>;
  /** Resolves when the database answers; used by /readyz. */
  ping(): Promise<unknown>;
}

/**
 * Matched by name rather than class so the API does not import the database layer (and its
 * driver) just to recognise one error.
 */
export function isDuplicateError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'DuplicateError';
}
