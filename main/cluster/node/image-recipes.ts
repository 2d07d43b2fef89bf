// What each locally built image is: the stand-ins for the public images labs name (assembled from
// Debian packages with mmdebstrap, because our machines reach no container registry) and the
// node's own system images (one upstream binary each, from build-node.sh). A recipe's text is
// part of its cache key, so editing one rebuilds exactly that image.
import type { ImageConfig } from './oci';

export interface DebianRecipe {
  kind: 'debian';
  /** The references this image answers to (one build, several tags). */
  refs: string[];
  /** What the image stands in for, said in its description label and in docs/cluster.md. */
  standsInFor: string;
  packages: string[];
  /** Shell run by mmdebstrap's customize hook with the root filesystem as "$1". */
  customize?: string;
  config: ImageConfig;
}

export interface BinaryRecipe {
  kind: 'binary';
  refs: string[];
  /** The binary in the node's bin directory and where it goes in the image. */
  binary: string;
  path: string;
  config: ImageConfig;
}

export type ImageRecipe = DebianRecipe | BinaryRecipe;

export const DEBIAN_SUITE = 'bookworm';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Tools a lab's client node is expected to have (Alpine's busybox gives them all). */
const CLIENT_TOOLS = ['busybox', 'iproute2', 'iputils-ping', 'netcat-openbsd', 'socat', 'wget', 'curl', 'procps', 'dnsutils', 'ca-certificates'];

const POSTGRES_ENTRYPOINT = String.raw`#!/bin/sh
# Stand-in for the official image's entrypoint: initialise PGDATA once (POSTGRES_PASSWORD,
# POSTGRES_USER, POSTGRES_DB), then run the server on every address as the postgres user.
set -e
bin=/usr/lib/postgresql/15/bin
export PGDATA="${"$"}{PGDATA:-/var/lib/postgresql/data}"
user="${"$"}{POSTGRES_USER:-postgres}"
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ]; then echo "POSTGRES_PASSWORD is not set" >&2; exit 1; fi
  pw=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$pw"; chown postgres "$pw"
  as_pg "$bin/initdb" -D "$PGDATA" --username="$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != "$user" ]; then
    as_pg "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    as_pg "$bin/createdb" --username="$user" "$POSTGRES_DB"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
`;

export const IMAGE_RECIPES: ImageRecipe[] = [
  {
    kind: 'debian',
    refs: ['nginx:1.27', 'nginx:latest', 'nginx'],
    standsInFor: 'nginx (the official image: serves /usr/share/nginx/html on port 80, logs to stdout)',
    packages: ['nginx-light', 'curl', 'procps'],
    customize: [
      'mkdir -p "$1/usr/share/nginx/html"',
      'cp "$1/var/www/html/index.nginx-debian.html" "$1/usr/share/nginx/html/index.html"',
      'sed -i "s#root /var/www/html;#root /usr/share/nginx/html;#" "$1/etc/nginx/sites-available/default"',
      'ln -sf /dev/stdout "$1/var/log/nginx/access.log"',
      'ln -sf /dev/stderr "$1/var/log/nginx/error.log"',
    ].join('\n'),
    config: { Cmd: ['nginx', '-g', 'daemon off;'], Env: [PATH_ENV], ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGQUIT' },
  },
  {
    kind: 'debian',
    refs: ['postgres:16', 'postgres:latest', 'postgres'],
    standsInFor: 'postgres (PostgreSQL 15 from Debian; POSTGRES_PASSWORD/USER/DB initialise PGDATA as the official image does; with curl)',
    packages: ['postgresql-15', 'curl'],
    customize: `cat > "$1/usr/local/bin/docker-entrypoint.sh" <<'LABFORGE_EOF'\n${POSTGRES_ENTRYPOINT}LABFORGE_EOF\nchmod 755 "$1/usr/local/bin/docker-entrypoint.sh"`,
    config: { Entrypoint: ['/usr/local/bin/docker-entrypoint.sh'], Env: [PATH_ENV, 'PGDATA=/var/lib/postgresql/data'], ExposedPorts: { '5432/tcp': {} }, StopSignal: 'SIGINT' },
  },
  {
    kind: 'debian',
    refs: ['alpine:3.20', 'alpine:latest', 'alpine', 'debian:bookworm', 'debian:12', 'ubuntu:24.04', 'ubuntu:latest'],
    standsInFor: 'a small Linux userland with a shell and network tools (Debian minbase; not musl, no apk)',
    packages: CLIENT_TOOLS,
    config: { Cmd: ['/bin/sh'], Env: [PATH_ENV] },
  },
  {
    kind: 'debian',
    refs: ['busybox:1.36', 'busybox:1.37', 'busybox:latest', 'busybox'],
    standsInFor: 'busybox (Debian busybox-static with its applets on PATH, and procps for the pgrep and pkill it lacks)',
    packages: ['busybox-static', 'procps'],
    customize: 'for a in $(chroot "$1" /bin/busybox --list); do [ -e "$1/bin/$a" ] || [ -e "$1/usr/bin/$a" ] || ln -s /bin/busybox "$1/usr/local/bin/$a"; done',
    config: { Cmd: ['sh'], Env: [PATH_ENV] },
  },
  {
    kind: 'debian',
    refs: ['redis:7', 'redis:latest', 'redis'],
    standsInFor: 'redis (Debian redis-server on port 6379, protected mode off as in the official image)',
    packages: ['redis-server'],
    config: { Cmd: ['redis-server', '--protected-mode', 'no', '--bind', '0.0.0.0'], Env: [PATH_ENV], ExposedPorts: { '6379/tcp': {} } },
  },
  { kind: 'binary', refs: ['registry.k8s.io/pause:3.10'], binary: 'pause', path: 'pause', config: { Entrypoint: ['/pause'] } },
  { kind: 'binary', refs: ['localhost/labforge/coredns:node'], binary: 'coredns', path: 'coredns', config: { Entrypoint: ['/coredns'] } },
];

/** Images the node needs before any lab pod can start (the sandbox and the system pods). */
export const SYSTEM_IMAGES = IMAGE_RECIPES.filter((r) => r.kind === 'binary');
export const COREDNS_IMAGE = 'localhost/labforge/coredns:node';

export function recipeFor(ref: string): ImageRecipe | undefined {
  return IMAGE_RECIPES.find((r) => r.refs.includes(ref));
}

/** The name a recipe is built and cached under: its first reference, made file-safe. */
export function recipeName(r: ImageRecipe): string {
  return (r.refs[0] as string).replace(/[^a-zA-Z0-9.-]+/g, '_');
}
