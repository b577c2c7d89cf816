// Seeds a lab registry with a tiny image (library/tiny:1 and :latest) through the Registry HTTP API v2:
// one gzip'd tar layer holding a small file, a config, a Docker schema2 manifest.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { locationPath, registryRequest, type RegistryEndpoint } from './registry-client.ts';

export const SEED_REPOSITORY = 'library/tiny';
export const SEED_TAGS = ['1', 'latest'];
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive of regular files (mode 0644, root-owned, mtime 0). */
export function tarOf(files: { name: string; content: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    h.write(octal(0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(f.content.length, 12), 124, 'ascii');
    h.write(octal(0, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write('0', 156, 'ascii');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    h.write('root', 265, 'ascii');
    h.write('root', 297, 'ascii');
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    blocks.push(h, f.content, Buffer.alloc((512 - (f.content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export interface SeedImage {
  layer: Buffer;
  config: Buffer;
  manifest: Buffer;
  manifestDigest: string;
}

export function tinyImage(): SeedImage {
  const tar = tarOf([{ name: 'hello.txt', content: Buffer.from('hello from the dockhand lab\n') }]);
  const layer = gzipSync(tar);
  const created = '2024-01-01T00:00:00Z';
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created, created_by: 'dockhand lab seed' }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_V2,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
  }));
  return { layer, config, manifest, manifestDigest: sha256(manifest) };
}

async function pushBlob(ep: RegistryEndpoint, repo: string, blob: Buffer): Promise<void> {
  const digest = sha256(blob);
  const head = await registryRequest(ep, 'HEAD', `/v2/${repo}/blobs/${digest}`);
  if (head.status === 200) return;
  const start = await registryRequest(ep, 'POST', `/v2/${repo}/blobs/uploads/`, { 'Content-Length': '0' });
  const location = start.headers.location;
  if (start.status !== 202 || !location) {
    throw new Error(`${ep.host}: starting a blob upload: HTTP ${start.status} ${start.body.toString().slice(0, 300)}`);
  }
  const loc = locationPath(location);
  const put = await registryRequest(ep, 'PUT', `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`,
    { 'Content-Type': 'application/octet-stream' }, blob);
  if (put.status !== 201) throw new Error(`${ep.host}: uploading ${digest}: HTTP ${put.status} ${put.body.toString().slice(0, 300)}`);
}

/** Pushes library/tiny:1 and :latest; returns the manifest digest. */
export async function seedRegistry(ep: RegistryEndpoint): Promise<string> {
  const img = tinyImage();
  await pushBlob(ep, SEED_REPOSITORY, img.layer);
  await pushBlob(ep, SEED_REPOSITORY, img.config);
  for (const tag of SEED_TAGS) {
    const r = await registryRequest(ep, 'PUT', `/v2/${SEED_REPOSITORY}/manifests/${tag}`, { 'Content-Type': MANIFEST_V2 }, img.manifest);
    if (r.status !== 201) throw new Error(`${ep.host}: putting manifest ${tag}: HTTP ${r.status} ${r.body.toString().slice(0, 300)}`);
  }
  const check = await registryRequest(ep, 'GET', `/v2/${SEED_REPOSITORY}/manifests/1`, { Accept: MANIFEST_V2 });
  if (check.status !== 200 || check.headers['docker-content-digest'] !== img.manifestDigest) {
    throw new Error(`${ep.host}: seeded manifest not served back (HTTP ${check.status})`);
  }
  return img.manifestDigest;
}
