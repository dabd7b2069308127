/**
 * The ISO/IEC 42001:2023 requirement catalogue used by gap analysis, the SoA and findings.
 * IDs are the standard's identifiers; titles and hints are our own short paraphrases.
 * This module is pure data so that workflows, the API and activities can all import it.
 */
export const CATALOGUE_VERSION = '2023.1';

export type DocumentedInformation = 'document' | 'record' | 'document+record' | 'none';

export interface ClauseRequirement {
  readonly id: string;
  readonly kind: 'clause';
  readonly clause: number;
  readonly title: string;
  readonly documentedInformation: DocumentedInformation;
}

export interface AnnexAControl {
  readonly id: string;
  readonly kind: 'control';
  readonly group: ControlGroupId;
  readonly title: string;
  readonly documentationExpected: boolean;
  readonly typicalEvidence: string;
}

export type Requirement = ClauseRequirement | AnnexAControl;

export const CONTROL_GROUPS = {
  'A.2': 'Policies for AI',
  'A.3': 'Internal organisation',
  'A.4': 'Resources for AI systems',
  'A.5': 'Assessing impacts of AI systems',
  'A.6': 'AI system life cycle',
  'A.7': 'Data for AI systems',
  'A.8': 'Information for interested parties',
  'A.9': 'Use of AI systems',
  'A.10': 'Third-party and customer relationships',
} as const;
export type ControlGroupId = keyof typeof CONTROL_GROUPS;

const clause = (
  id: string,
  title: string,
  documentedInformation: DocumentedInformation = 'none',
): ClauseRequirement => ({
  id,
  kind: 'clause',
  clause: Number(id.split('.')[0]),
  title,
  documentedInformation,
});

/** Lowest-level sub-clauses of clauses 4-10 (32 in all). */
export const CLAUSES: readonly ClauseRequirement[] = [
  clause('4.1', 'Organisation and its context, including AI roles'),
  clause('4.2', 'Interested parties and their requirements'),
  clause('4.3', 'Scope of the AI management system', 'document'),
  clause('4.4', 'The AI management system itself', 'document'),
  clause('5.1', 'Leadership commitment'),
  clause('5.2', 'AI policy', 'document'),
  clause('5.3', 'Roles, responsibilities and authorities'),
  clause('6.1.1', 'Risks and opportunities: general and risk criteria', 'record'),
  clause('6.1.2', 'AI risk assessment process', 'record'),
  clause('6.1.3', 'AI risk treatment and Statement of Applicability', 'document+record'),
  clause('6.1.4', 'AI system impact assessment process', 'record'),
  clause('6.2', 'AI objectives and plans to reach them', 'document'),
  clause('6.3', 'Planned changes to the management system'),
  clause('7.1', 'Resources'),
  clause('7.2', 'Competence', 'record'),
  clause('7.3', 'Awareness'),
  clause('7.4', 'Communication'),
  clause('7.5.1', 'Documented information: general'),
  clause('7.5.2', 'Creating and updating documented information'),
  clause('7.5.3', 'Controlling documented information'),
  clause('8.1', 'Operational planning and control', 'document'),
  clause('8.2', 'Performing AI risk assessments', 'record'),
  clause('8.3', 'Performing AI risk treatment', 'record'),
  clause('8.4', 'Performing AI system impact assessments', 'record'),
  clause('9.1', 'Monitoring, measurement, analysis and evaluation', 'record'),
  clause('9.2.1', 'Internal audit: general'),
  clause('9.2.2', 'Internal audit programme', 'record'),
  clause('9.3.1', 'Management review: general'),
  clause('9.3.2', 'Management review inputs'),
  clause('9.3.3', 'Management review results', 'record'),
  clause('10.1', 'Continual improvement'),
  clause('10.2', 'Nonconformity and corrective action', 'record'),
];

