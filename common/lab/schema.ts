/**
 * The lab file format, `apiVersion: labforge.dev/v1alpha1`, `kind: Lab`.
 *
 * This zod schema is the single source of truth: the parser decodes with it, the JSON Schema
 * for editors (`labforge schema`) is generated from it, and the renderer gets its types from it
 * (type-only imports). Structural rules live here; rules that relate parts of the file to each
 * other (references, duplicates, limits vs requests) live in `semantics.ts`.
 */
import { NODE_KINDS } from './node-kinds';
import { z } from 'zod';
import { achievementSchema, checkSchema } from './checks';
import { capabilityVerdict, LAB_CAPABILITIES } from './capabilities';
import { DNS_LABEL } from './dns-label';
import { MAX_ARG, MAX_DESCRIPTION, MAX_EXPOSURES, MAX_IMAGE, MAX_INGRESS_PATH, MAX_NETWORKS, MAX_NODE_ARGS, MAX_NODE_ENV, MAX_NODE_FILES, MAX_NODE_MOUNTS, MAX_NODE_PORTS, MAX_NODES, MAX_TITLE, MAX_VOLUMES } from './limits';
import { ENV_VAR_NAME, isIanaServiceName, pathProblem } from './kube-values';
import { quantityProblem, type QuantityKind } from './quantity';

export const API_VERSION = 'labforge.dev/v1alpha1';
export const KIND = 'Lab';

/** A DNS-1123 label: what Kubernetes accepts as a Service, Namespace or ConfigMap name. */
export const dnsLabel = (what: string, max = 63) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty` })
    .max(max, { error: `${what} must be at most ${max} characters` })
    .regex(DNS_LABEL, {
      error: `${what} must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. "web-1")`,
    });

/**
 * An OCI image reference: [registry[:port]/]path[:tag][@digest]. Kubernetes only rejects
 * whitespace, but a reference Docker cannot pull fails late and far from the canvas, so we
 * check the grammar here.
 */
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const imageRef = z
  .string({ error: 'image must be a string' })
  .min(1, { error: 'image must not be empty' })
  .max(MAX_IMAGE, { error: `image must be at most ${MAX_IMAGE} characters` })
  .regex(IMAGE_REF, {
    error: 'image is not a valid image reference: use lowercase [registry/]name[:tag][@sha256:digest], e.g. "nginx:1.27"',
  });

const quantity = (what: string, kind: QuantityKind) =>
  z
    .string({ error: `${what} must be a quantity string such as "500m", "2" or "512Mi" (quote numbers)` })
    .superRefine((text, ctx) => {
      const problem = quantityProblem(text, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
    });

const cpuMemory = z.strictObject({
  cpu: quantity('cpu', 'cpu').optional().describe('CPU cores, e.g. "250m" or "1".'),
  memory: quantity('memory', 'memory').optional().describe('Memory, e.g. "256Mi" or "1Gi".'),
});

const resourcesSchema = z
  .strictObject({
    requests: cpuMemory.optional().describe('What the node is guaranteed; used for scheduling and quota.'),
    limits: cpuMemory.optional().describe('The most the node may use; must not be below requests.'),
    disk: quantity('disk', 'storage').optional().describe('Scratch space: for a container, the most its writable layer and logs may hold (default 1Gi; past it the node is restarted); for a VM, an extra scratch disk, e.g. "10Gi".'),
  })
  .describe('Compute resources. Unset values get defaults (see docs/lab-format.md).');

/** A string handed to a process (argument, environment value): bounded, and no NUL, which no exec can carry. */
const processString = (what: string) =>
  z
    .string({ error: `${what} must be strings (quote numbers and booleans)` })
    .max(MAX_ARG, { error: `${what} must be at most ${MAX_ARG} characters each` })
    .refine((s) => !s.includes('\0'), { error: `${what} must not contain NUL characters` });

/** An absolute path inside a node, with the rules of `pathProblem`. */
const nodePath = (what: string, example: string, opts: { spaces: boolean; file?: boolean }) =>
  z.string({ error: `${what} must be a string` }).superRefine((path, ctx) => {
    const problem = pathProblem(path, opts);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem} (e.g. "${example}")` });
  });

/**
 * An ingress path for pathType Prefix. The API server refuses "//", "/./", "/../" and "%2F";
 * ingress-nginx (strict path validation, the default since 1.12) accepts only letters, digits,
 * '_', '-' and '/'; this is the intersection.
 */
const INGRESS_PATH = /^\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]*$/;

