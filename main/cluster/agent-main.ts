// Entry point of the cluster's agent process (exec sandboxes and local volumes). Kept apart from
// exec-sandbox.ts so that importing the cluster module, or bundling the CLI, never starts it.
import { runAgent } from './exec-sandbox';

runAgent().catch((err: unknown) => {
  process.stdout.write(`${new Date().toISOString()} fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
