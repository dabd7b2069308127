/**
 * Search attributes make programmes filterable in the Temporal Web UI and CLI, e.g.
 * `AimsStage = "SURVEILLANCE" AND AimsOverdue = true`. The programme workflow carries them all
 * and upserts them on every transition. Its children carry the ones fixed for their lifetime
 * (programme id and organisation; a stage also its cycle, stage and step: child-metadata.ts),
 * so `AimsProgrammeId = "<id>"` lists a programme with its children; the changing ones
 * (overdue, next due, certificate status) stay on the programme, one row per programme. No PII
 * here: search attribute values are not encrypted.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const AimsStage = defineSearchAttributeKey('AimsStage', SearchAttributeType.KEYWORD);
export const AimsStep = defineSearchAttributeKey('AimsStep', SearchAttributeType.KEYWORD);
export const AimsOrganisation = defineSearchAttributeKey('AimsOrganisation', SearchAttributeType.KEYWORD);
export const AimsProgrammeId = defineSearchAttributeKey('AimsProgrammeId', SearchAttributeType.KEYWORD);
export const AimsCycle = defineSearchAttributeKey('AimsCycle', SearchAttributeType.INT);
export const AimsNextDue = defineSearchAttributeKey('AimsNextDue', SearchAttributeType.DATETIME);
export const AimsOverdue = defineSearchAttributeKey('AimsOverdue', SearchAttributeType.BOOL);
export const AimsCertificateStatus = defineSearchAttributeKey(
  'AimsCertificateStatus',
  SearchAttributeType.KEYWORD,
);

export const ALL_SEARCH_ATTRIBUTES = [
  AimsStage,
  AimsStep,
  AimsOrganisation,
  AimsProgrammeId,
  AimsCycle,
  AimsNextDue,
  AimsOverdue,
  AimsCertificateStatus,
] as const;

/** CLI spelling of each type, for `temporal server start-dev --search-attribute Name=Type`. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.BOOL]: 'Bool',
};
