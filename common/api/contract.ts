/**
 * The one API between the renderer and the engine. Every channel is declared here once, with
 * its request and response schemas. main validates each request against `request` before a
 * handler sees it (IPC in Electron, the WebSocket in browser mode); the renderer imports this
 * file with `import type` only, so channel names are checked by the compiler on both sides.
 * It lives in common/ with the rest of the wire (its schemas, common/streams, common/ipc): the
 * renderer and the preload import nothing from main/.
 */
import { z } from 'zod';
import { labSchema } from '../lab/schema';
import { labShapeSchema } from '../lab/shape';
import * as cs from './cluster-schemas';
import * as checks from './checks-schemas';
import * as keys from './keys-schemas';
import * as health from './reconcile-schemas';
import { DNS_LABEL, MAX_DNS_LABEL } from '../lab/dns-label';

/** A lab the editor sends: valid or not (lab.validate reports its issues), but shaped like a lab. */
const labValue = labShapeSchema;

const issue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
});

const filePath = z.string().min(1).max(4096);

const settingsFields = {
  theme: z.enum(['light', 'dark']),
  /** Most recent first; absolute server-side paths. */
  recent: z.array(z.string().max(4096)).max(10),
  /** The kubeconfig context the instructor picked; null = kubeconfig's current-context. */
  kubeContext: z.string().max(253).nullable(),
  window: z.object({
    width: z.number().int().min(400),
    height: z.number().int().min(300),
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    maximized: z.boolean().optional(),
  }),
  /** Terminal panes' font size in CSS pixels. */
  terminalFontSize: z.number().int().min(8).max(32),
};

/** Persisted preferences: electron-store in Electron, a JSON file in browser mode. */
export const settingsSchema = z.object({
  theme: settingsFields.theme.default('light'),
  recent: settingsFields.recent.default([]),
  kubeContext: settingsFields.kubeContext.default(null),
  window: settingsFields.window.optional(),
  terminalFontSize: settingsFields.terminalFontSize.default(13),
});
/** A partial update: no defaults, so absent fields stay untouched. */
const settingsPatchSchema = z.object({
  theme: settingsFields.theme.optional(),
  recent: settingsFields.recent.optional(),
  kubeContext: settingsFields.kubeContext.optional(),
  window: settingsFields.window.optional(),
  terminalFontSize: settingsFields.terminalFontSize.optional(),
});
export type Settings = z.output<typeof settingsSchema>;
export type SettingsPatch = z.output<typeof settingsPatchSchema>;

const kubeContext = z.object({
  name: z.string(),
  cluster: z.string(),
  /** The API server URL (no credentials ever leave main). */
  server: z.string().nullable(),
  namespace: z.string().nullable(),
  user: z.string(),
});

/** Where a terminal opens: a lab node's pod (label labforge.dev/node) or a pod by name, in a namespace. */
const terminalTarget = {
  ...cs.kubeTarget,
  namespace: z.string().min(1).max(MAX_DNS_LABEL).regex(DNS_LABEL, 'must be a namespace name'),
  node: z.string().min(1).max(63).optional(),
  pod: z.string().min(1).max(253).optional(),
};
const namesNodeOrPod = { message: 'name a lab node or a pod', path: ['node'] };

/** How the renderer reaches a session's byte stream (terminal and VNC alike). */
const streamConnect = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('websocket'), path: z.string(), protocols: z.array(z.string()) }),
  z.object({ kind: z.literal('port') }),
]);

