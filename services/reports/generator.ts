/**
 * Report generation: read the records, build the model, and store a new version in every
 * format only when the content changed since the last version (idempotent: a retry, or a
 * second request with the same data, returns the stored version). Two generations racing for
 * the same version number are settled by the primary key: the loser re-reads and either finds
 * its content stored or takes the next number. The report activity and the audit pack both
 * generate through this.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../domain/fingerprint';
import { DuplicateError } from '../../db/errors';
import { failPoint } from '../../infra/fail-points';
import type { EvidenceRepository } from '../../db/evidence-repository';
import type { InventoryRepository } from '../../db/inventory-repository';
import type { KpiRepository } from '../../db/kpi-repository';
import type { ReportRepository } from '../../db/report-repository';
import type { ProgrammeRepository } from '../../db/repository';
import type { ManagementReviewBody, ScopeBody } from '../../domain/schemas';
import {
  compileReviewInputs,
  reviewRecordsAsOf,
  type ReviewInputs,
} from '../../domain/kpis/management-review-inputs';
import { buildInventoryView } from '../../domain/inventory/view';
import { toDocument } from './documents';
import type { AuditRecord } from '../../domain/records';
import { cycleOfStepKey } from '../../domain/queries';
import { CONTENT_TYPES, CYCLE_KEY, REPORTS, type ReportVersionSummary } from '../../domain/report-kinds';
import { reportBuilder } from './kinds';
import { artefactVersionOf, buildModel, ReportUnavailableError, type ReportSources } from './models';

export { ReportUnavailableError } from './models';
import { renderReport } from './render';
import type { GenerateReportInput } from '../../domain/contracts/analysis';

const MAX_VERSION_RACES = 5;

export interface ReportGeneratorDeps {
  programmes: ProgrammeRepository;
  inventory: InventoryRepository;
  reports: ReportRepository;
  /** The evidence register, cited by the internal audit report. */
  evidence?: EvidenceRepository;
  /** KPI snapshots, an input of the management review minutes. */
  kpis?: KpiRepository;
  now?: () => number;
  /**
   * Called between the phases of a generation; the report activity tells Temporal it is alive
   * (a worker that dies mid-report is then noticed within the heartbeat timeout).
   */
  heartbeat?: () => void;
}

/** The cycle an internal audit report covers: the one its key names, else the latest with an internal audit. */
function reportedCycle(key: string, audits: readonly AuditRecord[]): number {
  const named = CYCLE_KEY.exec(key);
  if (named) return Number(named[1]);
  return Math.max(0, ...audits.filter((a) => a.audit === 'internal').map((a) => cycleOfStepKey(a.stepKey)));
}

/** Every version of one artefact kind, oldest first, with bodies. */
async function versionsOf<T>(programmes: ProgrammeRepository, programmeId: string, kind: string) {
  const summaries = (await programmes.listArtefacts(programmeId, kind)).sort((a, b) => a.version - b.version);
  const full = await Promise.all(
    summaries.map((a) => programmes.getArtefact(programmeId, kind, a.key, a.version)),
  );
  return full
    .filter((a) => a !== null)
    .map((a) => ({ version: a.version, submittedAt: a.submittedAt, body: a.body as T }));
}

/** The inputs of the latest management review, compiled from the records as they stood when it was submitted. */
async function reviewInputsFor(
  deps: Omit<ReportGeneratorDeps, 'reports'>,
  programmeId: string,
  review: { version: number; submittedAt: string },
): Promise<ReviewInputs> {
  const { programmes } = deps;
  const [scopes, reviews, tasks, audits, findings, kpiSnapshots] = await Promise.all([
    versionsOf<ScopeBody>(programmes, programmeId, 'scope'),
    versionsOf<ManagementReviewBody>(programmes, programmeId, 'managementReview'),
    programmes.listTasks(programmeId),
    programmes.listAudits(programmeId),
    programmes.listFindings(programmeId),
    deps.kpis ? deps.kpis.list(programmeId) : Promise.resolve([]),
  ]);
  const at = Date.parse(review.submittedAt);
  return compileReviewInputs(
    reviewRecordsAsOf(
      {
        now: at,
        scopes,
        // The actions to follow up are those of the reviews before this one.
        reviews: reviews.filter((r) => r.version < review.version),
        tasks,
        audits,
        findings,
        kpiSnapshots,
      },
      at,
    ),
  );
}

