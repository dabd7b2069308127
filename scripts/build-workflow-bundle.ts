/**
 * `npm run build` (postbuild): bundles the workflow code once into dist/workflow-bundle.js, so a
 * production worker starts without webpack and every worker replica runs byte-identical workflow
 * code. The bundle must come from the same @temporalio/worker version that runs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { DEFAULT_WORKFLOW_BUNDLE } from '../worker/workflow-source';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  fs.mkdirSync(path.dirname(DEFAULT_WORKFLOW_BUNDLE), { recursive: true });
  fs.writeFileSync(DEFAULT_WORKFLOW_BUNDLE, code);
  process.stdout.write(
    `workflow bundle: ${DEFAULT_WORKFLOW_BUNDLE} (${Math.round(code.length / 1024)} KiB)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
