/**
 * The reports an audit pack carries: the current version of every report the programme has the
 * records for (SoA, risk treatment plan, impact assessments, gap analysis, inventory, internal
 * audit report, management review minutes), as PDF and JSON. Generating is idempotent (a new
 * version only when the content changed), so asking for the pack makes a report current without
 * multiplying versions; a report that cannot be built yet is left out.
 */
import {
  createReportGenerator,
  ReportUnavailableError,
  type ReportGeneratorDeps,
} from '../reports/generator';
import type { ReportRepository } from '../../db/report-repository';
import type { ReportFormat, ReportKind } from '../../domain/report-kinds';
import { REPORT_TITLES } from '../../domain/report-kinds';

export interface PackReportFile {
  kind: ReportKind;
  key: string;
  version: number;
  format: ReportFormat;
  content: Buffer;
  title: string;
  /** Clauses the report is the documented information of. */
  supports: string[];
}

export interface PackReports {
  current(programmeId: string): Promise<PackReportFile[]>;
}

/** Programme-wide reports, in the order the pack lists them. */
const KINDS: ReportKind[] = [
  'soa',
  'risk-treatment-plan',
  'gap-analysis',
  'inventory',
  'internal-audit',
  'management-review',
];
const FORMATS: ReportFormat[] = ['pdf', 'json'];

export const REPORT_SUPPORTS: Readonly<Record<ReportKind, readonly string[]>> = {
  soa: ['6.1.3'],
  'risk-treatment-plan': ['6.1.3', '8.3'],
  'impact-assessment': ['6.1.4', '8.4'],
  'gap-analysis': [],
  inventory: [],
  'internal-audit': ['9.2.1', '9.2.2', '10.2'],
  'management-review': ['9.3.1', '9.3.2', '9.3.3'],
};

export function packReports(deps: ReportGeneratorDeps & { reports: ReportRepository }): PackReports {
  const generator = createReportGenerator(deps);
  return {
    async current(programmeId) {
      const assessed = await deps.programmes.listArtefacts(programmeId, 'impactAssessment');
      const wanted: { kind: ReportKind; key: string }[] = [
        ...KINDS.map((kind) => ({ kind, key: '' })),
        ...[...new Set(assessed.map((a) => a.key))]
          .sort()
          .map((key) => ({ kind: 'impact-assessment' as const, key })),
      ];
      const files: PackReportFile[] = [];
      for (const { kind, key } of wanted) {
        let version: number;
        try {
          version = (await generator.generate({ programmeId, kind, key })).version;
        } catch (err) {
          if (err instanceof ReportUnavailableError) continue;
          throw err;
        }
        for (const format of FORMATS) {
          const file = await deps.reports.getFile(programmeId, kind, key, format, version);
          if (!file) continue;
          files.push({
            kind,
            key,
            version,
            format,
            content: file.content,
            title: `${REPORT_TITLES[kind]}${key ? ` ${key}` : ''}, version ${version} (${format.toUpperCase()})`,
            supports: [...REPORT_SUPPORTS[kind]],
          });
        }
      }
      return files;
    },
  };
}