const control = (
  id: string,
  title: string,
  documentationExpected: boolean,
  typicalEvidence: string,
): AnnexAControl => {
  const parts = id.split('.');
  return {
    id,
    kind: 'control',
    group: `${parts[0]}.${parts[1]}` as ControlGroupId,
    title,
    documentationExpected,
    typicalEvidence,
  };
};

/** Annex A: 38 controls in 9 groups; A.6 has two sub-objectives (A.6.1 and A.6.2). */
export const CONTROLS: readonly AnnexAControl[] = [
  control('A.2.2', 'AI policy', true, 'Approved AI policy'),
  control('A.2.3', 'Fit with other organisational policies', false, 'Policy cross-reference'),
  control('A.2.4', 'Reviewing the AI policy', true, 'Review minutes, version history'),
  control('A.3.2', 'AI roles and responsibilities', false, 'RACI, job descriptions'),
  control('A.3.3', 'Raising concerns', false, 'Concern channel and case log'),
  control('A.4.2', 'Documenting resources', true, 'Resource list per AI system, AI inventory'),
  control('A.4.3', 'Data resources', true, 'Dataset register'),
  control('A.4.4', 'Tooling resources', true, 'Tool and framework register'),
  control('A.4.5', 'System and computing resources', true, 'Infrastructure records'),
  control('A.4.6', 'Human resources', true, 'Competence matrix'),
  control('A.5.2', 'Impact assessment process', true, 'Procedure and template'),
  control('A.5.3', 'Documenting impact assessments', true, 'Impact assessment reports'),
  control('A.5.4', 'Impact on individuals and groups', true, 'Assessment section on individuals'),
  control('A.5.5', 'Impact on society', true, 'Assessment section on society'),
  control('A.6.1.2', 'Objectives for responsible development', true, 'Development objectives'),
  control('A.6.1.3', 'Responsible design and development process', true, 'SDLC/MLOps procedure'),
  control('A.6.2.2', 'Requirements and specification', true, 'Requirement specifications'),
  control('A.6.2.3', 'Design and development records', true, 'Design documents'),
  control('A.6.2.4', 'Verification and validation', true, 'Test plans and reports'),
  control('A.6.2.5', 'Deployment', true, 'Release plan, go/no-go record'),
  control('A.6.2.6', 'Operation and monitoring', true, 'Runbooks, dashboards'),
  control('A.6.2.7', 'Technical documentation', true, 'System and model cards'),
  control('A.6.2.8', 'Event logging', true, 'Logs and logging configuration'),
  control('A.7.2', 'Data for development and enhancement', true, 'Data management procedure'),
  control('A.7.3', 'Acquiring data', true, 'Acquisition records, licences'),
  control('A.7.4', 'Data quality', true, 'Quality requirements and reports'),
  control('A.7.5', 'Data provenance', true, 'Lineage records'),
  control('A.7.6', 'Preparing data', true, 'Preparation and labelling procedures'),
  control('A.8.2', 'Documentation and information for users', true, 'User documentation'),
  control('A.8.3', 'External reporting', false, 'External reporting channel'),
  control('A.8.4', 'Communicating incidents', true, 'Incident communication plan'),
  control('A.8.5', 'Information owed to interested parties', true, 'Reporting obligations register'),
  control('A.9.2', 'Responsible use processes', true, 'Acceptable-use procedure'),
  control('A.9.3', 'Objectives for responsible use', true, 'Responsible-use objectives'),
  control('A.9.4', 'Use as intended', false, 'Usage monitoring, oversight records'),
  control('A.10.2', 'Sharing responsibilities', false, 'Contracts, cross-party RACI'),
  control('A.10.3', 'Suppliers', false, 'Supplier due diligence'),
  control('A.10.4', 'Customers', false, 'Customer requirements'),
];

export const REQUIREMENTS: readonly Requirement[] = [...CLAUSES, ...CONTROLS];

const byId = new Map<string, Requirement>(REQUIREMENTS.map((r) => [r.id, r]));

export function findRequirement(id: string): Requirement | undefined {
  return byId.get(id);
}

export function isRequirementId(id: string): boolean {
  return byId.has(id);
}
