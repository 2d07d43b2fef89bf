/**
 * The OpenAPI v3 schema of KubeVirt's VirtualMachineInstanceSpec (kubevirt.io/v1), as the
 * local cluster checks it. KubeVirt itself cannot be built here (its Go modules are not served),
 * so the API server does its checking: this schema has KubeVirt's field names, types, enums and
 * required fields (from its API reference), and the refusals of its validating webhook
 * (virt-api) written as CEL rules. Written for this project from KubeVirt's documented API;
 * kubevirt-crds.ts wraps it into the VirtualMachine and VirtualMachineInstance CRDs.
 *
 * Covered: everything Labforge compiles (common/compile/vm.ts) and what surrounds it. Sub-trees
 * Labforge never writes (affinity, probes, hyper-v features, ...) are typed as objects whose
 * contents are kept unchecked (`opaque`), so a valid KubeVirt spec is never refused for them.
 * Fields KubeVirt accepts only behind a feature gate (host disks, GPUs, host devices, port
 * ranges, downward metrics) are left out: a cluster without those gates refuses them too.
 */

/** The subset of JSONSchemaProps (apiextensions.k8s.io/v1) this schema uses. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  anyOf?: Schema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-validations'?: Rule[];
}

export interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueDuplicate';
}

import { MAX_CLOUD_INIT_BYTES } from '../../common/compile/kubevirt-limits';

/** KubeVirt's schema allows at most this many disks, interfaces, networks and volumes. */
const KUBEVIRT_MAX_DEVICES = 256;

// ---- building blocks -------------------------------------------------------------------------

const QUANTITY = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });
export const bool: Schema = { type: 'boolean' };
const int32 = (extra: Schema = {}): Schema => ({ type: 'integer', format: 'int32', ...extra });
const int64 = (extra: Schema = {}): Schema => ({ type: 'integer', format: 'int64', ...extra });
export const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });
/** An object with no fields of its own, e.g. `masquerade: {}`: anything inside is pruned. */
const marker: Schema = { type: 'object' };
/** A part of KubeVirt's API that Labforge never writes: an object, contents unchecked. */
export const opaque: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
export const list = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
/** A resource.Quantity: a number or a quantity string, as Kubernetes types it. */
const quantity: Schema = { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY, 'x-kubernetes-int-or-string': true };
const quantities: Schema = { type: 'object', additionalProperties: quantity };
/** A device or volume name: every one ends up in a libvirt and container name (a DNS label). */
const deviceName = str({ maxLength: 63, pattern: DNS_LABEL });
/** Names referenced across lists; bounded so the API server can bound the cost of the rules. */
const refName = str({ maxLength: 253 });

/** How many of the listed optional fields of `self` are set. */
const countSet = (fields: string[]) => `[${fields.map((f) => `has(self.${f})`).join(', ')}].filter(x, x).size()`;

/** Every element's `name` differs from the others'. */
function uniqueNames(what: string): Rule {
  // No `reason: FieldValueDuplicate`: the API server then prints "Duplicate value" without the message.
  return { rule: 'self.all(x, self.exists_one(y, y.name == x.name))', message: `${what} must not have the same name` };
}

/** A Kubernetes quantity (number or string) as a CEL quantity. */
const q = (expr: string) => `quantity(string(${expr}))`;

// ---- domain ----------------------------------------------------------------------------------

const DISK_BUSES = ['virtio', 'sata', 'scsi', 'usb'];
const DISK_TARGETS = ['disk', 'lun', 'cdrom'];

