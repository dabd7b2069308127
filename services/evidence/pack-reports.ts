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
import { REPORT_KINDS, REPORTS, type ReportFormat, type ReportKind } from '../../domain/report-kinds';

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

/** Every kind, in the order the pack lists them. */
const KINDS = [...REPORT_KINDS].sort((a, b) => REPORTS[a].packOrder - REPORTS[b].packOrder);
const FORMATS: ReportFormat[] = ['pdf', 'json'];

export function packReports(deps: ReportGeneratorDeps & { reports: ReportRepository }): PackReports {
  const generator = createReportGenerator(deps);
  return {
    async current(programmeId) {
      // One report per programme (the latest cycle's, for a kind kept per cycle), or one per AI system with a record.
      const keysOf = async (kind: ReportKind): Promise<string[]> => {
        const keying = REPORTS[kind].key;
        if (keying.per !== 'aiSystem') return [''];
        const records = await deps.programmes.listArtefacts(programmeId, keying.input);
        return [...new Set(records.map((a) => a.key))].sort();
      };
      const keys = await Promise.all(KINDS.map(keysOf));
      const wanted = KINDS.flatMap((kind, i) => keys[i].map((key) => ({ kind, key })));
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
            title: `${REPORTS[kind].title}${key ? ` ${key}` : ''}, version ${version} (${format.toUpperCase()})`,
            supports: [...REPORTS[kind].supports],
          });
        }
      }
      return files;
    },
  };
}