/** A DNS-1123 subdomain: what Kubernetes accepts as a StorageClass name. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const portSchema = z.strictObject({
  port: z
    .number({ error: 'port must be a number' })
    .int({ error: 'port must be a whole number' })
    .min(1, { error: 'port must be between 1 and 65535' })
    .max(65535, { error: 'port must be between 1 and 65535' }),
  protocol: z.enum(['TCP', 'UDP'], { error: 'protocol must be "TCP" or "UDP"' }).optional(),
  name: z
    .string({ error: 'port name must be a string' })
    .refine(isIanaServiceName, {
      error: 'port name must be at most 15 lowercase letters, digits and single \'-\' between them, with at least one letter (e.g. "http")',
    })
    .optional()
    .describe('Optional name, at most 15 characters.'),
});

const fileSchema = z.strictObject({
  path: nodePath('path', '/etc/motd', { spaces: true, file: true }).describe('Absolute path of the file inside the node.'),
  content: z.string({ error: 'content must be a string' }).describe('The file content.'),
  mode: z
    .number({ error: 'mode must be a number such as 0o644 (YAML: 0644 or 420)' })
    .int()
    .min(0, { error: 'mode must be between 0 and 0777' })
    .max(0o777, { error: 'mode must be between 0 and 0777' })
    .optional()
    .describe('Permission bits; defaults to 0644.'),
});

const mountSchema = z.strictObject({
  volume: dnsLabel('volume').describe('Name of a volume declared under `volumes`.'),
  mountPath: nodePath('mountPath', '/data', { spaces: false }),
  readOnly: z.boolean({ error: 'readOnly must be true or false' }).optional(),
});


/** A capability name as Kubernetes writes it (no CAP_ prefix), from the list a lab may ask for. */
const capability = z.string({ error: 'capabilities must be strings such as "NET_ADMIN"' }).superRefine((written, ctx) => {
  const v = capabilityVerdict(written);
  if (v.refusedBecause) ctx.addIssue({ code: 'custom', message: `capability ${v.name} is never granted to a lab node: it ${v.refusedBecause}. A lab that needs it can use a VM node, whose guest kernel is its own` });
  else if (!v.allowed) ctx.addIssue({ code: 'custom', message: `capability "${written}" is not one a lab node may ask for; use one of ${LAB_CAPABILITIES.join(', ')}` });
  else if (v.name !== written) ctx.addIssue({ code: 'custom', message: `write the capability as Kubernetes does: "${v.name}"` });
});

/** The most a uid can be in Kubernetes' runAsUser. */
const MAX_UID = 2147483647;

const securitySchema = z
  .strictObject({
    user: z
      .union([
        z.literal('root'),
        z.number({ error: 'user must be "root" or a user id such as 1000' }).int({ error: 'user must be a whole number' }).min(1, { error: 'user 0 is root: write user: root' }).max(MAX_UID, { error: `user must be at most ${MAX_UID}` }),
      ], { error: 'user must be "root" or a user id such as 1000' })
      .optional()
      .describe('Who the node\'s processes run as: "root", or a user id (default 1000). Root makes the namespace Pod Security "baseline".'),
    capabilities: z
      .array(capability)
      .max(LAB_CAPABILITIES.length, { error: `a node asks for at most ${LAB_CAPABILITIES.length} capabilities` })
      .optional()
      .describe('Linux capabilities added for a root node, e.g. [NET_ADMIN] for a router; any beyond the runtime default set makes the namespace Pod Security "privileged".'),
    serviceAccountToken: z
      .boolean({ error: 'serviceAccountToken must be true or false' })
      .optional()
      .describe('Mount a Kubernetes token in the node: the student\'s own (what their kubeconfig may do). Default: none.'),
  })
  .describe('What the node may do beyond Pod Security "restricted" (see docs/lab-format.md, "Pod security").');


const nodeSchema = z
  .strictObject({
    name: dnsLabel('node name')
      .regex(/^[a-z]/, { error: 'node name must start with a letter: it is also the name of the node\'s Service (a DNS-1035 label)' })
      .describe('Lab-wide unique name; other nodes reach this one by it.'),
    kind: z.enum(NODE_KINDS, { error: `kind must be ${NODE_KINDS.map((k) => `"${k}"`).join(' or ')}` }),
    title: z.string().max(MAX_TITLE, { error: `title must be at most ${MAX_TITLE} characters` }).optional(),
    image: imageRef.describe('Container image, or for a VM the containerDisk image.'),
    command: z.array(processString('command entries')).max(MAX_NODE_ARGS, { error: `command has at most ${MAX_NODE_ARGS} entries` }).optional(),
    args: z.array(processString('args entries')).max(MAX_NODE_ARGS, { error: `args has at most ${MAX_NODE_ARGS} entries` }).optional(),
    env: z
      .record(
        z.string().regex(ENV_VAR_NAME, { error: 'environment variable names must match [-._a-zA-Z][-._a-zA-Z0-9]* and not be "." or start with ".."' }),
        processString('environment values'),
      )
      .refine((env) => Object.keys(env).length <= MAX_NODE_ENV, { error: `env has at most ${MAX_NODE_ENV} variables` })
      .optional(),
    ports: z.array(portSchema).max(MAX_NODE_PORTS, { error: `a node has at most ${MAX_NODE_PORTS} ports` }).optional(),
    resources: resourcesSchema.optional(),
    networks: z.array(dnsLabel('network name')).max(MAX_NETWORKS, { error: `a node attaches to at most ${MAX_NETWORKS} networks` }).optional().describe('Networks this node attaches to.'),
    volumes: z.array(mountSchema).max(MAX_NODE_MOUNTS, { error: `a node mounts at most ${MAX_NODE_MOUNTS} volumes` }).optional(),
    files: z.array(fileSchema).max(MAX_NODE_FILES, { error: `a node has at most ${MAX_NODE_FILES} files` }).optional(),
    desktop: z.boolean({ error: 'desktop must be true or false' }).optional().describe('The container serves a VNC desktop on port 5900.'),
    entry: z.boolean({ error: 'entry must be true or false' }).optional().describe('Where `ssh student@gateway` lands (default: the first container).'),
    setup: z
      .string({ error: 'setup must be a string (a shell script)' })
      .refine((s) => !s.includes('\0'), { error: 'setup must not contain NUL characters' })
      .optional().describe('Shell script run once the node starts.'),
    security: securitySchema.optional(),
  })
  .describe('A container or a virtual machine.');

