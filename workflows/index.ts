export { programmeWorkflow } from './programme';
export { stageWorkflow } from './stage';
