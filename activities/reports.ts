/**
 * Report generation: read the records, build the model, and store a new version in every
 * format only when the content changed since the last version (idempotent: a retry, or a
 * second request with the same data, returns the stored version). Two generations racing for
 * the same version number are settled by the primary key: the loser re-reads and either finds
 * its content stored or takes the next number.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../db/canonical-json';
import { DuplicateError } from '../db/errors';
import type { InventoryRepository } from '../db/inventory-repository';
import type { ReportRepository } from '../db/report-repository';
import type { ProgrammeRepository } from '../db/repository';
import type { ScopeBody } from '../domain/schemas';
import { buildInventoryView } from '../inventory/view';
import { toDocument } from '../reports/documents';
import { CONTENT_TYPES, FORMATS_OF, type ReportVersionSummary } from '../reports/kinds';
import { artefactVersionOf, buildModel, ReportUnavailableError, type ReportSources } from '../reports/models';
import { renderReport } from '../reports/render';
import type { GenerateReportInput, ReportActivities } from './analysis-contract';

/** The failure type the API answers with 409: the report cannot be built from what exists yet. */
export const REPORT_UNAVAILABLE = 'ReportUnavailable';

const MAX_VERSION_RACES = 5;

export interface ReportActivityDeps {
  programmes: ProgrammeRepository;
  inventory: InventoryRepository;
  reports: ReportRepository;
  now?: () => number;
}

export async function gatherSources(
  deps: Omit<ReportActivityDeps, 'reports'>,
  input: GenerateReportInput,
  now: number,
): Promise<ReportSources> {
  const { programmes, inventory } = deps;
  const programme = await programmes.getProgramme(input.programmeId);
  if (!programme)
    throw ApplicationFailure.nonRetryable(`no programme ${input.programmeId}`, REPORT_UNAVAILABLE);
  const artefact = (kind: string, key = '') => programmes.getArtefact(input.programmeId, kind, key);
  const [assessments, tasks, decisions, scope, soa, riskTreatmentPlan, impactAssessment, systems] =
    await Promise.all([
      programmes.listAssessments(input.programmeId),
      programmes.listTasks(input.programmeId),
      programmes.listDecisions(input.programmeId),
      artefact('scope'),
      artefact('soa'),
      artefact('riskTreatmentPlan'),
      input.kind === 'impact-assessment' ? artefact('impactAssessment', input.key) : Promise.resolve(null),
      inventory.listSystems(input.programmeId),
    ]);
  return {
    programme: {
      programmeId: programme.programmeId,
      organisation: programme.organisation,
      name: programme.name,
      config: programme.config,
    },
    assessments,
    tasks,
    decisions,
    ...(scope ? { scope } : {}),
    ...(soa ? { soa } : {}),
    ...(riskTreatmentPlan ? { riskTreatmentPlan } : {}),
    ...(impactAssessment ? { impactAssessment } : {}),
    inventory: buildInventoryView(systems, scope?.body as ScopeBody | undefined),
    now,
  };
}

export function createReportActivities(deps: ReportActivityDeps): ReportActivities {
  const now = deps.now ?? (() => Date.now());

  async function generateReport(input: GenerateReportInput): Promise<ReportVersionSummary> {
    const at = now();
    const sources = await gatherSources(deps, input, at);
    let model;
    try {
      model = buildModel(input.kind, input.key, sources);
    } catch (err) {
      if (err instanceof ReportUnavailableError)
        throw ApplicationFailure.nonRetryable(err.message, REPORT_UNAVAILABLE);
      throw err;
    }
    const sourceSha256 = sha256Hex(canonicalJson(model));
    for (let race = 0; race < MAX_VERSION_RACES; race++) {
      const latest = await deps.reports.latest(input.programmeId, input.kind, input.key);
      if (latest && latest.sourceSha256 === sourceSha256) return { ...latest, created: false };
      const stamp = { version: (latest?.version ?? 0) + 1, generatedAt: new Date(at).toISOString() };
      const document = toDocument(model, stamp);
      const files = await Promise.all(
        FORMATS_OF[input.kind].map(async (format) => {
          const content = await renderReport(document, format, stamp);
          return {
            format,
            contentType: CONTENT_TYPES[format],
            content,
            sha256: createHash('sha256').update(content).digest('hex'),
          };
        }),
      );
      const artefactVersion = artefactVersionOf(model);
      try {
        await deps.reports.insertVersion({
          programmeId: input.programmeId,
          kind: input.kind,
          key: input.key,
          version: stamp.version,
          sourceSha256,
          generatedAt: stamp.generatedAt,
          ...(artefactVersion === undefined ? {} : { artefactVersion }),
          files,
        });
      } catch (err) {
        if (err instanceof DuplicateError) continue;
        throw err;
      }
      return {
        programmeId: input.programmeId,
        kind: input.kind,
        key: input.key,
        version: stamp.version,
        sha256: files.find((f) => f.format === 'json')?.sha256 ?? '',
        sourceSha256,
        generatedAt: stamp.generatedAt,
        ...(artefactVersion === undefined ? {} : { artefactVersion }),
        created: true,
        files: files.map((f) => ({
          format: f.format,
          contentType: f.contentType,
          sha256: f.sha256,
          bytes: f.content.length,
        })),
      };
    }
    throw new Error(`could not store a new ${input.kind} report version after ${MAX_VERSION_RACES} attempts`);
  }

  return { generateReport };
}