export const contract = {
  'app.info': {
    request: z.object({}),
    response: z.object({ version: z.string(), mode: z.enum(['electron', 'browser']), workspace: z.string().nullable() }),
  },
  /** Parses YAML text into a lab, or returns the issues with their positions. */
  'lab.parse': {
    request: z.object({ text: z.string().max(5_000_000) }),
    response: z.object({ lab: labSchema.nullable(), issues: z.array(issue) }),
  },
  /** Validates the editor's in-memory lab with the same rules as the CLI. */
  'lab.validate': {
    request: z.object({ lab: labValue }),
    response: z.object({ issues: z.array(issue) }),
  },
  /** Writes the editor's lab as canonical YAML. */
  'lab.serialize': {
    request: z.object({ lab: labValue }),
    response: z.object({ text: z.string() }),
  },
  /** What the lab compiles to for the dev namespace, as multi-document YAML. */
  'lab.compilePreview': {
    request: z.object({ lab: labValue, namespace: z.string().max(63).optional() }),
    response: z.object({ yaml: z.string(), objects: z.number(), issues: z.array(issue) }),
  },
  /**
   * A lab from a docker-compose file or a containerlab topology (File › Import); what the lab cannot carry comes back as positioned warnings.
   * `env` is an env file chosen with a compose file (the renderer has no folder to find `.env` in), for `${VAR}` interpolation.
   */
  'lab.import': {
    request: z.object({
      format: z.enum(['compose', 'containerlab']),
      text: z.string().max(2 * 1024 * 1024),
      fileName: z.string().max(255),
      env: z.object({ text: z.string().max(256 * 1024), fileName: z.string().max(255) }).optional(),
    }),
    response: z.object({ lab: labSchema.nullable(), warnings: z.array(z.string()), errors: z.array(z.string()) }),
  },
  /** The built-in templates (resources/templates/*.yaml), each the lab `labforge create <name>` makes; the palette offers them. */
  'template.list': {
    request: z.object({}),
    response: z.object({ templates: z.array(z.object({ name: z.string(), title: z.string(), description: z.string(), lab: labSchema })) }),
  },
  /** Reads a lab file (a server-side path; in browser mode, inside the workspace folder). */
  'file.read': {
    request: z.object({ path: filePath }),
    response: z.object({ path: z.string(), text: z.string() }),
  },
  /** Writes a lab file; same path rules as file.read. */
  'file.write': {
    request: z.object({ path: filePath, text: z.string().max(5_000_000) }),
    response: z.object({ path: z.string() }),
  },
  /** Lab files the user can open: the workspace's and the built-in examples. */
  'file.list': {
    request: z.object({}),
    response: z.object({ files: z.array(z.object({ path: z.string(), name: z.string(), source: z.enum(['workspace', 'example']) })) }),
  },
  /** Electron: native open dialog; the picked file is read and granted. Browser mode: unsupported. */
  'file.openDialog': {
    request: z.object({}),
    response: z.object({ file: z.object({ path: z.string(), text: z.string() }).nullable() }),
  },
  /** Electron: native save dialog; the picked path is granted for writing. Browser mode: unsupported. */
  'file.saveDialog': {
    request: z.object({ defaultName: z.string().max(255).optional() }),
    response: z.object({ path: z.string().nullable() }),
  },
  'settings.get': {
    request: z.object({}),
    response: settingsSchema,
  },
  /** Merges the given fields into the settings and returns the result. */
  'settings.update': {
    request: z.object({ patch: settingsPatchSchema }),
    response: settingsSchema,
  },
  /** Adds a path to the front of the recent list. */
  'settings.addRecent': {
    request: z.object({ path: filePath }),
    response: settingsSchema,
  },
  /** The kubeconfig's contexts (names, clusters, servers; never credentials). */
  'kube.contexts': {
    request: z.object({}),
    response: z.object({ current: z.string().nullable(), contexts: z.array(kubeContext), source: z.string().nullable(), error: z.string().nullable() }),
  },
  /** GET /version against a context with a short timeout. */
  'kube.test': {
    request: z.object({ context: z.string().min(1).max(253), timeoutMs: z.number().int().min(100).max(30_000).optional() }),
    response: z.object({ ok: z.boolean(), version: z.string().nullable(), message: z.string() }),
  },
  /** The containers of a node's pod, for the terminal's container picker. */
  'terminal.containers': {
    request: z.object(terminalTarget).refine((r) => r.node !== undefined || r.pod !== undefined, namesNodeOrPod),
    response: z.object({ pod: z.string(), containers: z.array(z.object({ name: z.string(), ready: z.boolean(), state: z.string() })), defaultContainer: z.string() }),
  },
  /**
   * Starts a shell (tty exec) in a container. Its bytes never go through calls: they flow on the
   * session's own stream, which `connect` says how to reach (common/streams/protocol.ts).
   */
  'terminal.open': {
    request: z
      .object({ ...terminalTarget, container: z.string().min(1).max(63).optional(), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) })
      .refine((r) => r.node !== undefined || r.pod !== undefined, namesNodeOrPod),
    response: z.object({
      sessionId: z.string(),
      namespace: z.string(),
      pod: z.string(),
      container: z.string(),
      containers: z.array(z.string()),
      /** Output bytes the pane may hold unacknowledged. */
      window: z.number().int().positive(),
      connect: streamConnect,
    }),
  },
  /**
   * Opens a node's screen: a VM's KubeVirt VNC console, or the VNC port of a desktop node's pod
   * through port-forward. RFB bytes flow on the session's own stream, as a terminal's do.
   */
  'vnc.open': {
    request: z.object({ ...cs.kubeTarget, namespace: terminalTarget.namespace, node: z.string().min(1).max(63) }),
    response: z.object({
      sessionId: z.string(),
      namespace: z.string(),
      node: z.string(),
      via: z.enum(['vm', 'pod']),
      /** The VirtualMachineInstance or the pod. */
      name: z.string(),
      port: z.number().int().nullable(),
      window: z.number().int().positive(),
      connect: streamConnect,
    }),
  },
  /** Validates the lab, then deploys it to its dev namespace (the engine's deploy, as the CLI runs it). */
  'dev.deploy': {
    request: z.object({
      ...cs.kubeTarget,
      lab: labValue,
      namespace: z.string().max(63).optional(),
      /** How long to wait for every node to be ready before ending with a verdict (the app shows the countdown). */
      timeoutSeconds: z.number().int().min(5).max(3600).default(300),
    }),
    events: cs.deployEvent,
    response: cs.deployResult,
  },
  /**
   * Deletes a lab's dev namespace (its nodes and volume data; releases stay). `dryRun` only says
   * what would be lost, for the confirmation. A namespace Labforge did not make as that lab's dev
   * namespace is refused.
   */
  'dev.delete': {
    request: z.object({ ...cs.kubeTarget, labName: cs.labName, namespace: z.string().max(63).optional(), dryRun: z.boolean().default(false) }),
    events: cs.opEvent,
    response: z.object({ namespace: z.string(), pods: z.number().int(), volumes: z.array(z.string()), gone: z.boolean() }),
  },
  /** Live state of a lab's nodes in its dev namespace, from the shared list+watch of that namespace. */
  'dev.watch': {
    request: z.object({ ...cs.kubeTarget, labName: cs.labName, namespace: z.string().max(63).optional() }),
    events: cs.devWatchEvent,
    response: z.object({}),
  },
  /** Releases stored in the cluster, oldest first, with the next free vN tag. */
  'release.list': {
    request: z.object({ ...cs.kubeTarget, labName: cs.labName.optional() }),
    response: z.object({ releases: z.array(cs.releaseSummary), nextTag: z.string() }),
  },
  /** Freezes what dev runs into an immutable release; refuses an unhealthy dev, saying why. */
  'release.snapshot': {
    request: z.object({
      ...cs.kubeTarget,
      labName: cs.labName,
      tag: cs.tag,
      note: z.string().max(2000).default(''),
      namespace: z.string().max(63).optional(),
      /** Take what dev runs even when it is unhealthy or differs from the file (the refusal's way out). */
      force: z.boolean().default(false),
    }),
    response: cs.releaseSummary,
  },
  /** What changed between two releases of a lab, per element and as text. */
  'release.diff': {
    request: z.object({ ...cs.kubeTarget, labName: cs.labName, from: cs.tag, to: cs.tag }),
    response: cs.releaseDiff,
  },
  /** Classes found in the cluster (by their namespaces' labels). */
  'class.list': {
    request: z.object({ ...cs.kubeTarget }),
    response: z.object({ classes: z.array(cs.classSummary) }),
  },
  /** Everything publish would check, without writing: roster rows, capacity, upgrade changes. */
  'class.plan': {
    request: cs.publishRequest,
    response: cs.publishPlan,
  },
  /** Publishes (or upgrades) a class; resumable: publishing again converges. */
  'class.publish': {
    request: cs.publishRequest,
    events: cs.publishEvent,
    response: cs.publishResult,
  },
  /** The class dashboard's rows, live, from one list+watch of the whole class. */
  'class.watch': {
    request: z.object({ ...cs.kubeTarget, className: cs.className }),
    events: cs.classWatchEvent,
    response: z.object({}),
  },
  /** Deletes one student's namespace and publishes their release again. */
  'class.reset': {
    request: z.object({ ...cs.kubeTarget, className: cs.className, student: z.string().min(1).max(128) }),
    events: cs.opEvent,
    response: cs.studentResult,
  },
  /** Suspends the picked students' labs: nothing runs, everything is kept (`labforge suspend`). */
  'class.suspend': {
    request: cs.suspendRequest,
    events: cs.opEvent,
    response: cs.suspendResponse,
  },
  /** Resumes the picked students' labs to their release as they were (`labforge resume`); does not wait for them to be ready. */
  'class.resume': {
    request: cs.suspendRequest,
    events: cs.opEvent,
    response: cs.suspendResponse,
  },
  /** Deletes every namespace of the class; `confirm` must repeat the class name. */
  'class.teardown': {
    request: z.object({ ...cs.kubeTarget, className: cs.className, confirm: z.string() }),
    events: cs.opEvent,
    response: z.object({ deleted: z.array(z.string()), stuck: z.array(z.string()) }),
  },
  /** A kubeconfig scoped to one student's namespace, with an expiring token. */
  'class.credentials': {
    request: z.object({ ...cs.kubeTarget, className: cs.className, student: z.string().min(1).max(128), hours: z.number().int().min(1).max(24 * 90).default(24) }),
    response: z.object({ kubeconfig: z.string(), namespace: z.string(), expiresAt: z.string() }),
  },
  /** The class's end date (warning period, what was kept once it ended), drift per student and object, and each student's web links. */
  'class.health': {
    request: health.classTarget,
    response: health.classHealth,
  },
  /** Re-applies only what drifted and deletes extras; volumes and what students may create are never touched. */
  'class.repair': {
    request: health.classTarget,
    response: health.repairResult,
  },
  /** Sets or clears the class's end date (and what happens to volumes then). */
  'class.expire': {
    request: health.expireRequest,
    response: health.expireResult,
  },
  /** Each student's recorded check results and progress, as stored in the cluster (no checks run). */
  'checks.results': {
    request: checks.checksResultsRequest,
    response: checks.checksResponse,
  },
  /** Runs the checks now, for the class or one student (optionally one check), records and returns the results. */
  'checks.run': {
    request: checks.checksRunRequest,
    response: checks.checksResponse,
  },
  /** Runs one check of the editor's lab against the dev namespace ("try on dev"); nothing is recorded. */
  'checks.try': {
    request: z.object({ ...cs.kubeTarget, lab: labValue, check: checks.checkId, namespace: z.string().max(63).optional() }),
    response: checks.checkRun,
  },
  /** Students' SSH keys for the gateway (type, fingerprint, comment, dates; never the key). */
  'keys.list': {
    request: keys.keysListRequest,
    response: keys.keysListResponse,
  },
  /** Stores a student's public key; a bad key is refused with nothing stored. */
  'keys.add': {
    request: keys.keysAddRequest,
    response: keys.sshKeyInfo,
  },
  /** Revokes a student's key by fingerprint; the gateway ends live sessions on it. */
  'keys.revoke': {
    request: keys.keysRevokeRequest,
    response: z.object({ revoked: z.array(keys.sshKeyInfo) }),
  },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Request<C extends Channel> = z.input<Contract[C]['request']>;