export async function gatherSources(
  deps: Omit<ReportGeneratorDeps, 'reports'>,
  input: GenerateReportInput,
  now: number,
): Promise<ReportSources> {
  const { programmes, inventory } = deps;
  const programme = await programmes.getProgramme(input.programmeId);
  if (!programme) throw new ReportUnavailableError(`no programme ${input.programmeId}`);
  const artefact = (kind: string, key = '') => programmes.getArtefact(input.programmeId, kind, key);
  const reads = new Set(reportBuilder(input.kind).reads);
  const auditReport = reads.has('auditRecords');
  const [assessments, tasks, decisions, scope, soa, riskTreatmentPlan, impactAssessment, systems] =
    await Promise.all([
      programmes.listAssessments(input.programmeId),
      programmes.listTasks(input.programmeId),
      programmes.listDecisions(input.programmeId),
      artefact('scope'),
      artefact('soa'),
      artefact('riskTreatmentPlan'),
      reads.has('impactAssessment') ? artefact('impactAssessment', input.key) : Promise.resolve(null),
      inventory.listSystems(input.programmeId),
    ]);
  const [audits, findings, evidence, managementReview] = auditReport
    ? await Promise.all([
        programmes.listAudits(input.programmeId),
        programmes.listFindings(input.programmeId),
        deps.evidence ? deps.evidence.list(input.programmeId) : Promise.resolve([]),
        artefact('managementReview'),
      ])
    : [undefined, undefined, undefined, null];
  // The audit programme of the cycle reported on (stored per cycle, key c<n>).
  const auditProgramme =
    reads.has('auditProgramme') && audits
      ? await artefact('auditProgramme', `c${reportedCycle(input.key, audits)}`)
      : null;
  const reviewInputs =
    reads.has('reviewInputs') && managementReview
      ? await reviewInputsFor(deps, input.programmeId, managementReview)
      : undefined;
  return {
    cycle: programme.cycle,
    ...(audits ? { audits } : {}),
    ...(findings ? { findings } : {}),
    ...(evidence
      ? {
          evidence: evidence.map((e) => ({
            id: e.id,
            key: e.key,
            version: e.version,
            title: e.title,
            sha256: e.sha256,
            requirementIds: e.requirementIds,
            createdAt: e.createdAt,
          })),
        }
      : {}),
    ...(managementReview ? { managementReview } : {}),
    ...(auditProgramme ? { auditProgramme } : {}),
    ...(reviewInputs ? { reviewInputs } : {}),
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

export interface ReportGenerator {
  /** @throws ReportUnavailableError when the records for the report do not exist yet */
  generate(input: GenerateReportInput): Promise<ReportVersionSummary>;
}

export function createReportGenerator(deps: ReportGeneratorDeps): ReportGenerator {
  const now = deps.now ?? (() => Date.now());
  const heartbeat = deps.heartbeat ?? (() => undefined);

  async function generateReport(input: GenerateReportInput): Promise<ReportVersionSummary> {
    const at = now();
    heartbeat();
    const sources = await gatherSources(deps, input, at);
    heartbeat();
    const model = buildModel(input.kind, input.key, sources);
    const sourceSha256 = sha256Hex(canonicalJson(model));
    for (let race = 0; race < MAX_VERSION_RACES; race++) {
      const latest = await deps.reports.latest(input.programmeId, input.kind, input.key);
      if (latest && latest.sourceSha256 === sourceSha256) return { ...latest, created: false };
      const stamp = { version: (latest?.version ?? 0) + 1, generatedAt: new Date(at).toISOString() };
      const document = toDocument(model, stamp, input.key);
      const files = await Promise.all(
        REPORTS[input.kind].formats.map(async (format) => {
          const content = await renderReport(document, format, stamp);
          heartbeat();
          return {
            format,
            contentType: CONTENT_TYPES[format],
            content,
            sha256: createHash('sha256').update(content).digest('hex'),
          };
        }),
      );
      const artefactVersion = artefactVersionOf(model);
      heartbeat();
      await failPoint('report.before-store');
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

  return { generate: generateReport };
}
