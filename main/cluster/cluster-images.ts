// `labforge cluster images`: build the local stand-ins for the images labs name (node/images.ts)
// and push them to the running cluster's registry, so the real node can pull them.
import { layout, resolveStateDir } from './paths';
import { IMAGE_RECIPES, type DebianRecipe } from './node/image-recipes';
import { buildRecipe, forgetNodeImages, isBuilt, provideImages, recipesFor } from './node/images';
import { nodeDirs } from './node/config';
import { locateNodeBinaries } from './node/components';
import { readState } from './state';

export interface ClusterImagesResult {
  /** Every reference built or already cached, with its digest in the registry when pushed. */
  images: Array<{ ref: string; digest?: string }>;
  registry?: string;
}

/** The recipes that can be built, for `--list`. */
export function listImageRecipes(nodeBinDir?: string): Array<{ refs: string[]; standsInFor: string; built: boolean | undefined }> {
  return IMAGE_RECIPES.filter((r): r is DebianRecipe => r.kind === 'debian').map((r) => ({
    refs: r.refs,
    standsInFor: r.standsInFor,
    built: nodeBinDir ? isBuilt(r, nodeBinDir) : undefined,
  }));
}

export async function clusterImages(opts: { stateDir?: string; refs: string[]; all?: boolean; log?: (line: string) => void }): Promise<ClusterImagesResult> {
  const log = opts.log ?? (() => {});
  const recipes = opts.all ? IMAGE_RECIPES.filter((r) => r.kind === 'debian') : recipesFor(opts.refs);
  const l = layout(resolveStateDir(opts.stateDir));
  const state = readState(l);
  const bins = state?.realNode ? { binDir: state.realNode.binDir } : await locateNodeBinaries(log);
  const registry = state?.withRealNode && state.realNode ? `127.0.0.1:${state.realNode.ports.registry}` : undefined;
  if (!registry) {
    log('no running real node: building into the cache only; the next `cluster up` pushes them');
    const images: ClusterImagesResult['images'] = [];
    for (const r of recipes) for (const i of await buildRecipe(r, bins.binDir, log)) images.push({ ref: i.ref });
    return { images };
  }
  const { digests, changed } = await provideImages(registry, recipes, bins.binDir, log);
  await forgetNodeImages(nodeDirs(l.stateDir, l.run).containerdSocket, changed, log);
  return { images: Object.entries(digests).map(([ref, digest]) => ({ ref, digest })), registry };
}
