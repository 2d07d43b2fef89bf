/**
 * Where the browser goes after the one-time link is redeemed. The request target is the
 * user's (or an attacker's) text; the answer must always stay on this server. The path is
 * normalised (backslashes become slashes, runs of slashes collapse, dot segments are resolved)
 * and anything that still looks unusual — encoded slashes or backslashes, control characters,
 * characters outside a plain path — falls back to `/`. The Location is then absolute, with our
 * own origin in front, so no path can be read as a host (`//host`, `/\host`).
 */

const PLAIN_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** A same-origin path for `target` (the path part of a request target, undecoded). */
export function sameOriginPath(target: string): string {
  const slashed = target.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  if (!PLAIN_PATH.test(slashed)) return '/';
  // An encoded separator or dot could turn into one after a later decode; real routes never have them.
  if (/%(2f|5c|2e|00)/i.test(slashed)) return '/';
  const out: string[] = [];
  for (const segment of slashed.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

/**
 * The Location after redeeming the token: our origin, the normalised path, the query without
 * the token, and the fragment the page reads its key from.
 */
export function redirectAfterToken(origin: string, requestTarget: string, fragment: string): string {
  const q = requestTarget.indexOf('?');
  const path = sameOriginPath(q < 0 ? requestTarget : requestTarget.slice(0, q));
  const params = new URLSearchParams(q < 0 ? '' : requestTarget.slice(q + 1));
  params.delete('token');
  const search = params.toString();
  return `${origin}${path}${search ? `?${search}` : ''}#${fragment}`;
}
