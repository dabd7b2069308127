/**
 * The stored body of an approval artefact's version, and the few lines that describe it
 * (domain/artefacts.ts). The approval e-mail and the approval page read it from the records,
 * so the workflows never carry it.
 */
import { ARTEFACTS, type RoadmapBody } from '../domain/artefacts';
import type { ArtefactKind } from '../domain/vocabulary';

/** The reads a summary needs; the repository and the API's store both provide them. */
export interface ArtefactReader {
  getArtefact(
    programmeId: string,
    kind: string,
    key: string,
    version?: number,
  ): Promise<{ body?: unknown } | object | null | undefined>;
  listAssessments(programmeId: string): Promise<readonly object[]>;
  listTasks(programmeId: string): Promise<readonly object[]>;
}

type Assessed = RoadmapBody['assessments'][number];
type Planned = RoadmapBody['tasks'][number];

/** The body of `version` of the artefact; the roadmap is assembled from its records. */
export async function artefactBody(
  records: ArtefactReader,
  programmeId: string,
  artefact: ArtefactKind,
  version: number,
): Promise<unknown> {
  const source = ARTEFACTS[artefact].source;
  if (source.from === 'artefact') {
    const stored = await records.getArtefact(programmeId, source.kind, source.key, version);
    return stored && 'body' in stored ? stored.body : undefined;
  }
  const [assessments, tasks] = await Promise.all([
    records.listAssessments(programmeId),
    records.listTasks(programmeId),
  ]);
  const roadmap: RoadmapBody = {
    assessments: (assessments as Assessed[]).map((a) => ({
      requirementId: a.requirementId,
      status: a.status,
    })),
    tasks: (tasks as Planned[]).map((t) => ({
      id: t.id,
      requirementId: t.requirementId,
      title: t.title,
      owner: t.owner,
      deadline: t.deadline,
    })),
  };
  return roadmap;
}

/** A few plain lines describing `version` of the artefact; none when it cannot be read. */
export async function artefactSummary(
  records: ArtefactReader,
  programmeId: string,
  artefact: ArtefactKind,
  version: number,
): Promise<string[]> {
  const body = await artefactBody(records, programmeId, artefact, version);
  return body === undefined ? [] : ARTEFACTS[artefact].summarise(body);
}
