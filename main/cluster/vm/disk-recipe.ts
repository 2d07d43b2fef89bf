// What a lab VM's boot disk is: Debian packages assembled by mmdebstrap into an ext4 root file
// system, with the kernel and initrd kept beside it so QEMU boots them directly (no bootloader,
// no partition table). Like image-recipes.ts, the recipe's text is its cache key: editing it
// rebuilds the disk.

export interface VmDiskRecipe {
  /** The name the disk is built and cached under. */
  name: string;
  /** What the disk stands in for, said in docs/cluster.md. */
  standsInFor: string;
  packages: string[];
  /** Shell run by mmdebstrap's setup hook (before any package) with the root as "$1". */
  setup: string;
  /** Shell run by mmdebstrap's customize hook (after all packages) with the root as "$1". */
  customize: string;
  /** The ext4 file system's size; the file is sparse, so unused space costs nothing. */
  sizeMiB: number;
}

/**
 * The initrd needs only what finds the root disk under QEMU: virtio on PCI, the block driver and
 * ext4. MODULES=list keeps it to those (the default "most" packs every storage driver, a larger
 * file to load and unpack under TCG); MODULES=dep cannot work in a chroot.
 */
const INITRD_SETUP = [
  'mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"',
  'echo MODULES=list > "$1/etc/initramfs-tools/conf.d/labforge"',
  'printf "%s\\n" virtio_pci virtio_blk virtio_net ext4 > "$1/usr/share/initramfs-tools/modules.d/labforge"',
].join('\n');

/**
 * cloud-init reads only the NoCloud seed (probing the other datasources costs timeouts) and leaves
 * the network to systemd-networkd (DHCP on the one NIC, as KubeVirt's masquerade binding
 * expects), so no ifupdown or dhclient is needed. The disk has no SSH server and no locales
 * package: the init stage runs Debian's modules without `ssh` (it would fail to make host keys;
 * `ssh_genkeytypes: []` is refused by cloud-init's own schema) and the locale is C.UTF-8 (libc's
 * own), so no module fails and the config passes cloud-init's schema check.
 */
const CLOUD_CFG = `datasource_list: [NoCloud, None]
network: {config: disabled}
locale: C.UTF-8
cloud_init_modules: [migrator, seed_random, bootcmd, write-files, growpart, resizefs, disk_setup, mounts, set_hostname, update_hostname, update_etc_hosts, ca-certs, rsyslog, users-groups]
`;
const NETWORKD_DHCP = `[Match]
Name=en* eth*

[Network]
DHCP=yes
`;

export const VM_DISK: VmDiskRecipe = {
  name: 'debian-bookworm-cloud',
  standsInFor: "a lab VM's boot disk (Debian bookworm with the cloud kernel, systemd and cloud-init)",
  packages: ['linux-image-cloud-amd64', 'initramfs-tools', 'systemd-sysv', 'udev', 'cloud-init', 'e2fsprogs', 'iproute2', 'procps', 'less'],
  setup: INITRD_SETUP,
  customize: [
    `cat > "$1/etc/cloud/cloud.cfg.d/90-labforge.cfg" <<'LABFORGE_EOF'\n${CLOUD_CFG}LABFORGE_EOF`,
    `cat > "$1/etc/systemd/network/50-dhcp.network" <<'LABFORGE_EOF'\n${NETWORKD_DHCP}LABFORGE_EOF`,
    'chroot "$1" systemctl enable systemd-networkd.service',
    // QEMU gives the root disk as the first virtio disk; the kernel mounts it (root= on the command line).
    'echo "/dev/vda / ext4 defaults,noatime 0 1" > "$1/etc/fstab"',
    // cloud-init names the machine; until it does, the name says what it is.
    'echo labforge-vm > "$1/etc/hostname"',
    // Every boot of a fresh overlay is a first boot: no machine id baked into the disk.
    'rm -f "$1/etc/machine-id" "$1/var/lib/dbus/machine-id"; touch "$1/etc/machine-id"',
  ].join('\n'),
  sizeMiB: 2048,
};

/** The kernel command line for direct boot: the root disk, and a console on VGA and on serial. */
export function kernelCommandLine(): string {
  // The last console= is /dev/console (boot messages, systemd's status); a getty runs on both.
  return 'root=/dev/vda rw console=tty0 console=ttyS0,115200 quiet';
}
