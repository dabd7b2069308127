export { programmeWorkflow } from './programme';
export { stageWorkflow } from './stage';
export { inventoryScanWorkflow } from './inventory-scan';
export { reportWorkflow } from './report';
export { kpiScheduleWorkflow } from './kpi-schedule';