export type Response<C extends Channel> = z.output<Contract[C]['response']>;

export interface ApiError {
  /** Machine-readable: 'invalid_request', 'not_found', 'forbidden', 'unknown_channel', 'internal', ... */
  code: string;
  message: string;
  /**
   * The way out the message names, for the app to offer it in the same dialog: 'force' (the
   * same call again with `force: true`). Absent when there is none.
   */
  hint?: 'force';
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Channels that declare an `events` schema: long operations and live views, used with `subscribe`. */
export type StreamChannel = { [C in Channel]: Contract[C] extends { events: z.ZodType } ? C : never }[Channel];
/** Channels answered by one response, used with `invoke`. */
export type CallChannel = Exclude<Channel, StreamChannel>;
export type StreamEvent<C extends StreamChannel> = Contract[C] extends { events: infer E extends z.ZodType } ? z.output<E> : never;

/** A running stream: its events go to the callback; `result` settles when it ends (or is cancelled). */
export interface Subscription<T> {
  result: Promise<Result<T>>;
  /** Asks main to stop; the stream then ends with `{ ok: false, error: { code: 'cancelled' } }`. */
  cancel(): void;
}

/** The shape both transports expose to the renderer. */
export interface LabforgeApi {
  invoke<C extends CallChannel>(channel: C, request: Request<C>): Promise<Result<Response<C>>>;
  subscribe<C extends StreamChannel>(channel: C, request: Request<C>, onEvent: (event: StreamEvent<C>) => void): Subscription<Response<C>>;
}

export function hasEvents(channel: Channel): channel is StreamChannel {
  return 'events' in contract[channel];
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
