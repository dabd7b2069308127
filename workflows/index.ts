/** Every workflow the worker runs; the bundle is built from this module. */
import type { WorkflowSignatures } from '../domain/contracts/workflows';
import { inventoryScanWorkflow } from './inventory-scan';
import { kpiScheduleWorkflow } from './kpi-schedule';
import { programmeWorkflow } from './programme';
import { reportWorkflow } from './report';
import { stageWorkflow } from './stage';

export { programmeWorkflow, stageWorkflow, inventoryScanWorkflow, reportWorkflow, kpiScheduleWorkflow };

/** Fails to compile when an implementation drifts from the signature the API starts it by. */
export type CheckedSignatures = Implements<
  WorkflowSignatures,
  {
    programmeWorkflow: typeof programmeWorkflow;
    stageWorkflow: typeof stageWorkflow;
    inventoryScanWorkflow: typeof inventoryScanWorkflow;
    reportWorkflow: typeof reportWorkflow;
    kpiScheduleWorkflow: typeof kpiScheduleWorkflow;
  }
>;
type Implements<Contract, T extends Contract> = T;
