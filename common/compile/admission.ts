/**
 * What the API server (and KubeVirt's webhook) would refuse in the objects a lab compiles to,
 * found before anything is sent and reported at the lab field it comes from.
 *
 * Two layers. Field rules that depend on how compile builds names: a StatefulSet's revision
 * label, Service port names (generated ones included), mount paths, ConfigMap and cloud-init
 * sizes. Then a backstop over the compiled objects themselves, compiled for the longest names a
 * class can give (63-character namespace, 128-character student id, 63-character release):
 * object names, label keys and values, the annotation total and the object size.
 */
import type { Lab, LabNode } from '../lab/schema';
import type { LabPath, SemanticIssue } from '../lab/semantics';
import { compileLab } from './index';
import { parseQuantity } from '../lab/quantity';
import type { KubeObject } from './types';
import { MAX_CLOUD_INIT_BYTES } from './kubevirt-limits';
import { cloudInit } from './vm';
import { nodeConfigMap, SETUP_PATH, servicePorts } from './workloads';

/**
 * A StatefulSet labels its pods with `controller-revision-hash: <name>-<hash>`, the hash being
 * up to 10 characters; a label value holds 63, so the name may have 52. Longer, and the
 * controller cannot create the revision and the pod never appears.
 */
export const MAX_STATEFULSET_NAME = 63 - 1 - 10;
/** runc refuses a container memory limit below 6 MiB: the pod is created and never starts. */
const MIN_CONTAINER_MEMORY_LIMIT = 6 * 2 ** 20;
/** ConfigMap data (keys and values together), as the API server counts it. */
const MAX_CONFIGMAP_BYTES = 1024 * 1024;
/** All annotations of one object together, keys included. */
const MAX_ANNOTATION_BYTES = 256 * 1024;
/** One object as JSON. etcd stores at most 1.5 MiB per write; this leaves room for managedFields and status. */
const MAX_OBJECT_BYTES = 1024 * 1024;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The longest names a published class can give the objects of one lab. */
const LONGEST_TARGET = {
  namespace: `n${'x'.repeat(61)}n`,
  class: `c${'x'.repeat(28)}c`,
  student: `s${'x'.repeat(126)}s`,
  release: `r${'x'.repeat(61)}r`,
};

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

export function admissionIssues(lab: Lab): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const add = (path: LabPath, message: string) => issues.push({ path, message });
  lab.nodes.forEach((node, i) => nodeIssues(node, (...rest) => ['nodes', i, ...rest], add));
  if (issues.length > 0) return issues;
  for (const obj of compileLab(lab, LONGEST_TARGET)) objectIssues(obj, add);
  return issues;
}

function nodeIssues(node: LabNode, at: (...rest: LabPath) => LabPath, add: (path: LabPath, message: string) => void): void {
  if (node.kind === 'container' && (node.volumes?.length ?? 0) > 0 && node.name.length > MAX_STATEFULSET_NAME) {
    add(at('name'), `a container node with volumes runs as a StatefulSet, whose name must be at most ${MAX_STATEFULSET_NAME} characters (this one has ${node.name.length}); shorten the name`);
  }

  // Service port names must be unique, the generated ones (`tcp-80`, `vnc`) included.
  const names = new Map<string, string>();
  servicePorts(node).forEach((p, j) => {
    const declared = j < (node.ports?.length ?? 0);
    const where = declared ? `ports[${j}]` : 'the VNC desktop';
    const first = names.get(p.name);
    if (first !== undefined) {
      add(declared ? at('ports', j, node.ports![j]!.name !== undefined ? 'name' : 'port') : at('desktop'),
        `port name "${p.name}" of ${where} is already used by ${first}; give the port another name`);
    } else names.set(p.name, where);
  });

  // A container mounts each path once: volumes, files and the setup script share one list.
  if (node.kind === 'container') {
    const limit = node.resources?.limits?.memory;
    if (limit !== undefined && parseQuantity(limit)! < MIN_CONTAINER_MEMORY_LIMIT) {
      add(at('resources', 'limits', 'memory'), 'a container cannot start with a memory limit below 6Mi (the runtime refuses it); raise the limit');
    }

    const mounts = new Map<string, string>();
    const claim = (path: string, owner: string, where: LabPath) => {
      const first = mounts.get(path);
      if (first !== undefined) add(where, `"${path}" is already mounted by ${first}; use another path`);
      else mounts.set(path, owner);
    };
    node.volumes?.forEach((m, j) => claim(m.mountPath, `volumes[${j}]`, at('volumes', j, 'mountPath')));
    node.files?.forEach((f, j) => claim(f.path, `files[${j}]`, at('files', j, 'path')));
    if (node.setup !== undefined) claim(SETUP_PATH, 'the setup script', at('setup'));

    const cm = nodeConfigMap(node, (name) => ({ name }));
    if (cm) {
      const data = cm['data'] as Record<string, string>;
      const size = Object.entries(data).reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(v), 0);
      if (size > MAX_CONFIGMAP_BYTES) {
        add(at(node.files?.length ? 'files' : 'setup'), `files and setup of this node total ${size} bytes; Kubernetes stores at most ${MAX_CONFIGMAP_BYTES} (1 MiB) per node: put large content in the image or a volume`);
      }
    }
  } else {
    const size = utf8Length(cloudInit(node));
    if (size > MAX_CLOUD_INIT_BYTES) {
      add(at(node.setup !== undefined && !node.files?.length ? 'setup' : 'files'),
        `a VM gets its files, setup and mounts through cloud-init, here ${size} bytes; KubeVirt accepts at most ${MAX_CLOUD_INIT_BYTES}: put large content in the image or fetch it in setup`);
    }
  }
}

/** The lab path an object came from, by its source annotation (`nodes[2]`). */
function sourcePath(obj: KubeObject): LabPath {
  const source = obj.metadata.annotations?.['labforge.dev/source'];
  const m = source ? /^(nodes|volumes|exposures)\[(\d+)\]$/.exec(source) : null;
  return m ? [m[1]!, Number(m[2])] : ['metadata'];
}

function objectIssues(obj: KubeObject, add: (path: LabPath, message: string) => void): void {
  const what = `the ${obj.kind} "${obj.metadata.name}"`;
  const at = sourcePath(obj);
  const name = obj.metadata.name;
  const nameOk = obj.kind === 'Service' ? name.length <= 63 && DNS_1035.test(name)
    : obj.kind === 'Namespace' ? name.length <= 63 && DNS_LABEL.test(name)
    : name.length <= 253 && DNS_SUBDOMAIN.test(name);
  if (!nameOk) add(at, `${what} would have an invalid name; shorten or rename it`);

  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (!validLabelKey(key)) add(at, `${what} would have an invalid label key "${key}"`);
    if (value.length > 63 || !LABEL_VALUE.test(value)) add(at, `${what} would have an invalid value for label ${key}`);
  }
  const annotations = Object.entries(obj.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (annotations > MAX_ANNOTATION_BYTES) add(at, `${what} would carry ${annotations} bytes of annotations; Kubernetes allows ${MAX_ANNOTATION_BYTES}: shorten titles and descriptions`);
  const size = utf8Length(JSON.stringify(obj));
  if (size > MAX_OBJECT_BYTES) add(at, `${what} would be ${size} bytes; Kubernetes stores objects up to about 1 MiB: move large content out of the lab file`);
}

function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}
