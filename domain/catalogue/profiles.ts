/**
 * What gap analysis needs to know about each requirement beyond its id and title: typical
 * evidence (our own words), whether ISO/IEC 27001 evidence of the same harmonised-structure
 * clause can be reused, the Annex C objectives it serves, and default gap-scoring factors
 * (1 low to 5 high) that an assessor may override per assessment. Pure data.
 */
import { ANNEX_C_OBJECTIVES, ANNEX_C_RISK_SOURCES, type AnnexCItem } from './annex-c';
import {
  CATALOGUE_VERSION,
  CLAUSES,
  CONTROL_GROUPS,
  CONTROLS,
  REQUIREMENTS,
  type ControlGroupId,
  type Requirement,
} from './iso42001';

export interface GapFactors {
  /** How much harm an unmet requirement lets through. */
  inherentRisk: number;
  /** How directly regulators (e.g. the EU AI Act) expect it. */
  regulatoryExposure: number;
  /** How much customers and the public would lose trust if it failed. */
  customerTrust: number;
  /** How long and hard meeting it is; hard work must start early. */
  implementationComplexity: number;
}

export const GAP_FACTOR_KEYS = [
  'inherentRisk',
  'regulatoryExposure',
  'customerTrust',
  'implementationComplexity',
] as const satisfies readonly (keyof GapFactors)[];

export interface RequirementProfile {
  readonly typicalEvidence: string;
  /** Harmonised-structure clause whose ISO/IEC 27001 evidence can be reused (clauses only). */
  readonly iso27001Shared: boolean;
  /** Annex C objectives (C.2.x) the requirement serves. */
  readonly objectives: readonly string[];
  readonly defaultFactors: GapFactors;
}

type Row = [
  evidence: string | null,
  shared: boolean,
  objectives: string[],
  factors: [number, number, number, number],
];

