// OCI images from a layer tarball and a config, pushed to a registry over the distribution API
// (blob upload, then the manifest). The local registry is plain HTTP on loopback.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

/** A built image on disk: one gzipped layer and its config. */
export interface BuiltImage {
  /** Reference as pods name it, e.g. `nginx:1.27` or `registry.k8s.io/pause:3.10`. */
  ref: string;
  layerFile: string;
  config: ImageConfig;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Splits a reference the way a container runtime does: a first component with a dot, a colon or
 * `localhost` is a registry; Docker Hub's single-name images live under `library/`.
 */
export function parseImageRef(ref: string): { registry: string; repository: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) throw new Error(`image ${ref}: a digest reference cannot be built locally; name a tag`);
  let rest = ref;
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(':');
  const tag = colon > 0 ? rest.slice(colon + 1) : 'latest';
  let repository = colon > 0 ? rest.slice(0, colon) : rest;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository) || !/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new Error(`image ${ref}: not a valid image reference`);
  }
  return { registry, repository, tag };
}

/** The manifest and config blobs of an image, with their digests (deterministic for the same layer and config). */
export async function imageBlobs(image: BuiltImage): Promise<{ layer: Buffer; layerDigest: string; config: Buffer; configDigest: string; manifest: Buffer; manifestDigest: string }> {
  const layer = await readFile(image.layerFile);
  const layerDigest = sha256(layer);
  const diffId = sha256(gunzipSync(layer));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: image.config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
  }));
  const configDigest = sha256(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA.layer, digest: layerDigest, size: layer.length }],
  }));
  return { layer, layerDigest, config, configDigest, manifest, manifestDigest: sha256(manifest) };
}

/**
 * Pushes an image to `registry` (host:port, plain HTTP) under its repository and tag, skipping
 * blobs the registry has. The repository drops the source registry's host: the node's mirror
 * configuration sends every mirrored registry's pulls here with the path unchanged.
 */
export async function pushImage(registry: string, image: BuiltImage): Promise<{ digest: string; pushedBytes: number }> {
  const { repository, tag } = parseImageRef(image.ref);
  const base = `http://${registry}/v2/${repository}`;
  const blobs = await imageBlobs(image);
  let pushedBytes = 0;
  for (const [digest, body] of [[blobs.layerDigest, blobs.layer], [blobs.configDigest, blobs.config]] as const) {
    const head = await fetch(`${base}/blobs/${digest}`, { method: 'HEAD' });
    if (head.ok) continue;
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`registry ${registry}: starting an upload for ${image.ref} answered HTTP ${start.status}`);
    const url = new URL(location, `http://${registry}`);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`registry ${registry}: uploading ${digest} of ${image.ref} answered HTTP ${put.status}: ${await put.text()}`);
    pushedBytes += body.length;
  }
  const put = await fetch(`${base}/manifests/${tag}`, { method: 'PUT', body: blobs.manifest, headers: { 'content-type': MEDIA.manifest } });
  if (put.status !== 201) throw new Error(`registry ${registry}: storing the manifest of ${image.ref} answered HTTP ${put.status}: ${await put.text()}`);
  return { digest: blobs.manifestDigest, pushedBytes };
}

/** The digest the registry serves for a reference, or undefined when it has none. */
export async function registryDigest(registry: string, ref: string): Promise<string | undefined> {
  const { repository, tag } = parseImageRef(ref);
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MEDIA.manifest } });
  return res.ok ? res.headers.get('docker-content-digest') ?? undefined : undefined;
}