const disk = obj({
  name: deviceName,
  disk: obj({ bus: oneOf(...DISK_BUSES), readonly: bool, pciAddress: str() }),
  lun: obj({ bus: oneOf(...DISK_BUSES), readonly: bool, reservation: bool }),
  cdrom: obj({ bus: oneOf(...DISK_BUSES), readonly: bool, tray: oneOf('open', 'closed') }),
  bootOrder: { type: 'integer', minimum: 1 },
  serial: str({ maxLength: 256, pattern: '^[A-Za-z0-9_.+-]+$' }),
  dedicatedIOThread: bool,
  cache: oneOf('none', 'writethrough', 'writeback'),
  io: oneOf('native', 'threads'),
  errorPolicy: oneOf('stop', 'ignore', 'report', 'enospace'),
  tag: str(),
  shareable: bool,
  blockSize: opaque,
}, {
  required: ['name'],
  'x-kubernetes-validations': [
    { rule: `${countSet(DISK_TARGETS)} <= 1`, message: 'a disk can only have a single target type defined (disk, lun or cdrom)' },
    { rule: '!has(self.cdrom) || !has(self.cdrom.bus) || self.cdrom.bus != "virtio"', message: 'Bus type virtio is invalid for CD-ROM device', fieldPath: '.cdrom.bus' },
    { rule: '!has(self.disk) || !has(self.disk.bus) || self.disk.bus != "sata" || !has(self.disk.readonly) || !self.disk.readonly', message: 'sata hard-disks do not support read-only.', fieldPath: '.disk.readonly' },
    {
      rule: '!has(self.dedicatedIOThread) || !self.dedicatedIOThread || [has(self.disk) && has(self.disk.bus) && self.disk.bus != "virtio", has(self.lun) && has(self.lun.bus) && self.lun.bus != "virtio", has(self.cdrom)].all(x, !x)',
      message: 'IOThreads are only supported for disks on a virtio bus',
      fieldPath: '.dedicatedIOThread',
    },
  ],
});

const port = obj({
  name: str({ maxLength: 15 }),
  protocol: oneOf('TCP', 'UDP'),
  port: int32({ minimum: 1, maximum: 65535 }),
}, { required: ['port'] });

// Bindings KubeVirt ended in v1.3; it still knows the fields and refuses them by name.
const DISCONTINUED = { slirp: 'Slirp interface support', passt: 'Passt network binding', macvtap: 'Macvtap network binding' };
const BINDINGS = ['bridge', 'masquerade', 'sriov', 'passtBinding', 'binding'];