/** Controls take their evidence from iso42001.ts (null here); clauses have it here. */
const ROWS: Record<string, Row> = {
  '4.1': ['Context analysis with issues, climate relevance and AI roles', false, [], [3, 3, 2, 2]],
  '4.2': ['Register of interested parties and their requirements', true, [], [2, 3, 3, 2]],
  '4.3': ['Approved AIMS scope statement', false, [], [3, 4, 2, 1]],
  '4.4': ['Management-system description or process map', false, [], [3, 3, 2, 3]],
  '5.1': ['Leadership minutes and resourcing decisions', true, ['C.2.1'], [3, 3, 3, 2]],
  '5.2': ['Approved and communicated AI policy', false, ['C.2.1'], [3, 4, 4, 1]],
  '5.3': ['RACI and role descriptions', true, ['C.2.1'], [3, 3, 2, 2]],
  '6.1.1': ['Risk criteria and records of planned actions', false, [], [4, 4, 3, 3]],
  '6.1.2': ['AI risk assessment method', false, ['C.2.8', 'C.2.9', 'C.2.10'], [5, 5, 4, 3]],
  '6.1.3': ['Risk treatment plan, SoA and residual-risk acceptance', false, ['C.2.10'], [5, 5, 4, 3]],
  '6.1.4': ['Impact assessment procedure and template', false, ['C.2.5', 'C.2.7', 'C.2.11'], [5, 5, 5, 3]],
  '6.2': ['AI objectives with owners, targets and plans', false, [], [3, 3, 3, 2]],
  '6.3': ['Records of planned changes to the AIMS', true, [], [2, 2, 2, 2]],
  '7.1': ['Budget and staffing decisions', true, [], [3, 2, 2, 3]],
  '7.2': ['Training records and competence matrix', true, ['C.2.2'], [3, 3, 2, 3]],
  '7.3': ['Awareness sessions and attendance', true, ['C.2.2'], [2, 3, 2, 2]],
  '7.4': ['Communication plan', true, ['C.2.11'], [2, 2, 3, 2]],
  '7.5.1': ['Register of controlled documents', true, [], [2, 3, 2, 2]],
  '7.5.2': ['Document templates and approval records', true, [], [2, 3, 2, 2]],
  '7.5.3': ['Access, retention and versioning rules', true, ['C.2.10'], [2, 3, 2, 3]],
  '8.1': ['Operating procedures and change controls', true, [], [4, 3, 3, 3]],
  '8.2': ['Results of AI risk assessments', false, ['C.2.8', 'C.2.9', 'C.2.10'], [5, 5, 4, 3]],
  '8.3': ['Risk treatment results and effectiveness checks', false, ['C.2.10'], [5, 5, 4, 4]],
  '8.4': ['Completed impact assessments', false, ['C.2.5', 'C.2.7', 'C.2.11'], [5, 5, 5, 3]],
  '9.1': ['KPI dashboard and measurement records', true, ['C.2.8'], [3, 3, 3, 3]],
  '9.2.1': ['Internal audit procedure', true, [], [3, 3, 2, 2]],
  '9.2.2': ['Audit programme, plans and reports', true, [], [3, 4, 2, 3]],
  '9.3.1': ['Management review schedule', true, [], [3, 3, 2, 1]],
  '9.3.2': ['Review agenda covering the required inputs', true, [], [2, 3, 2, 1]],
  '9.3.3': ['Review minutes with decisions', true, [], [3, 3, 2, 1]],
  '10.1': ['Improvement log', true, [], [2, 2, 2, 2]],
  '10.2': ['Nonconformity and corrective-action log', true, ['C.2.1'], [4, 3, 3, 2]],

  'A.2.2': [null, false, ['C.2.1'], [3, 4, 4, 1]],
  'A.2.3': [null, false, [], [2, 2, 2, 2]],
  'A.2.4': [null, false, [], [2, 3, 2, 1]],
  'A.3.2': [null, false, ['C.2.1'], [3, 3, 2, 2]],
  'A.3.3': [null, false, ['C.2.1', 'C.2.11'], [3, 3, 4, 2]],
  'A.4.2': [null, false, ['C.2.6'], [3, 3, 2, 2]],
  'A.4.3': [null, false, ['C.2.3'], [4, 4, 3, 3]],
  'A.4.4': [null, false, ['C.2.6'], [2, 2, 2, 2]],
  'A.4.5': [null, false, ['C.2.4', 'C.2.6'], [3, 2, 2, 3]],
  'A.4.6': [null, false, ['C.2.2'], [3, 3, 2, 3]],
  'A.5.2': [null, false, ['C.2.5', 'C.2.7', 'C.2.9'], [5, 5, 5, 3]],
  'A.5.3': [null, false, ['C.2.1', 'C.2.11'], [4, 5, 4, 2]],
  'A.5.4': [null, false, ['C.2.5', 'C.2.7', 'C.2.9'], [5, 5, 5, 3]],
  'A.5.5': [null, false, ['C.2.4', 'C.2.5'], [4, 4, 4, 3]],
  'A.6.1.2': [null, false, ['C.2.5', 'C.2.8', 'C.2.10', 'C.2.11'], [3, 3, 3, 2]],
  'A.6.1.3': [null, false, ['C.2.6', 'C.2.10'], [4, 3, 3, 4]],
  'A.6.2.2': [null, false, ['C.2.8', 'C.2.9'], [4, 3, 3, 3]],
  'A.6.2.3': [null, false, ['C.2.6', 'C.2.11'], [3, 3, 2, 3]],
  'A.6.2.4': [null, false, ['C.2.5', 'C.2.8', 'C.2.9', 'C.2.10'], [5, 4, 5, 4]],
  'A.6.2.5': [null, false, ['C.2.9', 'C.2.10'], [4, 3, 4, 3]],
  'A.6.2.6': [null, false, ['C.2.8', 'C.2.10'], [4, 4, 4, 4]],
  'A.6.2.7': [null, false, ['C.2.6', 'C.2.11'], [3, 4, 3, 3]],
  'A.6.2.8': [null, false, ['C.2.1', 'C.2.10'], [4, 5, 3, 3]],
  'A.7.2': [null, false, ['C.2.3'], [4, 4, 3, 3]],
  'A.7.3': [null, false, ['C.2.3', 'C.2.7'], [4, 4, 3, 3]],
  'A.7.4': [null, false, ['C.2.3', 'C.2.5'], [5, 4, 4, 4]],
  'A.7.5': [null, false, ['C.2.3', 'C.2.11'], [4, 4, 3, 4]],
  'A.7.6': [null, false, ['C.2.3', 'C.2.5'], [4, 3, 3, 3]],
  'A.8.2': [null, false, ['C.2.11'], [4, 5, 5, 2]],
  'A.8.3': [null, false, ['C.2.1', 'C.2.11'], [3, 4, 4, 2]],
  'A.8.4': [null, false, ['C.2.10', 'C.2.11'], [4, 5, 5, 2]],
  'A.8.5': [null, false, ['C.2.11'], [3, 5, 4, 2]],
  'A.9.2': [null, false, ['C.2.1'], [4, 3, 4, 2]],
  'A.9.3': [null, false, ['C.2.1'], [3, 3, 3, 2]],
  'A.9.4': [null, false, ['C.2.9'], [4, 4, 4, 3]],
  'A.10.2': [null, false, ['C.2.1'], [3, 4, 3, 3]],
  'A.10.3': [null, false, ['C.2.1', 'C.2.10'], [4, 4, 3, 3]],
  'A.10.4': [null, false, ['C.2.11'], [3, 3, 4, 2]],
};

