/**
 * Maps a request path to a file of the built renderer. Both hosts serve the renderer through
 * this one function: Electron's `app://labforge/` protocol and browser mode's HTTP server. It
 * decides; the host only writes the answer in its own response type.
 *
 * Refused: bad percent-encoding (400), source maps (404: they would hand out the sources and
 * their paths; the build keeps them for debugging only), NUL bytes, paths that leave the folder, and symbolic
 * links that point out of it (403). Paths without an extension are client-side routes and get
 * index.html; a missing asset is 404. The page's content security policy lives here too, so
 * both hosts send the same one.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';

export type StaticFile =
  | { ok: true; path: string; size: number; contentType: string; cacheControl: string }
  | { ok: false; status: 400 | 403 | 404 | 500; message: string };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const inside = (root: string, path: string) => {
  const r = relative(root, path);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
};

/** index.html must never be cached: it names the hashed assets of the current build. */
const cacheControlOf = (path: string) => (path.endsWith(`${sep}index.html`) ? 'no-store' : 'private, max-age=3600');

async function found(root: string, path: string): Promise<StaticFile | null> {
  const info = await stat(path).catch(() => null);
  if (!info || !info.isFile()) return null;
  // A link inside the folder may point anywhere; what it resolves to must stay inside too.
  const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
  if (!inside(realRoot, realPath)) return { ok: false, status: 403, message: 'forbidden' };
  return { ok: true, path, size: info.size, contentType: contentTypeOf(path), cacheControl: cacheControlOf(path) };
}

export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400, message: 'bad path' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 403, message: 'forbidden' };
  if (extname(decoded).toLowerCase() === '.map') return { ok: false, status: 404, message: 'not found' };
  const rel = normalize(decoded).replace(/^[/\\]+/, '');
  const file = join(root, rel);
  if (!inside(root, file)) return { ok: false, status: 403, message: 'forbidden' };
  const hit = await found(root, file);
  if (hit) return hit;
  if (extname(rel) !== '') return { ok: false, status: 404, message: 'not found' };
  return (await found(root, join(root, 'index.html'))) ?? { ok: false, status: 500, message: 'the renderer is not built: run `npm run build:renderer`' };
}

/** The renderer's CSP; the Electron host sends the same policy with its own connect-src. */
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow positions nodes with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
