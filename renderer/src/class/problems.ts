/**
 * Cluster-side problems for the Problems panel, in the editor's issue shape: refusals from the
 * last deploy (placed on the node and field they concern) and nodes that failed in dev (with
 * the Kubernetes reason).
 */
import { useMemo } from 'react';
import type { Issue } from '../store/editor';
import { useEditor } from '../store/editor';
import { useCluster } from './store';

export function useClusterProblems(): Issue[] {
  const problems = useCluster((s) => s.problems);
  const statuses = useCluster((s) => s.dev.statuses);
  const nodes = useEditor((s) => s.doc.lab.nodes);
  const volumes = useEditor((s) => s.doc.lab.volumes);
  return useMemo(() => {
    const out: Issue[] = [];
    for (const p of problems) {
      const [collection, index, ...rest] = p.path;
      const list = collection === 'nodes' ? nodes : collection === 'volumes' ? volumes : null;
      const name = list && typeof index === 'number' ? list[index]?.name : undefined;
      const kind = collection === 'nodes' ? 'node' : 'volume';
      out.push({ path: p.path, message: `${p.object}: ${p.message}`, target: name ? `${kind}:${name}` : null, field: rest.join('.') });
    }
    for (const s of Object.values(statuses)) {
      if (s.state !== 'failed') continue;
      out.push({ path: ['nodes', s.node], message: `failed in dev: ${s.reason ?? 'failed'}${s.message ? ` — ${s.message}` : ''}`, target: `node:${s.node}`, field: '' });
    }
    return out;
  }, [problems, statuses, nodes, volumes]);
}
