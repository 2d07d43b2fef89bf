/**
 * A release as a Kustomize tree for GitOps: `base/` is the release compiled once (for a
 * placeholder student), and `overlays/<student>/` turns it into exactly what `labforge compile`
 * gives for that student, through one JSON patch per object that differs (namespace, labels,
 * names). `shared/` holds what every class shares and publish writes once (the students'
 * ClusterRole); it is applied before the overlays. An Argo CD ApplicationSet and Flux
 * Kustomizations over the tree are written as alternatives. Pure: the caller reads the release
 * and writes the files.
 */
import { stringify } from 'yaml';
import { compileLab, objectsToYaml, studentKey, studentNamespace, type CompileTarget, type KubeObject } from '../compile';
import { studentClusterRole } from '../compile/rbac';
import type { Lab } from '../lab/schema';

export interface GitopsInput {
  lab: Lab;
  className: string;
  release: string;
  students: { id: string }[];
  domain?: string;
  /** The git repository the tree is committed to, for the ApplicationSet and Flux source. */
  repoURL: string;
  revision: string;
  /** Where the tree sits inside the repository. */
  repoPath: string;
}

export type JsonPatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** The placeholder the base is compiled for; every overlay patches it away. */
const BASE_STUDENT = 'base';

export function studentTargetFor(input: Pick<GitopsInput, 'className' | 'release' | 'domain'>, student: string): CompileTarget {
  return {
    namespace: studentNamespace(input.className, student),
    class: input.className,
    student,
    release: input.release,
    ...(input.domain ? { domain: input.domain } : {}),
  };
}