const networkSchema = z.strictObject({
  name: dnsLabel('network name'),
  title: z.string().max(MAX_TITLE, { error: `title must be at most ${MAX_TITLE} characters` }).optional(),
  description: z.string().max(MAX_DESCRIPTION, { error: `description must be at most ${MAX_DESCRIPTION} characters` }).optional(),
});

const volumeSchema = z.strictObject({
  // A container mounts it as the pod volume "vol-<name>", itself a DNS label: 4 characters fewer.
  name: dnsLabel('volume name', 59),
  size: quantity('size', 'storage').describe('Capacity, e.g. "1Gi".'),
  storageClass: z
    .string({ error: 'storageClass must be a string' })
    .max(253, { error: 'storageClass must be at most 253 characters' })
    .regex(DNS_SUBDOMAIN, { error: 'storageClass must be a StorageClass name: lowercase letters, digits, \'-\' and \'.\' (e.g. "standard")' })
    .optional().describe('StorageClass name; the cluster default when unset.'),
});

const exposureSchema = z.strictObject({
  node: dnsLabel('node name').describe('The node whose HTTP port is exposed.'),
  port: z.number({ error: 'port must be a number' }).int().min(1).max(65535),
  path: z
    .string({ error: 'path must be a string' })
    .max(MAX_INGRESS_PATH, { error: `path must be at most ${MAX_INGRESS_PATH} characters` })
    .regex(INGRESS_PATH, { error: 'path must be "/" or segments of letters, digits, \'_\' and \'-\' such as "/app/api" (no "//", ".", ".." or %-escapes)' })
    .optional(),
});

const position = z.strictObject({ x: z.number(), y: z.number() });

/** Canvas positions. Kept apart from the semantics: compiling ignores it entirely. */
const layoutSchema = z.strictObject({
  nodes: z.record(z.string(), position).optional(),
  networks: z.record(z.string(), position).optional(),
  volumes: z.record(z.string(), position).optional(),
});

export const labSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, { error: `apiVersion must be "${API_VERSION}"` }),
    kind: z.literal(KIND, { error: `kind must be "${KIND}"` }),
    metadata: z.strictObject({
      name: dnsLabel('metadata.name', 40).describe('The lab name, a DNS-1123 label of at most 40 characters.'),
      title: z.string().max(MAX_TITLE, { error: `metadata.title must be at most ${MAX_TITLE} characters` }).optional(),
      description: z.string().max(MAX_DESCRIPTION, { error: `metadata.description must be at most ${MAX_DESCRIPTION} characters` }).optional(),
    }),
    nodes: z.array(nodeSchema).max(MAX_NODES, { error: `a lab has at most ${MAX_NODES} nodes` }).default([]),
    networks: z.array(networkSchema).max(MAX_NETWORKS, { error: `a lab has at most ${MAX_NETWORKS} networks` }).default([]),
    volumes: z.array(volumeSchema).max(MAX_VOLUMES, { error: `a lab has at most ${MAX_VOLUMES} volumes` }).default([]),
    exposures: z.array(exposureSchema).max(MAX_EXPOSURES, { error: `a lab has at most ${MAX_EXPOSURES} exposures` }).default([]),
    checks: z.array(checkSchema).optional().describe('Scripts run in each student\'s nodes to tell their progress (see docs/lab-format.md).'),
    achievements: z.array(achievementSchema).optional().describe('Named sets of checks, earned when all of them first passed.'),
    layout: layoutSchema.optional(),
  })
  .describe('A Labforge lab: nodes, the networks between them, volumes and exposures.');

export type Lab = z.output<typeof labSchema>;
export type LabInput = z.input<typeof labSchema>;
export type LabNode = Lab['nodes'][number];
export type LabNetwork = Lab['networks'][number];
export type LabVolume = Lab['volumes'][number];
export type LabExposure = Lab['exposures'][number];
export type { LabAchievement, LabCheck } from './checks';
export type { NodeKind } from './node-kinds';