function profileOf(requirement: Requirement): RequirementProfile {
  const row = ROWS[requirement.id];
  if (!row) throw new Error(`no profile for requirement ${requirement.id}`);
  const [
    evidence,
    shared,
    objectives,
    [inherentRisk, regulatoryExposure, customerTrust, implementationComplexity],
  ] = row;
  return {
    typicalEvidence: requirement.kind === 'control' ? requirement.typicalEvidence : (evidence ?? ''),
    iso27001Shared: requirement.kind === 'clause' && shared,
    objectives,
    defaultFactors: { inherentRisk, regulatoryExposure, customerTrust, implementationComplexity },
  };
}

const profiles = new Map<string, RequirementProfile>(REQUIREMENTS.map((r) => [r.id, profileOf(r)]));

export function requirementProfile(id: string): RequirementProfile | undefined {
  return profiles.get(id);
}

/** True for a clause whose ISO/IEC 27001 evidence an organisation certified to 27001 may reuse. */
export function isIso27001Shared(id: string): boolean {
  return profiles.get(id)?.iso27001Shared ?? false;
}

/** Annex A sub-objectives: only A.6 has two. */
export const CONTROL_SUB_OBJECTIVES = {
  'A.6.1': 'Management guidance for AI system development',
  'A.6.2': 'AI system life cycle',
} as const;

/** Clause 4-10 headings, for grouping sub-clauses in reports. */
export const CLAUSE_TITLES: Readonly<Record<number, string>> = {
  4: 'Context of the organisation',
  5: 'Leadership',
  6: 'Planning',
  7: 'Support',
  8: 'Operation',
  9: 'Performance evaluation',
  10: 'Improvement',
};

export interface CatalogueDocument {
  version: string;
  clauses: (Requirement & RequirementProfile & { heading: string })[];
  controlGroups: { id: ControlGroupId; title: string; subObjectives: { id: string; title: string }[] }[];
  controls: (Requirement & RequirementProfile & { subObjective?: string })[];
  annexC: { objectives: readonly AnnexCItem[]; riskSources: readonly AnnexCItem[] };
}

/** The whole catalogue as one versioned document (served at GET /catalogue). */
export function catalogueDocument(): CatalogueDocument {
  const withProfile = <R extends Requirement>(r: R) => ({
    ...r,
    ...(profiles.get(r.id) as RequirementProfile),
  });
  return {
    version: CATALOGUE_VERSION,
    clauses: CLAUSES.map((c) => ({ ...withProfile(c), heading: CLAUSE_TITLES[c.clause] })),
    controlGroups: (Object.entries(CONTROL_GROUPS) as [ControlGroupId, string][]).map(([id, title]) => ({
      id,
      title,
      subObjectives: Object.entries(CONTROL_SUB_OBJECTIVES)
        .filter(([sub]) => sub.startsWith(`${id}.`))
        .map(([sub, subTitle]) => ({ id: sub, title: subTitle })),
    })),
    controls: CONTROLS.map((c) => {
      const sub = c.group === 'A.6' ? c.id.split('.').slice(0, 3).join('.') : undefined;
      return { ...withProfile(c), ...(sub ? { subObjective: sub } : {}) };
    }),
    annexC: { objectives: ANNEX_C_OBJECTIVES, riskSources: ANNEX_C_RISK_SOURCES },
  };
}
