// Lab images, cached by a hash of their recipe (test/lab/images/*).
//   dockhand-lab/base:<hash>         debootstrap (bookworm, minbase, packages.txt) + docker import
//   dockhand-lab/node-debian:<hash>  FROM base + node-setup.sh
//   dockhand-lab/node-rhel:<hash>    FROM node-debian + rhel-overlay.sh (+ update-ca-trust)
//   dockhand-lab/node-docker-ce:<hash> FROM node-debian + docker-ce-overlay.sh (only when asked)
//   dockhand-lab/registry:<hash>     FROM base + registry-setup.sh
// A tag that exists is reused as is; a recipe change gives a new tag (and the old one can be pruned).
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { docker, log, run, secs, sha12, step } from './util.ts';

const recipeDir = path.join(import.meta.dirname, 'images');
const SUITE = 'bookworm';
/** Bump to force a rebuild when the build procedure below (not a recipe file) changes. */
const BUILD_PROCEDURE_VERSION = '1';

export interface LabImages {
  base: string;
  debian: string;
  rhel: string;
  registry: string;
  dockerCe?: string;
}

interface VariantRecipe {
  repo: string;
  /** files from images/ copied into the build context; the first one is the script RUN */
  files: string[];
  dockerfileExtra: string[];
}

const VARIANTS = {
  debian: {
    repo: 'dockhand-lab/node-debian',
    files: ['node-setup.sh'],
    dockerfileExtra: ['ENV container=docker', 'STOPSIGNAL SIGRTMIN+3', 'CMD ["/sbin/init"]'],
  },
  rhel: { repo: 'dockhand-lab/node-rhel', files: ['rhel-overlay.sh', 'update-ca-trust'], dockerfileExtra: [] },
  dockerCe: { repo: 'dockhand-lab/node-docker-ce', files: ['docker-ce-overlay.sh'], dockerfileExtra: [] },
  registry: {
    repo: 'dockhand-lab/registry',
    files: ['registry-setup.sh'],
    dockerfileExtra: ['STOPSIGNAL SIGTERM', 'CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]'],
  },
} satisfies Record<string, VariantRecipe>;

async function recipeFile(name: string): Promise<string> {
  return readFile(path.join(recipeDir, name), 'utf8');
}

export function packageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
}

export async function imageExists(tag: string): Promise<boolean> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', tag], { reject: false });
  return r.exitCode === 0;
}

function dockerfileFor(parent: string, v: VariantRecipe): string {
  const script = v.files[0];
  return [
    `FROM ${parent}`,
    'COPY . /tmp/lab-build/',
    `RUN sh -eu /tmp/lab-build/${script} && rm -rf /tmp/lab-build`,
    ...v.dockerfileExtra,
    '',
  ].join('\n');
}

async function tagFor(parentTag: string, v: VariantRecipe): Promise<string> {
  const contents = await Promise.all(v.files.map(async (f) => `${f}\n${await recipeFile(f)}`));
  return `${v.repo}:${sha12(BUILD_PROCEDURE_VERSION, parentTag, dockerfileFor('PARENT', v), ...contents)}`;
}

export async function baseTag(): Promise<string> {
  return `dockhand-lab/base:${sha12(BUILD_PROCEDURE_VERSION, SUITE, 'minbase', await recipeFile('packages.txt'))}`;
}

