/** What every report document opens with: the programme facts and the report's identity. */
import type { ReportStamp } from './document';
import { REPORTS, type ReportKind } from '../../domain/report-kinds';
import type { Header } from './model-parts';

export function baseFacts(h: Header, stamp: ReportStamp): [string, string][] {
  return [
    ['Organisation', h.organisation],
    ['Programme', `${h.programme} (${h.programmeId})`],
    ['Catalogue', `ISO/IEC 42001:2023, catalogue ${h.catalogueVersion}`],
    ['Report version', String(stamp.version)],
    ['Generated', stamp.generatedAt],
  ];
}

export function identity(kind: ReportKind, key: string, h: Header, stamp: ReportStamp) {
  return {
    kind,
    key,
    title: REPORTS[kind].title,
    programmeId: h.programmeId,
    version: stamp.version,
    generatedAt: stamp.generatedAt,
  };
}
