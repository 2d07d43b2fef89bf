// Entry point of the cluster's agent process (local volumes, KubeVirt's VNC subresource). Kept apart from
// agent.ts so that importing the cluster module, or bundling the CLI, never starts it.
import { runAgent } from './agent';

runAgent().catch((err: unknown) => {
  process.stdout.write(`${new Date().toISOString()} fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