/** Unmounts anything debootstrap may have left mounted under dir (proc, sys ...), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m], { reject: false });
}

async function buildBase(tag: string): Promise<void> {
  const pkgs = packageList(await recipeFile('packages.txt'));
  const dir = await mkdtemp('/var/tmp/dockhand-lab-rootfs-');
  const logPath = `${dir}.debootstrap.log`;
  try {
    await step(`debootstrap ${SUITE} (${pkgs.length} packages, log ${logPath})`, async () => {
      const out = createWriteStream(logPath);
      const started = Date.now();
      let last = '';
      const child = execa('debootstrap', ['--variant=minbase', `--include=${pkgs.join(',')}`, SUITE, dir], {
        reject: false,
        all: true,
        stdin: 'ignore',
        buffer: false,
      });
      child.all?.on('data', (chunk: Buffer) => {
        out.write(chunk);
        const lines = chunk.toString().split('\n').filter((l) => l.trim());
        last = lines.at(-1) ?? last;
      });
      const timer = setInterval(() => log(`  debootstrap ${secs(started)}: ${last.slice(0, 100)}`), 10_000);
      const r = await child;
      clearInterval(timer);
      out.end();
      if (r.exitCode !== 0) {
        const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
        throw new Error(`debootstrap failed (exit ${r.exitCode}); log ${logPath}, tail:\n${tail}`);
      }
    });
    await unmountUnder(dir);
    await rm(path.join(dir, 'var/cache/apt/archives'), { recursive: true, force: true });
    await step(`docker import ${tag}`, async () => {
      await run('bash', [
        '-o', 'pipefail', '-c',
        'tar --numeric-owner --xattrs -C "$1" -c . | docker import -c \'CMD ["/sbin/init"]\' -c "LABEL dockhand.lab.image=$2" - "$2" >/dev/null',
        'bash', dir, tag,
      ]);
    });
  } finally {
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  }
  await rm(logPath, { force: true });
}

async function buildVariant(parentTag: string, tag: string, v: VariantRecipe): Promise<void> {
  const ctx = await mkdtemp('/var/tmp/dockhand-lab-ctx-');
  try {
    for (const f of v.files) await copyFile(path.join(recipeDir, f), path.join(ctx, f));
    await writeFile(path.join(ctx, 'Dockerfile'), dockerfileFor(parentTag, v) + `LABEL dockhand.lab.image=${tag}\n`);
    const r = await docker(['build', '--network', 'none', '--rm', '--force-rm', '-t', tag, ctx], {
      reject: false,
      env: { DOCKER_BUILDKIT: '0' },
    });
    if (r.exitCode !== 0) throw new Error(`docker build ${tag} failed:\n${r.output.split('\n').slice(-40).join('\n')}`);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

const inFlight = new Map<string, Promise<string>>();

/** Ensures an image exists: build(tag) runs only when the tag is absent (once per process). */
function ensure(tag: string, what: string, build: (tag: string) => Promise<void>): Promise<string> {
  let p = inFlight.get(tag);
  if (!p) {
    p = (async () => {
      if (await imageExists(tag)) {
        log(`image ${what}: ${tag} (cached)`);
        return tag;
      }
      await step(`build image ${what} ${tag}`, () => build(tag));
      return tag;
    })();
    inFlight.set(tag, p);
    p.catch(() => inFlight.delete(tag));
  }
  return p;
}

async function ensureVariant(parent: Promise<string>, v: VariantRecipe, what: string): Promise<string> {
  const parentTag = await parent;
  const tag = await tagFor(parentTag, v);
  return ensure(tag, what, (t) => buildVariant(parentTag, t, v));
}

/** Builds (or reuses) every image the lab needs. dockerCe: also the docker-ce-like node image. */
export async function ensureImages(opts: { dockerCe?: boolean } = {}): Promise<LabImages> {
  const started = Date.now();
  const base = ensure(await baseTag(), 'base', buildBase);
  const debian = ensureVariant(base, VARIANTS.debian, 'node-debian');
  const registry = ensureVariant(base, VARIANTS.registry, 'registry');
  const rhel = ensureVariant(debian, VARIANTS.rhel, 'node-rhel');
  const dockerCe = opts.dockerCe ? ensureVariant(debian, VARIANTS.dockerCe, 'node-docker-ce') : undefined;
  const [b, d, r, g, c] = await Promise.all([base, debian, rhel, registry, dockerCe]);
  log(`images ready in ${secs(started)}`);
  await pruneStaleImages([b, d, r, g, ...(c ? [c] : [])]);
  return { base: b, debian: d, rhel: r, registry: g, ...(c ? { dockerCe: c } : {}) };
}

/**
 * Removes lab images built from older recipes (same repository, another tag). Never forced:
 * an image a container still uses stays. The docker-ce image is kept unless it is stale too.
 */
export async function pruneStaleImages(current: string[]): Promise<void> {
  const repos = new Set(current.map((t) => t.split(':')[0]));
  const all = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=dockhand-lab/*'], { reject: false });
  const stale = all.stdout.split('\n').map((l) => l.trim())
    .filter((t) => t && repos.has(t.split(':')[0]) && !current.includes(t));
  if (stale.length === 0) return;
  const r = await docker(['rmi', ...stale], { reject: false });
  log(`pruned ${stale.length} stale lab image tag(s)${r.exitCode === 0 ? '' : ' (some still in use, kept)'}`);
}

// `node test/lab/images.ts [--docker-ce]` builds the images alone.
if (import.meta.main) {
  const imgs = await ensureImages({ dockerCe: process.argv.includes('--docker-ce') });
  console.log(JSON.stringify(imgs, null, 2));
}
