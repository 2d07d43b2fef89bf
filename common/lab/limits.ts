/**
 * Size limits of lab files and roster files. They keep every input to a size that parses in
 * well under a second and a few hundred megabytes, whatever its content, and they sit far above
 * anything a real lab needs (the largest shipped example is a few kilobytes). Each limit has an
 * error that names it; docs/lab-format.md lists them.
 */

/** A lab file, in bytes (and a lab text from the editor, in UTF-16 units). */
export const MAX_LAB_BYTES = 4 * 2 ** 20;
/** A roster file, in bytes: 10,000 rows of id, name, email and an ssh key fit in about 6 MiB. */
export const MAX_ROSTER_BYTES = 8 * 2 ** 20;
/** Students in one class, from a roster or `--students`. */
export const MAX_STUDENTS = 10_000;

/**
 * Entries per section of a lab. 1000 nodes is far beyond a student namespace's quota but is what
 * the canvas must stay usable at (npm run bench:canvas); the cap is there for hostile input.
 */
export const MAX_NODES = 1000;
export const MAX_NETWORKS = 200;
export const MAX_VOLUMES = 200;
export const MAX_EXPOSURES = 200;

/** Entries per node. */
export const MAX_NODE_PORTS = 100;
export const MAX_NODE_FILES = 100;
export const MAX_NODE_MOUNTS = 50;
export const MAX_NODE_ENV = 200;
export const MAX_NODE_ARGS = 200;

/** String lengths, in characters. */
export const MAX_TITLE = 256;
export const MAX_DESCRIPTION = 16_384;
export const MAX_IMAGE = 512;
/** One command or args entry, or one environment value. */
export const MAX_ARG = 32_768;
/** A path inside a node: Linux's PATH_MAX is 4096, we keep well under it. */
export const MAX_PATH = 1024;
/** One component of a path: Linux's NAME_MAX. */
export const MAX_PATH_SEGMENT = 255;
export const MAX_INGRESS_PATH = 256;

/** YAML nesting depth; a lab needs about 6. Deeper documents exhaust the YAML composer. */
export const MAX_YAML_DEPTH = 64;
/**
 * YAML tokens (keys, values, indicators) in one lab. What parsing costs grows with tokens, and a
 * lab of 200 nodes with a dozen fields each has about 20,000; files and scripts are one token each.
 */
export const MAX_YAML_TOKENS = 100_000;
/** Entries of any one YAML list or mapping, checked before the document is composed. */
export const MAX_YAML_ENTRIES = 1000;
/** Errors listed for one file; the rest are counted. */
export const MAX_ISSUES = 100;
