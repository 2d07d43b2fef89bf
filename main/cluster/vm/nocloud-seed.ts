// The cloud-init NoCloud seed of a compiled VirtualMachine (common/compile/vm.ts): the files a
// `cidata` disk carries. Pure: seed-image.ts writes them to an image.
import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';

export interface NoCloudFiles {
  'meta-data': string;
  'user-data': string;
  /** Only when the VM's spec carries network data. */
  'network-config'?: string;
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/**
 * The seed of the VM's cloudInitNoCloud volume, or undefined when it has none. The instance id
 * is KubeVirt's (`<name>.<namespace>`): stable across restarts of one VM, so cloud-init's
 * once-per-instance modules run once per disk, and a reset (a fresh overlay) runs them again.
 */
export function noCloudSeed(vm: V1VirtualMachine): NoCloudFiles | undefined {
  const spec = vm.spec.template?.spec;
  const source = spec?.volumes?.find((v) => v.cloudInitNoCloud)?.cloudInitNoCloud;
  if (!source) return undefined;
  const name = vm.metadata?.name ?? 'vm';
  const namespace = vm.metadata?.namespace;
  const hostname = spec?.hostname ?? name;
  // JSON strings are YAML strings: no name can break the document.
  const metaData = `instance-id: ${JSON.stringify(namespace ? `${name}.${namespace}` : name)}\nlocal-hostname: ${JSON.stringify(hostname)}\n`;
  const userData = source.userData ?? (source.userDataBase64 !== undefined ? decode(source.userDataBase64) : '');
  const networkData = source.networkData ?? (source.networkDataBase64 !== undefined ? decode(source.networkDataBase64) : undefined);
  return { 'meta-data': metaData, 'user-data': userData, ...(networkData !== undefined ? { 'network-config': networkData } : {}) };
}
