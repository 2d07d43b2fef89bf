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
