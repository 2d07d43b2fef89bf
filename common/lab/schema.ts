/**
 * The lab file format, `apiVersion: labforge.dev/v1alpha1`, `kind: Lab`.
 *
 * This zod schema is the single source of truth: the parser decodes with it, the JSON Schema
 * for editors (`labforge schema`) is generated from it, and the renderer gets its types from it
 * (type-only imports). Structural rules live here; rules that relate parts of the file to each
 * other (references, duplicates, limits vs requests) live in `semantics.ts`.
 */
import { z } from 'zod';
import { achievementSchema, checkSchema } from './checks';
import { DNS_LABEL } from './dns-label';
import { isQuantity } from './quantity';

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

export const imageRef = z
  .string({ error: 'image must be a string' })
  .min(1, { error: 'image must not be empty' })
  .regex(IMAGE_REF, {
    error: 'image is not a valid image reference: use lowercase [registry/]name[:tag][@sha256:digest], e.g. "nginx:1.27"',
  });

const quantity = (what: string) =>
  z
    .string({ error: `${what} must be a quantity string such as "500m", "2" or "512Mi" (quote numbers)` })
    .refine(isQuantity, { error: `${what} is not a valid quantity: use e.g. "500m" or "2" for cpu, "512Mi" or "2Gi" for sizes` });

const cpuMemory = z.strictObject({
  cpu: quantity('cpu').optional().describe('CPU cores, e.g. "250m" or "1".'),
  memory: quantity('memory').optional().describe('Memory, e.g. "256Mi" or "1Gi".'),
});

export const resourcesSchema = z
  .strictObject({
    requests: cpuMemory.optional().describe('What the node is guaranteed; used for scheduling and quota.'),
    limits: cpuMemory.optional().describe('The most the node may use; must not be below requests.'),
    disk: quantity('disk').optional().describe('VM only: size of an extra scratch disk, e.g. "10Gi".'),
  })
  .describe('Compute resources. Unset values get defaults (see docs/lab-format.md).');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const portSchema = z.strictObject({
  port: z
    .number({ error: 'port must be a number' })
    .int({ error: 'port must be a whole number' })
    .min(1, { error: 'port must be between 1 and 65535' })
    .max(65535, { error: 'port must be between 1 and 65535' }),
  protocol: z.enum(['TCP', 'UDP'], { error: 'protocol must be "TCP" or "UDP"' }).optional(),
  name: dnsLabel('port name', 15).optional().describe('Optional name, at most 15 characters.'),
});

export const fileSchema = z.strictObject({
  path: z
    .string({ error: 'path must be a string' })
    .regex(/^\/(?:[^/\0]+\/)*[^/\0]+$/, { error: 'path must be an absolute file path such as "/etc/motd"' })
    .describe('Absolute path of the file inside the node.'),
  content: z.string({ error: 'content must be a string' }).describe('The file content.'),
  mode: z
    .number({ error: 'mode must be a number such as 0o644 (YAML: 0644 or 420)' })
    .int()
    .min(0, { error: 'mode must be between 0 and 0777' })
    .max(0o777, { error: 'mode must be between 0 and 0777' })
    .optional()
    .describe('Permission bits; defaults to 0644.'),
});

export const mountSchema = z.strictObject({
  volume: dnsLabel('volume').describe('Name of a volume declared under `volumes`.'),
  mountPath: z
    .string({ error: 'mountPath must be a string' })
    .regex(/^\/\S*$/, { error: 'mountPath must be an absolute path such as "/data"' }),
  readOnly: z.boolean({ error: 'readOnly must be true or false' }).optional(),
});

export const NODE_KINDS = ['container', 'vm'] as const;

export const nodeSchema = z
  .strictObject({
    name: dnsLabel('node name').describe('Lab-wide unique name; other nodes reach this one by it.'),
    kind: z.enum(NODE_KINDS, { error: 'kind must be "container" or "vm"' }),
    title: z.string().optional(),
    image: imageRef.describe('Container image, or for a VM the containerDisk image.'),
    command: z.array(z.string({ error: 'command entries must be strings' })).optional(),
    args: z.array(z.string({ error: 'args entries must be strings' })).optional(),
    env: z
      .record(
        z.string().regex(ENV_NAME, { error: 'environment variable names must match [A-Za-z_][A-Za-z0-9_]*' }),
        z.string({ error: 'environment values must be strings (quote numbers and booleans)' }),
      )
      .optional(),
    ports: z.array(portSchema).optional(),
    resources: resourcesSchema.optional(),
    networks: z.array(dnsLabel('network name')).optional().describe('Networks this node attaches to.'),
    volumes: z.array(mountSchema).optional(),
    files: z.array(fileSchema).optional(),
    desktop: z.boolean({ error: 'desktop must be true or false' }).optional().describe('The container serves a VNC desktop on port 5900.'),
    setup: z.string({ error: 'setup must be a string (a shell script)' }).optional().describe('Shell script run once the node starts.'),
  })
  .describe('A container or a virtual machine.');

export const networkSchema = z.strictObject({
  name: dnsLabel('network name'),
  title: z.string().optional(),
  description: z.string().optional(),
});

export const volumeSchema = z.strictObject({
  name: dnsLabel('volume name'),
  size: quantity('size').describe('Capacity, e.g. "1Gi".'),
  storageClass: z.string().optional().describe('StorageClass name; the cluster default when unset.'),
});

export const exposureSchema = z.strictObject({
  node: dnsLabel('node name').describe('The node whose HTTP port is exposed.'),
  port: z.number({ error: 'port must be a number' }).int().min(1).max(65535),
  path: z.string().regex(/^\//, { error: 'path must start with "/"' }).optional(),
});

const position = z.strictObject({ x: z.number(), y: z.number() });

/** Canvas positions. Kept apart from the semantics: compiling ignores it entirely. */
export const layoutSchema = z.strictObject({
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
      title: z.string().optional(),
      description: z.string().optional(),
    }),
    nodes: z.array(nodeSchema).default([]),
    networks: z.array(networkSchema).default([]),
    volumes: z.array(volumeSchema).default([]),
    exposures: z.array(exposureSchema).default([]),
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
export type LabLayout = NonNullable<Lab['layout']>;
export type { LabAchievement, LabCheck } from './checks';
export type NodeKind = (typeof NODE_KINDS)[number];
