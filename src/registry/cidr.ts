/**
 * CIDR blocks as dockerd keeps them: Go's net.ParseCIDR masks the address to its network and prints
 * it canonically (`192.168.1.1/24` becomes `192.168.1.0/24`, `FD00:0::1/64` becomes `fd00::/64`), and
 * `docker info` lists that form. A playbook that wrote another form would never match what dockerd
 * reports, so dockhand writes the form dockerd keeps.
 */
import { isIP } from 'node:net';

/** The network of a valid CIDR block (as `checkCidr` accepts), in dockerd's canonical form. */
export function canonicalCidr(value: string): string {
  const slash = value.indexOf('/');
  const address = value.slice(0, slash);
  const prefix = Number(value.slice(slash + 1));
  if (isIP(address) === 4) return `${formatIpv4(mask(ipv4Bytes(address), prefix))}/${prefix}`;
  const network = mask(ipv6Bytes(address), prefix);
  // Go prints an IPv4-mapped block (::ffff:a.b.c.d/96 and longer) as the IPv4 block it maps
  if (prefix >= 96 && network.slice(0, 12).join(',') === V4_MAPPED) return `${formatIpv4(network.slice(12))}/${prefix - 96}`;
  return `${formatIpv6(network)}/${prefix}`;
}

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff].join(',');

function mask(bytes: number[], prefix: number): number[] {
  return bytes.map((byte, index) => {
    const bits = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function formatIpv4(bytes: readonly number[]): string {
  return bytes.join('.');
}

/** The 16 bytes of an IPv6 address (`::` expanded, a trailing dotted IPv4 part read as two groups). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** RFC 5952 text, as Go prints it: lower case, the first longest run of two or more zero groups as `::`. */
function formatIpv6(bytes: readonly number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i += 1) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
