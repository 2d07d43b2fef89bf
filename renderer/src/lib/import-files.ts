/**
 * File › Import for compose lets the user pick the compose file together with an env file: the
 * browser's picker gives contents without a folder, so the `.env` beside the compose file cannot
 * be found the way `labforge import` finds it. This sorts the picked files into the two roles.
 */
export const isEnvFileName = (name: string): boolean => name === '.env' || /\.env$/i.test(name);

export function sortImportFiles<F extends { name: string }>(files: readonly F[]): { main: F; env?: F } | { problem: string } {
  const envs = files.filter((f) => isEnvFileName(f.name));
  const mains = files.filter((f) => !isEnvFileName(f.name));
  if (mains.length !== 1) return { problem: mains.length === 0 ? 'pick the compose file too, not only an env file' : `pick one compose file (with at most one env file), not ${mains.length}` };
  if (envs.length > 1) return { problem: `pick at most one env file, not ${envs.length}` };
  return envs[0] ? { main: mains[0]!, env: envs[0] } : { main: mains[0]! };
}