/** Files of the tree, by path relative to the output folder. */
export function gitopsTree(input: GitopsInput): Map<string, string> {
  const files = new Map<string, string>();
  files.set('shared/objects.yaml', objectsToYaml([studentClusterRole()]));
  files.set('shared/kustomization.yaml', kustomization({ resources: ['objects.yaml'] }, 'Shared by every class (the ClusterRole each student namespace binds); apply it before the overlays.'));
  const base = compileLab(input.lab, studentTargetFor(input, BASE_STUDENT));
  files.set('base/objects.yaml', objectsToYaml(base));
  files.set('base/kustomization.yaml', kustomization({ resources: ['objects.yaml'] }, `Release ${input.lab.metadata.name}@${input.release} for class ${input.className}, compiled once for a placeholder student; overlays/ make it each student's.`));

  const overlays: { dir: string; namespace: string; student: string }[] = [];
  for (const s of input.students) {
    const target = studentTargetFor(input, s.id);
    const objects = compileLab(input.lab, target);
    if (objects.length !== base.length) throw new Error(`the lab compiles to ${objects.length} objects for ${s.id} but ${base.length} for the base`);
    const patches = base.flatMap((b, i) => {
      const o = objects[i]!;
      if (o.kind !== b.kind || o.apiVersion !== b.apiVersion) throw new Error(`object ${i} is ${o.kind} for ${s.id} but ${b.kind} in the base`);
      const ops = jsonDiff(b, o);
      return ops.length ? [{ target: patchTarget(b), patch: stringify(ops, { lineWidth: 0 }) }] : [];
    });
    const dir = studentKey(s.id);
    files.set(`overlays/${dir}/kustomization.yaml`, kustomization({ resources: ['../../base'], patches }, `Student ${s.id}: namespace ${target.namespace}.`));
    overlays.push({ dir, namespace: target.namespace, student: s.id });
  }

  const appName = `${input.className}-${input.lab.metadata.name}`.slice(0, 40).replace(/-+$/, '');
  const root = input.repoPath.replace(/^\.?\/*|\/+$/g, '');
  const path = (dir: string) => [root, 'overlays', dir].filter(Boolean).join('/');
  const sharedPath = [root, 'shared'].filter(Boolean).join('/');
  files.set(
    'argocd/applicationset.yaml',
    `# Argo CD: one Application per student from the overlays (list generator).\n${stringify(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        metadata: { name: appName, namespace: 'argocd' },
        spec: {
          goTemplate: true,
          // `shared` (the students' ClusterRole) syncs like a student; RBAC tolerates the order.
          generators: [{ list: { elements: [{ student: 'shared', namespace: 'default', path: sharedPath }, ...overlays.map((o) => ({ student: o.dir, namespace: o.namespace, path: path(o.dir) }))] } }],
          template: {
            metadata: { name: `${appName}-{{.student}}` },
            spec: {
              project: 'default',
              source: { repoURL: input.repoURL, targetRevision: input.revision, path: '{{.path}}' },
              destination: { server: 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
              syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
            },
          },
        },
      },
      { lineWidth: 0 },
    )}`,
  );
  const flux = [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: appName, namespace: 'flux-system' },
      spec: { interval: '5m', url: input.repoURL, ref: { branch: input.revision } },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: `${appName}-shared`, namespace: 'flux-system' },
      // Shared by every class: never pruned by one class's Kustomization going away.
      spec: { interval: '10m', path: `./${sharedPath}`, prune: false, sourceRef: { kind: 'GitRepository', name: appName } },
    },
    ...overlays.map((o) => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: `${appName}-${o.dir}`.slice(0, 63).replace(/-+$/, ''), namespace: 'flux-system' },
      spec: { interval: '10m', path: `./${path(o.dir)}`, prune: true, dependsOn: [{ name: `${appName}-shared` }], sourceRef: { kind: 'GitRepository', name: appName } },
    })),
  ];
  files.set('flux/kustomizations.yaml', `# Flux: a GitRepository and one Kustomization per student (an alternative to argocd/).\n${flux.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`);
  files.set(
    'README.md',
    [
      `# ${input.lab.metadata.name}@${input.release} for class ${input.className}`,
      '',
      'Written by `labforge export gitops`; regenerate it rather than editing it.',
      '',
      '- `shared/`: what every class shares (the ClusterRole student namespaces bind); apply it first, once per cluster.',
      `- \`base/\`: the release compiled once, for a placeholder student.`,
      `- \`overlays/<student>/\`: ${overlays.length} students; \`kubectl kustomize overlays/<student>\` gives exactly what \`labforge compile --class ${input.className} --student <id> --release ${input.release}\` gives, and \`kubectl apply --server-side -k overlays/<student>\` (after \`shared/\`) creates that student's namespace.`,
      '- `argocd/applicationset.yaml` or `flux/kustomizations.yaml`: let Argo CD or Flux apply every overlay.',
      '',
    ].join('\n'),
  );
  return files;
}

function kustomization(body: { resources: string[]; patches?: { target: Record<string, string>; patch: string }[] }, comment: string): string {
  return `# ${comment}\n${stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...body }, { lineWidth: 0, blockQuote: 'literal' })}`;
}

function patchTarget(o: KubeObject): Record<string, string> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return {
    ...(group ? { group } : {}),
    version: version!,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}

const pointer = (path: readonly (string | number)[]) => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6902 operations that turn `a` into `b`; arrays of different length are replaced whole. */
export function jsonDiff(a: unknown, b: unknown, path: (string | number)[] = []): JsonPatchOp[] {
  if (isObject(a) && isObject(b)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(a)) if (!(key in b)) ops.push({ op: 'remove', path: pointer([...path, key]) });
    for (const [key, value] of Object.entries(b)) {
      if (!(key in a)) ops.push({ op: 'add', path: pointer([...path, key]), value });
      else ops.push(...jsonDiff(a[key], value, [...path, key]));
    }
    return ops;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((v, i) => jsonDiff(v, b[i], [...path, i]));
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [{ op: 'replace', path: pointer(path), value: b }];
}

/** Applies RFC 6902 operations (the subset jsonDiff emits); used to check the tree without kustomize. */
export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  const out = structuredClone(doc) as unknown;
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let parent = out as Record<string, unknown> | unknown[];
    for (const k of keys.slice(0, -1)) parent = (parent as Record<string, unknown>)[k] as Record<string, unknown>;
    const last = keys[keys.length - 1]!;
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (Array.isArray(parent)) parent[Number(last)] = op.value;
    else parent[last] = op.value;
  }
  return out as T;
}
