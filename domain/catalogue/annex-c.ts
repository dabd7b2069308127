/**
 * ISO/IEC 42001 Annex C (informative): the AI-related objectives an organisation may set and
 * the sources of AI risk it may consider. IDs are the annex's; names and descriptions are our
 * own short paraphrases. The C.3 sub-numbers follow the published order (see the reference
 * notes) and mirror the risk sources of ISO/IEC 23894.
 */

export interface AnnexCItem {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export const ANNEX_C_OBJECTIVES: readonly AnnexCItem[] = [
  {
    id: 'C.2.1',
    name: 'Accountability',
    description: 'Someone answers for what each AI system does and decides',
  },
  {
    id: 'C.2.2',
    name: 'AI expertise',
    description: 'People with the right AI skills build, run and oversee the systems',
  },
  {
    id: 'C.2.3',
    name: 'Availability and quality of training and test data',
    description: 'Enough data of fit quality exists for development and testing',
  },
  {
    id: 'C.2.4',
    name: 'Environmental impact',
    description: 'Energy and resource use of AI is known and kept down',
  },
  {
    id: 'C.2.5',
    name: 'Fairness',
    description: 'Outcomes do not disadvantage people or groups without cause',
  },
  {
    id: 'C.2.6',
    name: 'Maintainability',
    description: 'Systems can be changed, fixed and kept working over time',
  },
  {
    id: 'C.2.7',
    name: 'Privacy',
    description: 'Personal data is used only as people can expect and the law allows',
  },
  {
    id: 'C.2.8',
    name: 'Robustness',
    description: 'Systems keep performing under unusual or changing conditions',
  },
  { id: 'C.2.9', name: 'Safety', description: 'Systems do not endanger people, property or the environment' },
  { id: 'C.2.10', name: 'Security', description: 'Systems and their data resist attacks and misuse' },
  {
    id: 'C.2.11',
    name: 'Transparency and explainability',
    description: 'People can learn that AI is used and understand its outputs',
  },
];

export const ANNEX_C_RISK_SOURCES: readonly AnnexCItem[] = [
  {
    id: 'C.3.1',
    name: 'Complexity of environment',
    description: 'Open, changing settings the system cannot fully anticipate',
  },
  {
    id: 'C.3.2',
    name: 'Lack of transparency and explainability',
    description: 'Decisions that neither users nor operators can follow',
  },
  {
    id: 'C.3.3',
    name: 'Level of automation',
    description: 'Less human oversight as more is decided automatically',
  },
  {
    id: 'C.3.4',
    name: 'Machine learning',
    description: 'Data quality, training approach and model behaviour learned rather than specified',
  },
  {
    id: 'C.3.5',
    name: 'System hardware issues',
    description: 'Faults, limits or loss of the computing underneath',
  },
  {
    id: 'C.3.6',
    name: 'System life cycle issues',
    description: 'Weak design, deployment, monitoring, change or retirement practice',
  },
  { id: 'C.3.7', name: 'Technology readiness', description: 'Immature or untested techniques put into use' },
];

export type ObjectiveId = (typeof ANNEX_C_OBJECTIVES)[number]['id'];

/** The objectives a programme can give special weight in gap scoring. */
export const BOOSTABLE_OBJECTIVES = {
  security: 'C.2.10',
  fairness: 'C.2.5',
  transparency: 'C.2.11',
} as const;
export type BoostableObjective = keyof typeof BOOSTABLE_OBJECTIVES;

const objectiveIds = new Set(ANNEX_C_OBJECTIVES.map((o) => o.id));
const riskSourceIds = new Set(ANNEX_C_RISK_SOURCES.map((r) => r.id));

export const isObjectiveId = (id: string): boolean => objectiveIds.has(id);
export const isRiskSourceId = (id: string): boolean => riskSourceIds.has(id);
