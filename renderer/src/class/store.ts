/**
 * What the app knows about the cluster: the dev namespace's live node states, the running
 * operation (deploy, delete dev, publish, reset, teardown) with its progress, releases, and the class
 * being watched. Everything here arrives from main through the contract; the renderer decides
 * nothing the CLI would not (the engine classifies states, validates rosters, plans upgrades).
 */
import { create } from 'zustand';
import type { Response, StreamEvent } from '../../../common/api/contract';
import type { Lab } from '../../../common/lab/schema';
import type { WireClassHealth } from '../../../common/api/reconcile-schemas';

export type NodeStatus = StreamEvent<'dev.watch'>['statuses'][number];
export type PlacedProblem = Response<'dev.deploy'>['problems'][number];
export type ReleaseSummary = Response<'release.list'>['releases'][number];
export type ReleaseDiff = Response<'release.diff'>;
export type ClassRow = StreamEvent<'class.watch'>['rows'][number];
export type StudentResult = Response<'class.publish'>['results'][number];
export type ClassSummary = Response<'class.list'>['classes'][number];

export interface Operation {
  kind: 'deploy' | 'publish' | 'reset' | 'suspend' | 'resume' | 'teardown' | 'undeploy';
  title: string;
  /** The phase in words, as the engine reports it. */
  phase: string;
  done: number;
  total: number;
  /** Per student, for publish. */
  students: Record<string, StudentResult>;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  error: string | null;
  cancel: (() => void) | null;
  /** Deploy, while it waits for the nodes: when it gives up (Date.now() time), and how to stop waiting now. */
  deadline: number | null;
  stopWaiting: (() => void) | null;
}

export interface ClassState {
  name: string;
  labNodes: string[];
  rows: ClassRow[];
  /** When the last update arrived (performance.now), for the dashboard benchmark and "live" hint. */
  updatedAt: number;
  error: string | null;
}

export interface ClusterState {
  dev: {
    labName: string | null;
    statuses: Record<string, NodeStatus>;
    /** The lab the dev namespace runs (its deploy record); null before the first deploy. */
    deployed: Lab | null;
    error: string | null;
  };
  /** Refusals from the last deploy attempt, placed on lab elements. */
  problems: PlacedProblem[];
  op: Operation | null;
  releases: ReleaseSummary[];
  nextTag: string;
  releasesError: string | null;
  /** The diff shown on the canvas and in the Releases panel. */
  diff: ReleaseDiff | null;
  classes: ClassSummary[];
  klass: ClassState | null;
  /** The watched class's idle policy and schedule, as the health section last read them (class.health). */
  classTime: { className: string; idle: WireClassHealth['idle']; schedule: WireClassHealth['schedule'] } | null;
  /** Nodes of the open lab that differ from what dev runs (by name). */
  changed: Record<string, true>;
  /** Nodes that were not ready when the last deploy ended, with why in words (the canvas marks them). */
  holding: Record<string, string>;
}

export const useCluster = create<ClusterState>()(() => ({
  dev: { labName: null, statuses: {}, deployed: null, error: null },
  problems: [],
  op: null,
  releases: [],
  nextTag: 'v1',
  releasesError: null,
  diff: null,
  classes: [],
  klass: null,
  classTime: null,
  changed: {},
  holding: {},
}));

/** Updates the running operation, if any (events of a finished one are ignored). */
export function patchOp(patch: Partial<Operation>): void {
  const op = useCluster.getState().op;
  if (op) useCluster.setState({ op: { ...op, ...patch } });
}
