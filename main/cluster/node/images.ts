// Builds the images of image-recipes.ts into a cache outside git (keyed by each recipe's text) and
// pushes them to the local registry. Debian images take mmdebstrap about half a minute each the
// first time; after that a push of a cached layer takes about a second.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { DEBIAN_SUITE, IMAGE_RECIPES, recipeFor, recipeName, type ImageRecipe } from './image-recipes';
import { whichSync } from './host';
import { parseImageRef, pushImage, registryDigest, type BuiltImage } from './oci';

const run = promisify(execFile);

/** Where Labforge keeps what it builds outside git (images, VM disks). */
export function labforgeCacheRoot(): string {
  return process.env.LABFORGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'labforge');
}

export function imageCacheRoot(): string {
  return join(labforgeCacheRoot(), 'images');
}

function recipeKey(r: ImageRecipe, nodeBinDir: string): string {
  const h = createHash('sha256').update(JSON.stringify(r)).update(DEBIAN_SUITE);
  // A binary image changes when the binary does; the node's bin folder is keyed by its pins.
  if (r.kind === 'binary') h.update(nodeBinDir);
  return h.digest('hex').slice(0, 16);
}

function cachedLayer(r: ImageRecipe, nodeBinDir: string): string {
  return join(imageCacheRoot(), `${recipeName(r)}-${recipeKey(r, nodeBinDir)}`, 'layer.tar.gz');
}

export function isBuilt(r: ImageRecipe, nodeBinDir: string): boolean {
  return existsSync(cachedLayer(r, nodeBinDir));
}

/** Builds one recipe's layer unless it is cached; returns the images (one per reference) it provides. */
export async function buildRecipe(r: ImageRecipe, nodeBinDir: string, log: (line: string) => void): Promise<BuiltImage[]> {
  const layerFile = cachedLayer(r, nodeBinDir);
  const description = r.kind === 'debian'
    ? `Labforge's local stand-in for ${r.standsInFor}, built from Debian ${DEBIAN_SUITE} packages`
    : `Labforge's local cluster: ${r.binary}, built from its pinned upstream module`;
  const images = r.refs.map((ref) => ({ ref, layerFile, config: { ...r.config, Labels: { 'org.opencontainers.image.description': description } } }));
  if (existsSync(layerFile)) return images;
  const dir = join(layerFile, '..');
  const work = `${dir}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const t0 = Date.now();
  try {
    if (r.kind === 'debian') {
      if (!whichSync('mmdebstrap')) throw new Error('mmdebstrap is not installed (apt-get install mmdebstrap); it assembles the image from Debian packages');
      log(`building image ${r.refs[0]} from Debian packages (${r.packages.join(', ')})`);
      const tar = join(work, 'rootfs.tar');
      await run('mmdebstrap', [
        '--quiet', '--variant=minbase', `--include=${r.packages.join(',')}`,
        '--aptopt=APT::Install-Recommends "false"',
        '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
        ...(r.customize ? [`--customize-hook=${r.customize}`] : []),
        // apt's lists are not part of an image.
        '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
        DEBIAN_SUITE, tar,
      ], { maxBuffer: 64 * 1024 * 1024 });
      await pipeline(createReadStream(tar), createGzip({ level: 6 }), createWriteStream(join(work, 'layer.tar.gz')));
      await rm(tar, { force: true });
    } else {
      log(`building image ${r.refs[0]} from ${r.binary}`);
      const root = join(work, 'root');
      const dest = join(root, r.path);
      await mkdir(join(dest, '..'), { recursive: true });
      await copyFile(join(nodeBinDir, r.binary), dest);
      await chmod(dest, 0o755);
      await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-C', root, '-cf', join(work, 'layer.tar'), '.']);
      await pipeline(createReadStream(join(work, 'layer.tar')), createGzip({ level: 6 }), createWriteStream(join(work, 'layer.tar.gz')));
      await rm(join(work, 'layer.tar'), { force: true });
      await rm(root, { recursive: true, force: true });
    }
    await writeFile(join(work, 'recipe.json'), JSON.stringify(r, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`building image ${r.refs[0]} failed: ${e.stderr?.trim().split('\n').slice(-8).join('\n') || e.message}`);
  }
  log(`built ${r.refs[0]} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return images;
}

/** Recipes for the references asked for; an unknown reference is an error that lists what can be built. */
export function recipesFor(refs: string[]): ImageRecipe[] {
  const out = new Set<ImageRecipe>();
  for (const ref of refs) {
    const r = recipeFor(ref);
    if (!r) {
      const known = IMAGE_RECIPES.filter((x) => x.kind === 'debian').map((x) => x.refs[0]).join(', ');
      throw new Error(`no local recipe for image ${ref}; images that can be built here: ${known} (docs/cluster.md says how to add one)`);
    }
    out.add(r);
  }
  return [...out];
}

/**
 * Builds (if needed) and pushes the given recipes; returns each reference's digest in the
 * registry, and the references whose digest changed (a recipe edited since the last push).
 */
export async function provideImages(registry: string, recipes: ImageRecipe[], nodeBinDir: string, log: (line: string) => void): Promise<{ digests: Record<string, string>; changed: string[] }> {
  const digests: Record<string, string> = {};
  const changed: string[] = [];
  for (const r of recipes) {
    for (const image of await buildRecipe(r, nodeBinDir, log)) {
      const before = await registryDigest(registry, image.ref);
      const { digest } = await pushImage(registry, image);
      digests[image.ref] = digest;
      if (before && before !== digest) changed.push(image.ref);
    }
  }
  return { digests, changed };
}

/**
 * The node's containerd keeps a tag it pulled (pods pull IfNotPresent): forget the tags whose
 * image changed, so the next pod of them pulls the new one. Running containers keep theirs.
 */
export async function forgetNodeImages(containerdSocket: string, refs: string[], log: (line: string) => void): Promise<void> {
  if (refs.length === 0) return;
  const names = refs.map((ref) => {
    const { registry, repository, tag } = parseImageRef(ref);
    return `${registry}/${repository}:${tag}`;
  });
  await run('ctr', ['--address', containerdSocket, '-n', 'k8s.io', 'images', 'rm', ...names]).catch(() => undefined);
  log(`the node will pull the new ${refs.join(', ')}`);
}

/** Pushes every image already in the cache that the registry lacks (a fresh registry after `down`). */
export async function pushCachedImages(registry: string, nodeBinDir: string, log: (line: string) => void): Promise<number> {
  let pushed = 0;
  for (const r of IMAGE_RECIPES) {
    if (!isBuilt(r, nodeBinDir)) continue;
    for (const image of await buildRecipe(r, nodeBinDir, log)) {
      if (await registryDigest(registry, image.ref)) continue;
      await pushImage(registry, image);
      pushed++;
    }
  }
  return pushed;
}

/** Cached builds no recipe of this checkout uses any more. */
export async function staleImageDirs(nodeBinDir: string): Promise<string[]> {
  const current = new Set(IMAGE_RECIPES.map((r) => `${recipeName(r)}-${recipeKey(r, nodeBinDir)}`));
  const entries = await readdir(imageCacheRoot()).catch(() => [] as string[]);
  return entries.filter((e) => !current.has(e) && !e.endsWith('.partial')).map((e) => join(imageCacheRoot(), e));
}