const iface = obj({
  name: str({ maxLength: 253, pattern: '^[A-Za-z0-9_-]+$' }),
  bridge: marker,
  masquerade: marker,
  sriov: marker,
  passtBinding: marker,
  slirp: marker,
  passt: marker,
  macvtap: marker,
  binding: obj({ name: str() }, { required: ['name'] }),
  model: oneOf('e1000', 'e1000e', 'igb', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio'),
  ports: list(port, { maxItems: 256 }),
  macAddress: str({ pattern: '^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$' }),
  bootOrder: { type: 'integer', minimum: 1 },
  pciAddress: str(),
  dhcpOptions: opaque,
  tag: str(),
  acpiIndex: { type: 'integer' },
  state: oneOf('up', 'down', 'absent'),
}, {
  required: ['name'],
  'x-kubernetes-validations': [
    ...Object.entries(DISCONTINUED).map(([f, what]): Rule => ({ rule: `!has(self.${f})`, message: `${what} has been discontinued since v1.3`, fieldPath: `.${f}` })),
    { rule: `${countSet(BINDINGS)} == 1`, messageExpression: `'interface ' + self.name + ' must have exactly one binding method or binding plugin'` },
  ],
});

const devices = obj({
  autoattachPodInterface: bool,
  autoattachGraphicsDevice: bool,
  autoattachSerialConsole: bool,
  autoattachMemBalloon: bool,
  autoattachInputDevice: bool,
  autoattachVSOCK: bool,
  logSerialConsole: bool,
  blockMultiQueue: bool,
  networkInterfaceMultiqueue: bool,
  useVirtioTransitional: bool,
  disableHotplug: bool,
  disks: list(disk, { maxItems: KUBEVIRT_MAX_DEVICES, 'x-kubernetes-validations': [uniqueNames('disks')] }),
  interfaces: list(iface, { maxItems: KUBEVIRT_MAX_DEVICES, 'x-kubernetes-validations': [uniqueNames('interfaces')] }),
  filesystems: list(obj({ name: deviceName, virtiofs: marker }, { required: ['name', 'virtiofs'] }), { maxItems: KUBEVIRT_MAX_DEVICES }),
  inputs: list(obj({ name: str(), type: oneOf('tablet'), bus: oneOf('virtio', 'usb') }, { required: ['name', 'type'] })),
  watchdog: opaque,
  rng: marker,
  tpm: obj({ enabled: bool, persistent: bool }),
  sound: obj({ name: str(), model: oneOf('ich9', 'ac97') }, { required: ['name'] }),
  video: obj({ type: str() }),
  panicDevices: list(obj({ model: oneOf('hyperv', 'isa', 'pvpanic') })),
  clientPassthrough: marker,
});

const resources = obj({ requests: quantities, limits: quantities, overcommitGuestOverhead: bool }, {
  'x-kubernetes-validations': (['cpu', 'memory'] as const).flatMap((r): Rule[] => [
    ...(['requests', 'limits'] as const).map((side): Rule => ({
      rule: `!has(self.${side}) || !('${r}' in self.${side}) || !${q(`self.${side}['${r}']`)}.isLessThan(quantity('0'))`,
      message: `${side}.${r} must be greater than or equal to 0`,
      fieldPath: `.${side}`,
    })),
    {
      rule: `!has(self.requests) || !has(self.limits) || !('${r}' in self.requests) || !('${r}' in self.limits) || ${q(`self.requests['${r}']`)}.compareTo(${q(`self.limits['${r}']`)}) <= 0`,
      messageExpression: `'requests.${r} ' + string(self.requests['${r}']) + ' is greater than limits.${r} ' + string(self.limits['${r}'])`,
      fieldPath: '.requests',
    },
  ]).concat({
    rule: `!has(self.requests) || !('memory' in self.requests) || ${q(`self.requests['memory']`)}.compareTo(quantity('1M')) >= 0`,
    message: 'requests.memory must be greater than or equal to 1M',
    fieldPath: '.requests',
  }),
});

/** With dedicated CPUs, KubeVirt pins whole cores and fixes the memory: requests equal limits. */
const DEDICATED = 'has(self.cpu) && has(self.cpu.dedicatedCpuPlacement) && self.cpu.dedicatedCpuPlacement && has(self.resources)';
const DEDICATED_CPU_RULES: Rule[] = [
  ...(['requests', 'limits'] as const).map((side): Rule => ({
    rule: `!(${DEDICATED} && has(self.resources.${side}) && 'cpu' in self.resources.${side}) || ${q(`self.resources.${side}['cpu']`)}.isInteger()`,
    message: `provided resources CPU ${side} must be an integer with dedicatedCpuPlacement`,
    fieldPath: `.resources.${side}`,
  })),
  ...(['cpu', 'memory'] as const).map((r): Rule => ({
    rule: `!(${DEDICATED} && has(self.resources.requests) && has(self.resources.limits) && '${r}' in self.resources.requests && '${r}' in self.resources.limits) || ${q(`self.resources.requests['${r}']`)}.compareTo(${q(`self.resources.limits['${r}']`)}) == 0`,
    message: `requests.${r} and limits.${r} must be equal when dedicatedCpuPlacement is true`,
    fieldPath: '.resources',
  })),
];

const domain = obj({
  cpu: obj({
    cores: int32({ minimum: 0 }),
    sockets: int32({ minimum: 0 }),
    threads: int32({ minimum: 0 }),
    maxSockets: int32({ minimum: 0 }),
    model: str(),
    features: list(obj({ name: str(), policy: oneOf('force', 'require', 'optional', 'disable', 'forbid') }, { required: ['name'] })),
    dedicatedCpuPlacement: bool,
    isolateEmulatorThread: bool,
    realtime: opaque,
    numa: opaque,
  }, { 'x-kubernetes-validations': [{ rule: '!has(self.isolateEmulatorThread) || !self.isolateEmulatorThread || (has(self.dedicatedCpuPlacement) && self.dedicatedCpuPlacement)', message: 'IsolateEmulatorThread should be only set in combination with DedicatedCPUPlacement' }] }),
  memory: obj({ guest: quantity, maxGuest: quantity, hugepages: obj({ pageSize: str() }), reservedOverhead: opaque }),
  resources,
  machine: obj({ type: str() }),
  firmware: obj({
    uuid: str(),
    serial: str(),
    bootloader: obj({ bios: obj({ useSerial: bool }), efi: obj({ secureBoot: bool, persistent: bool }) }, {
      'x-kubernetes-validations': [{ rule: '!(has(self.bios) && has(self.efi))', message: 'bootloader has both EFI and BIOS configured, but they are mutually exclusive.' }],
    }),
    kernelBoot: opaque,
    acpi: opaque,
  }),
  clock: opaque,
  features: opaque,
  chassis: opaque,
  devices,
  ioThreadsPolicy: oneOf('shared', 'auto', 'supplementalPool'),
  ioThreads: opaque,
  launchSecurity: opaque,
}, { required: ['devices'], 'x-kubernetes-validations': DEDICATED_CPU_RULES });

// ---- volumes and networks --------------------------------------------------------------------

const secretRef = obj({ name: str() });
const CLOUD_INIT_USER = ['userData', 'userDataBase64', 'secretRef'];
const CLOUD_INIT_NETWORK = ['networkData', 'networkDataBase64', 'networkDataSecretRef'];

function cloudInit(kind: string): Schema {
  const inline = (f: string): Rule => ({
    rule: `!has(self.${f}) || size(bytes(self.${f})) <= ${MAX_CLOUD_INIT_BYTES}`,
    message: `${kind} ${f.startsWith('user') ? 'userdata' : 'networkdata'} exceeds ${MAX_CLOUD_INIT_BYTES} byte limit. Should use a secret reference for larger data.`,
    fieldPath: `.${f}`,
  });
  // Inline data over the limit in characters is over it in bytes too: the bound lets the API
  // server bound the cost of the byte count below.
  const inlineText = str({ maxLength: MAX_CLOUD_INIT_BYTES });
  return obj({
    userData: inlineText, userDataBase64: str(), secretRef,
    networkData: inlineText, networkDataBase64: str(), networkDataSecretRef: secretRef,
  }, {
    'x-kubernetes-validations': [
      { rule: `${countSet(CLOUD_INIT_USER)} <= 1`, message: `${kind} must have only one userdatasource set.` },
      { rule: `${countSet(CLOUD_INIT_NETWORK)} <= 1`, message: `${kind} must have only one networkdata source set.` },
      { rule: `${countSet([...CLOUD_INIT_USER, ...CLOUD_INIT_NETWORK])} >= 1`, message: `${kind} must have at least one userdatasource or one networkdatasource set.` },
      inline('userData'),
      inline('networkData'),
    ],
  });
}

const claim = obj({ claimName: str(), readOnly: bool, hotpluggable: bool }, { required: ['claimName'] });

const VOLUME_SOURCES: Record<string, Schema> = {
  containerDisk: obj({ image: str({ minLength: 1 }), imagePullPolicy: oneOf('Always', 'IfNotPresent', 'Never'), imagePullSecret: str(), path: str() }, { required: ['image'] }),
  cloudInitNoCloud: cloudInit('cloudInitNoCloud'),
  cloudInitConfigDrive: cloudInit('cloudInitConfigDrive'),
  persistentVolumeClaim: claim,
  dataVolume: obj({ name: str(), hotpluggable: bool }, { required: ['name'] }),
  ephemeral: obj({ persistentVolumeClaim: obj({ claimName: str(), readOnly: bool }, { required: ['claimName'] }) }),
  emptyDisk: obj({ capacity: quantity }, { required: ['capacity'] }),
  configMap: obj({ name: str({ minLength: 1 }), optional: bool, volumeLabel: str() }, { required: ['name'] }),
  secret: obj({ secretName: str({ minLength: 1 }), optional: bool, volumeLabel: str() }, { required: ['secretName'] }),
  serviceAccount: obj({ serviceAccountName: str({ minLength: 1 }) }, { required: ['serviceAccountName'] }),
  downwardAPI: opaque,
  sysprep: opaque,
  memoryDump: claim,
};

const volume = obj({ name: refName, ...VOLUME_SOURCES }, {
  required: ['name'],
  'x-kubernetes-validations': [{
    rule: `${countSet(Object.keys(VOLUME_SOURCES))} == 1`,
    messageExpression: `'volume ' + self.name + ' must have exactly one source type set'`,
  }],
});

const network = obj({
  name: refName,
  pod: obj({ vmNetworkCIDR: str(), vmIPv6NetworkCIDR: str() }),
  multus: obj({ networkName: str({ minLength: 1 }), default: bool }, { required: ['networkName'] }),
}, {
  required: ['name'],
  'x-kubernetes-validations': [
    { rule: `${countSet(['pod', 'multus'])} >= 1`, message: 'should have a network type' },
    { rule: `${countSet(['pod', 'multus'])} <= 1`, message: 'should have only one network type' },
  ],
});

// ---- the spec --------------------------------------------------------------------------------

const DEVICES = 'self.domain.devices';
const has = (path: string) => {
  const parts = path.split('.');
  return parts.slice(1).map((_, i) => `has(${parts.slice(0, i + 2).join('.')})`).join(' && ');
};

/** Rules that tie the spec's lists together, as KubeVirt's webhook checks them. */
const CROSS_RULES: Rule[] = [
  {
    rule: `!(${has(`${DEVICES}.disks`)}) || ${DEVICES}.disks.all(d, has(self.volumes) && self.volumes.exists(v, v.name == d.name))`,
    message: 'a disk names no volume: every disk needs a volume of the same name',
    fieldPath: '.domain.devices.disks',
  },
  {
    rule: `!has(self.volumes) || self.volumes.all(v, has(v.memoryDump) || (${has(`${DEVICES}.disks`)} && ${DEVICES}.disks.exists(d, d.name == v.name)) || (${has(`${DEVICES}.filesystems`)} && ${DEVICES}.filesystems.exists(f, f.name == v.name)))`,
    message: 'a volume is not found among disks or filesystems: every volume needs one of the same name',
    fieldPath: '.volumes',
  },
  {
    rule: `!(${has(`${DEVICES}.interfaces`)}) || ${DEVICES}.interfaces.all(i, has(self.networks) && self.networks.exists(n, n.name == i.name))`,
    message: 'an interface names no network: every interface needs a network of the same name',
    fieldPath: '.domain.devices.interfaces',
  },
  {
    rule: `!has(self.networks) || self.networks.all(n, ${has(`${DEVICES}.interfaces`)} && ${DEVICES}.interfaces.exists(i, i.name == n.name))`,
    message: 'a network is not found among interfaces: every network needs an interface of the same name',
    fieldPath: '.networks',
  },
  {
    rule: `!(${has(`${DEVICES}.interfaces`)}) || ${DEVICES}.interfaces.all(i, !has(i.masquerade) || (has(self.networks) && self.networks.exists(n, n.name == i.name && has(n.pod))))`,
    message: 'Masquerade interface only implemented with pod network',
    fieldPath: '.domain.devices.interfaces',
  },
  { rule: '!has(self.networks) || self.networks.filter(n, has(n.pod)).size() <= 1', message: 'more than one interface is connected to a pod network', fieldPath: '.networks' },
  { rule: '!has(self.networks) || self.networks.filter(n, has(n.multus) && has(n.multus.default) && n.multus.default).size() <= 1', message: 'Multus CNI should only have one default network', fieldPath: '.networks' },
  {
    rule: '!has(self.networks) || !self.networks.exists(n, has(n.pod)) || !self.networks.exists(n, has(n.multus) && has(n.multus.default) && n.multus.default)',
    message: 'Pod network cannot be defined when Multus default network is defined',
    fieldPath: '.networks',
  },
  { rule: '!has(self.dnsPolicy) || self.dnsPolicy != "None" || (has(self.dnsConfig) && has(self.dnsConfig.nameservers) && size(self.dnsConfig.nameservers) > 0)', message: 'must provide at least one DNS nameserver when `dnsPolicy` is None', fieldPath: '.dnsConfig' },
];

export const vmiSpecSchema: Schema = obj({
  domain,
  hostname: str({ maxLength: 63, pattern: DNS_LABEL }),
  subdomain: str({ maxLength: 253, pattern: DNS_SUBDOMAIN }),
  networks: list(network, { maxItems: KUBEVIRT_MAX_DEVICES, 'x-kubernetes-validations': [uniqueNames('networks')] }),
  volumes: list(volume, { maxItems: KUBEVIRT_MAX_DEVICES, 'x-kubernetes-validations': [uniqueNames('volumes')] }),
  terminationGracePeriodSeconds: int64({ minimum: 0 }),
  evictionStrategy: oneOf('None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External'),
  startStrategy: oneOf('Paused'),
  nodeSelector: stringMap,
  tolerations: list(opaque),
  affinity: opaque,
  topologySpreadConstraints: list(opaque),
  priorityClassName: str(),
  schedulerName: str(),
  dnsPolicy: oneOf('ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'),
  dnsConfig: obj({ nameservers: list(str(), { maxItems: 3 }), searches: list(str(), { maxItems: 6 }), options: list(obj({ name: str({ minLength: 1 }), value: str() })) }),
  readinessProbe: opaque,
  livenessProbe: opaque,
  accessCredentials: list(opaque),
  architecture: str(),
  resourceClaims: list(opaque),
}, { required: ['domain'], 'x-kubernetes-validations': CROSS_RULES });
