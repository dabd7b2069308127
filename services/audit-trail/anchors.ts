/** Reads a programme's audit anchors from its workflow (the latest run, across continue-as-new). */
import type { Client } from '@temporalio/client';
import { SERVICE_CHAIN } from '../../domain/audit-chain';
import { auditAnchorsQuery } from '../../domain/messages';
import type { AnchorLookup, AnchorSource } from './service';

export function temporalAnchorSource(
  client: Client,
  workflowIdOf: (programmeId: string) => Promise<string | undefined>,
): AnchorSource {
  return async (chainId): Promise<AnchorLookup> => {
    if (chainId === SERVICE_CHAIN) return { available: false, reason: 'the service chain has no workflow' };
    const workflowId = await workflowIdOf(chainId);
    if (!workflowId) return { available: false, reason: 'no such programme' };
    try {
      const anchors = await client.workflow.getHandle(workflowId).query(auditAnchorsQuery);
      return { available: true, anchors };
    } catch (err) {
      // A programme started before anchoring existed has no such query; Temporal may be down.
      return { available: false, reason: err instanceof Error ? err.message : String(err) };
    }
  };
}
