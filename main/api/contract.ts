/**
 * The one API between the renderer and the engine. Every channel is declared here once, with
 * its request and response schemas. main validates each request against `request` before a
 * handler sees it (IPC in Electron, the WebSocket in browser mode); the renderer imports this
 * file with `import type` only, so channel names are checked by the compiler on both sides.
 */
import { z } from 'zod';

const labValue = z.unknown().describe('A lab object as the editor holds it; validated by the handler.');

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
};

/** Persisted preferences: electron-store in Electron, a JSON file in browser mode. */
export const settingsSchema = z.object({
  theme: settingsFields.theme.default('light'),
  recent: settingsFields.recent.default([]),
  kubeContext: settingsFields.kubeContext.default(null),
  window: settingsFields.window.optional(),
});
/** A partial update: no defaults, so absent fields stay untouched. */
export const settingsPatchSchema = z.object({
  theme: settingsFields.theme.optional(),
  recent: settingsFields.recent.optional(),
  kubeContext: settingsFields.kubeContext.optional(),
  window: settingsFields.window.optional(),
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

export const contract = {
  'app.info': {
    request: z.object({}),
    response: z.object({ version: z.string(), mode: z.enum(['electron', 'browser']), workspace: z.string().nullable() }),
  },
  /** Parses YAML text into a lab, or returns the issues with their positions. */
  'lab.parse': {
    request: z.object({ text: z.string().max(5_000_000) }),
    response: z.object({ lab: labValue.nullable(), issues: z.array(issue) }),
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
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Request<C extends Channel> = z.input<Contract[C]['request']>;
export type Response<C extends Channel> = z.output<Contract[C]['response']>;

export interface ApiError {
  /** Machine-readable: 'invalid_request', 'not_found', 'forbidden', 'unknown_channel', 'internal', ... */
  code: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The shape both transports expose to the renderer. */
export interface LabforgeApi {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Result<Response<C>>>;
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
