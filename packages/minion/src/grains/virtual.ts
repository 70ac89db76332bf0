import { access, readFile } from 'node:fs/promises';
import type { Json } from '@saltmq/common';
import { runQuiet } from '../process/quiet.js';

/** What the virtual grain is decided from; gathered by readVirtualProbe, passed in by tests. */
export interface VirtualProbe {
  /** stdout of `systemd-detect-virt` when it exited 0 */
  detectVirt?: string | undefined;
  productName?: string | undefined;
  cpuinfo?: string | undefined;
  /** /proc/1/cgroup */
  cgroup?: string | undefined;
  /** /proc/1/environ, NULs and all */
  environ?: string | undefined;
  dockerenv?: boolean | undefined;
}

const HYPERVISORS = ['qemu', 'kvm', 'oracle', 'xen', 'bochs', 'chroot', 'uml', 'systemd-nspawn'];
// systemd-detect-virt's container names that Salt's table lacks; Salt reports these hosts as physical.
const CONTAINERS: Record<string, string> = { docker: 'Docker', podman: 'Podman', rkt: 'rkt', wsl: 'WSL', proot: 'proot', pouch: 'Pouch', openvz: 'OpenVZ' };

/**
 * Salt's _virtual for Linux, in its order: systemd-detect-virt, /proc/cpuinfo, the DMI product name,
 * then container hints in /proc/1 (checked last so a container inside a VM reads as a container).
 * Added beyond Salt: systemd-detect-virt's docker/podman names, `container=` in pid 1's environment
 * and /.dockerenv, because with cgroup v2 Salt's cgroup test no longer sees Docker.
 */
export function detectVirtual(p: VirtualProbe): { virtual: string; virtual_subtype?: string } {
  let virtual = 'physical';
  let subtype: string | undefined;
  const out = p.detectVirt?.trim() ?? '';
  if (HYPERVISORS.includes(out)) virtual = out;
  else if (out.includes('vmware')) virtual = 'VMware';
  else if (out.includes('microsoft')) virtual = 'VirtualPC';
  else if (out.includes('lxc')) [virtual, subtype] = ['container', 'LXC'];
  else if (out.includes('amazon')) [virtual, subtype] = ['Nitro', 'Amazon EC2'];
  else if (CONTAINERS[out]) [virtual, subtype] = ['container', CONTAINERS[out]];

  if (p.cpuinfo?.includes('QEMU Virtual CPU')) virtual = 'kvm';
  const product = p.productName ?? '';
  if (product.includes('VirtualBox')) virtual = 'VirtualBox';
  else if (product.includes('RHEV Hypervisor')) [virtual, subtype] = ['kvm', 'rhev'];
  else if (product.includes('oVirt Node')) [virtual, subtype] = ['kvm', 'ovirt'];
  else if (product.includes('Google')) virtual = 'gce';
  else if (product.includes('BHYVE')) virtual = 'bhyve';

  const cgroup = p.cgroup ?? '';
  if (cgroup.includes(':/lxc/')) [virtual, subtype] = ['container', 'LXC'];
  else if (cgroup.includes(':/kubepods/')) subtype = 'kubernetes';
  else if (cgroup.includes(':/libpod_parent/')) subtype = 'libpod';
  else if ([':/system.slice/docker', ':/docker/', ':/docker-ce/'].some((s) => cgroup.includes(s))) [virtual, subtype] = ['container', 'Docker'];

  const environ = (p.environ ?? '').split('\0');
  if (subtype !== 'LXC' && environ.includes('container=lxc')) [virtual, subtype] = ['container', 'LXC'];
  else if (virtual !== 'container' && environ.includes('container=podman')) [virtual, subtype] = ['container', 'Podman'];
  else if (virtual !== 'container' && (environ.includes('container=docker') || p.dockerenv)) [virtual, subtype] = ['container', 'Docker'];

  // Salt: a subtype without a known type still means "not bare metal"
  if (subtype && virtual === 'physical') virtual = 'virtual';
  return subtype ? { virtual, virtual_subtype: subtype } : { virtual };
}

const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** Gathers the probe from this machine; every part is optional. */
export async function readVirtualProbe(cpuinfo?: string): Promise<VirtualProbe> {
  const [detect, productName, cgroup, environ, dockerenv] = await Promise.all([
    runQuiet('systemd-detect-virt', []),
    readText('/sys/devices/virtual/dmi/id/product_name'),
    readText('/proc/1/cgroup'),
    readText('/proc/1/environ'),
    access('/.dockerenv').then(() => true, () => false),
  ]);
  return { detectVirt: detect?.code === 0 ? detect.stdout : undefined, productName, cpuinfo, cgroup, environ, dockerenv };
}

/** The virtual grains of this machine. */
export async function virtualGrains(cpuinfo?: string): Promise<Record<string, Json>> {
  return detectVirtual(await readVirtualProbe(cpuinfo));
}
