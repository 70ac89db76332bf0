/**
 * Just enough of Python's `ipaddress` for Salt's ipcidr matcher (salt/matchers/ipcidr_match.py):
 * a target is an address, or else a network in strict form (no host bits set), and a minion matches
 * when one of its `ipv4`/`ipv6` grains is that address or lies in that network.
 */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

export type IpTarget =
  | { kind: 'address'; address: IpAddress }
  | { kind: 'network'; version: 4 | 6; base: bigint; prefix: number };

const BITS = { 4: 32, 6: 128 } as const;

export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseV6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Python's `ip_address(tgt)`, falling back to `ip_network(tgt)`; returns the reason when neither parses. */
export function parseIpTarget(text: string): IpTarget | string {
  const address = parseIpAddress(text);
  if (address) return { kind: 'address', address };
  const parts = text.split('/');
  const base = parts.length === 2 ? parseIpAddress(parts[0]!) : undefined;
  if (base === undefined) return 'not an IP address or a network in CIDR notation';
  const bits = BITS[base.version];
  const prefix = /^[0-9]+$/.test(parts[1]!) ? Number(parts[1]) : NaN;
  if (!(prefix <= bits)) return `the prefix length must be 0-${bits}`;
  // ipaddress.ip_network is strict by default: 10.0.0.1/24 is refused rather than widened.
  if ((base.value & ((1n << BigInt(bits - prefix)) - 1n)) !== 0n) return 'the network has host bits set';
  return { kind: 'network', version: base.version, base: base.value, prefix };
}

/** Whether any of the addresses (a grain list; unparseable entries are skipped) is or lies in the target. */
export function ipTargetMatches(target: IpTarget, addresses: readonly unknown[]): boolean {
  return addresses.some((item) => {
    const address = typeof item === 'string' ? parseIpAddress(item) : undefined;
    if (address === undefined) return false;
    if (target.kind === 'address') return address.version === target.address.version && address.value === target.address.value;
    const shift = BigInt(BITS[target.version] - target.prefix);
    return address.version === target.version && address.value >> shift === target.base >> shift;
  });
}

export function ipVersion(target: IpTarget): 4 | 6 {
  return target.kind === 'address' ? target.address.version : target.version;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Python 3.9.5+ refuses leading zeros: they used to be read as octal by some tools.
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const head = gap < 0 ? split(text) : split(text.slice(0, gap));
  const tail = gap < 0 ? [] : split(text.slice(gap + 2));
  const last = gap < 0 ? head : tail;
  // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
  const quad = last.length > 0 && last[last.length - 1]!.includes('.') ? parseV4(last.pop()!) : undefined;
  if (quad !== undefined) last.push((quad >> 16n).toString(16), (quad & 0xffffn).toString(16));
  else if (last.some((g) => g.includes('.'))) return undefined;
  const count = head.length + tail.length;
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - count).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}
