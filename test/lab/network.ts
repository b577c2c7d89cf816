// A private user-defined bridge network per lab, on a /24 no other docker network or host route uses.
import { docker, LAB_LABEL, run } from './util.ts';

function parseV4(cidr: string): { net: number; bits: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  const ip = (((o[0] ?? 0) << 24) | ((o[1] ?? 0) << 16) | ((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (ip & mask) >>> 0, bits };
}

function overlaps(a: string, b: string): boolean {
  const x = parseV4(a);
  const y = parseV4(b);
  if (!x || !y) return false;
  const bits = Math.min(x.bits, y.bits);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((x.net & mask) >>> 0) === ((y.net & mask) >>> 0);
}

async function usedSubnets(): Promise<string[]> {
  const used: string[] = [];
  const ids = (await docker(['network', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) {
    const r = await docker(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...ids]);
    used.push(...r.stdout.split(/\s+/).filter((s) => s.includes('/') && !s.includes(':')));
  }
  const routes = await run('ip', ['-4', 'route', 'show'], { reject: false });
  for (const line of routes.stdout.split('\n')) {
    const dst = line.split(' ')[0] ?? '';
    if (dst && dst !== 'default') used.push(dst.includes('/') ? dst : `${dst}/32`);
  }
  return used;
}

/** Candidate /24s in 10.213.0.0/16, starting at a point derived from the lab id. */
function candidates(labId: string): string[] {
  let h = 0;
  for (const c of labId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const out: string[] = [];
  for (let i = 0; i < 256; i++) out.push(`10.213.${(h + i) % 256}.0/24`);
  return out;
}

export function labNetworkName(labId: string): string {
  return `dockhand-lab-${labId}`;
}

export async function createLabNetwork(labId: string): Promise<{ name: string; subnet: string; gateway: string }> {
  const name = labNetworkName(labId);
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const used = await usedSubnets();
    const subnet = candidates(labId).find((c) => !used.some((u) => overlaps(c, u)));
    if (!subnet) throw new Error('no free /24 in 10.213.0.0/16 for the lab network');
    const gateway = subnet.replace(/\.0\/24$/, '.1');
    const r = await docker(
      ['network', 'create', '--driver', 'bridge', '--subnet', subnet, '--gateway', gateway,
        '--label', `${LAB_LABEL}=${labId}`, name],
      { reject: false },
    );
    if (r.exitCode === 0) return { name, subnet, gateway };
    lastError = r.output;
    // another network may have taken the subnet meanwhile: look again
  }
  throw new Error(`docker network create ${name} failed: ${lastError}`);
}
