import { promises as dns } from 'node:dns';
import { isIPv4 } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Json } from '@saltmq/common';

type Interfaces = ReturnType<typeof networkInterfaces>;

// Sorts addresses numerically, as Salt sorts ipaddress objects (so 10.0.0.2 comes before 10.0.0.10).
function addressKey(address: string): bigint {
  if (isIPv4(address)) return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

const sortAddresses = (list: string[]) => [...new Set(list)].sort((a, b) => (addressKey(a) < addressKey(b) ? -1 : addressKey(a) > addressKey(b) ? 1 : 0));

/**
 * ipv4, ipv6 (loopback included, as Salt's ip_addrs(include_loopback=True)), and the per-interface
 * ip_interfaces, ip4_interfaces, ip6_interfaces and hwaddr_interfaces grains.
 */
export function interfaceGrains(ifaces: Interfaces = networkInterfaces()): Record<string, Json> {
  const v4: string[] = [];
  const v6: string[] = [];
  const ip: Record<string, Json> = {};
  const ip4: Record<string, Json> = {};
  const ip6: Record<string, Json> = {};
  const hw: Record<string, Json> = {};
  for (const [name, addrs] of Object.entries(ifaces)) {
    const mine4: string[] = [];
    const mine6: string[] = [];
    for (const addr of addrs ?? []) {
      const address = addr.address.split('%')[0]!;
      (addr.family === 'IPv4' ? mine4 : mine6).push(address);
      hw[name] = addr.mac;
    }
    v4.push(...mine4);
    v6.push(...mine6);
    ip4[name] = mine4;
    ip6[name] = mine6;
    ip[name] = [...mine4, ...mine6];
  }
  return { ipv4: sortAddresses(v4), ipv6: sortAddresses(v6), ip_interfaces: ip, ip4_interfaces: ip4, ip6_interfaces: ip6, hwaddr_interfaces: hw };
}

/**
 * Python's socket.getfqdn() as Salt uses it: resolve the host name, ask for the name behind that
 * address, and take the first candidate with a dot; otherwise the plain host name. Bounded in time so
 * a dead resolver cannot stall minion start-up.
 */
export async function resolveFqdn(host: string = hostname(), timeoutMs = 2000): Promise<string> {
  const attempt = async (): Promise<string> => {
    const { address } = await dns.lookup(host);
    const { hostname: reverse } = await dns.lookupService(address, 0);
    return [reverse, host].find((n) => n.includes('.')) ?? host;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(host), timeoutMs);
  });
  try {
    return await Promise.race([attempt().catch(() => host), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** fqdn, host, domain (Salt splits them from the FQDN), localhost and nodename. */
export async function nameGrains(): Promise<Record<string, Json>> {
  const node = hostname();
  const fqdn = await resolveFqdn(node);
  const dot = fqdn.indexOf('.');
  return {
    fqdn,
    host: dot < 0 ? fqdn : fqdn.slice(0, dot),
    domain: dot < 0 ? '' : fqdn.slice(dot + 1),
    localhost: node,
    nodename: node,
  };
}
