// Lab images, cached by a hash of their recipe (test/lab/images/*).
//   dockhand-lab/base:<hash>              debootstrap (bookworm, minbase, packages.txt) + docker import
//   dockhand-lab/base-trixie:<hash>       debootstrap (trixie, minbase, packages-trixie.txt) + docker import
//   dockhand-lab/node-debian:<hash>       FROM base + node-setup.sh
//   dockhand-lab/node-rhel:<hash>         FROM node-debian + rhel-overlay.sh (+ update-ca-trust)
//   dockhand-lab/node-docker-ce:<hash>    FROM node-debian + docker-ce-overlay.sh
//   dockhand-lab/node-containerd:<hash>   FROM node-debian + containerd-overlay.sh (docker.io purged; ctrd16, kubekey)
//   dockhand-lab/node-trixie:<hash>       FROM base-trixie + node-setup.sh
//   dockhand-lab/node-containerd17:<hash> FROM node-trixie + containerd-overlay.sh (ctrd17)
//   dockhand-lab/node-kubespray:<hash>    FROM node-containerd + kubespray-overlay.sh (+ its files)
//   dockhand-lab/node-podman:<hash>       node-containerd's root + podman-overlay.sh in a chroot (apt-get needs the
//                                         network, which `docker build --network none` has not), imported
//   dockhand-lab/node-k3s:<hash>          FROM node-containerd + k3s-overlay.sh (+ its unit and config: a k3s stand-in)
//   dockhand-lab/registry:<hash>          FROM base + registry-setup.sh
//   dockhand-lab/harbor-front:<hash>      FROM base + harbor-front-setup.sh (nginx-light from Debian's mirror)
//   dockhand-lab/proxy:<hash>             FROM base + proxy-setup.sh (tinyproxy from Debian's mirror), on demand
// Only the images a lab's node variants need are built; the two debootstraps run side by side.
// A tag that exists is reused as is; a recipe change gives a new tag (and the old one can be pruned).
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { NodeVariant } from './types.ts';
import { docker, log, run, secs, sha12, step } from './util.ts';
import { VARIANT_ORDER, VARIANTS } from './variants.ts';

const recipeDir = path.join(import.meta.dirname, 'images');
/** Bump to force a rebuild when the build procedure below (not a recipe file) changes. */
const BUILD_PROCEDURE_VERSION = '1';

export interface LabImages {
  registry: string;
  /** the Harbor stand-in (nginx-light), when asked for */
  harborFront?: string;
  /** the image of each node variant asked for */
  nodes: Partial<Record<NodeVariant, string>>;
}

interface BaseRecipe {
  repo: string;
  suite: string;
  /** the package list in images/ */
  packages: string;
}

type BaseName = 'base' | 'base-trixie';
type LayerName = 'node-debian' | 'node-rhel' | 'node-docker-ce' | 'node-containerd' | 'node-trixie' |
  'node-containerd17' | 'node-kubespray' | 'node-podman' | 'node-k3s' | 'registry' | 'harbor-front' | 'proxy';
type ImageName = BaseName | LayerName;

interface VariantRecipe {
  parent: ImageName;
  repo: string;
  /** files from images/ copied into the build context; the first one is the script RUN */
  files: string[];
  dockerfileExtra: string[];
  /** the build reaches Debian's mirror (apt-get); every other layer builds with --network none */
  network?: 'default';
  /**
   * The script runs in a chroot of the parent's root on this machine, with its network (Debian's mirror),
   * and the result is imported; otherwise it runs in `docker build --network none`.
   */
  chroot?: boolean;
}

const BASES: Record<BaseName, BaseRecipe> = {
  base: { repo: 'dockhand-lab/base', suite: 'bookworm', packages: 'packages.txt' },
  'base-trixie': { repo: 'dockhand-lab/base-trixie', suite: 'trixie', packages: 'packages-trixie.txt' },
};

const NODE_DOCKERFILE = ['ENV container=docker', 'STOPSIGNAL SIGRTMIN+3', 'CMD ["/sbin/init"]'];

const LAYERS: Record<LayerName, VariantRecipe> = {
  'node-debian': { parent: 'base', repo: 'dockhand-lab/node-debian', files: ['node-setup.sh', 'lab-lean.sh'], dockerfileExtra: NODE_DOCKERFILE },
  'node-rhel': { parent: 'node-debian', repo: 'dockhand-lab/node-rhel', files: ['rhel-overlay.sh', 'update-ca-trust'], dockerfileExtra: [] },
  'node-docker-ce': { parent: 'node-debian', repo: 'dockhand-lab/node-docker-ce', files: ['docker-ce-overlay.sh'], dockerfileExtra: [] },
  'node-containerd': { parent: 'node-debian', repo: 'dockhand-lab/node-containerd', files: ['containerd-overlay.sh'], dockerfileExtra: [] },
  'node-trixie': { parent: 'base-trixie', repo: 'dockhand-lab/node-trixie', files: ['node-setup.sh', 'lab-lean.sh'], dockerfileExtra: NODE_DOCKERFILE },
  'node-containerd17': { parent: 'node-trixie', repo: 'dockhand-lab/node-containerd17', files: ['containerd-overlay.sh'], dockerfileExtra: [] },
  'node-kubespray': {
    parent: 'node-containerd',
    repo: 'dockhand-lab/node-kubespray',
    files: ['kubespray-overlay.sh', 'kubespray-config.toml', 'kubespray-hosts-docker.io.toml', 'kubespray-hosts-quay.io.toml'],
    dockerfileExtra: [],
  },
  'node-podman': { parent: 'node-containerd', repo: 'dockhand-lab/node-podman', files: ['podman-overlay.sh'], dockerfileExtra: NODE_DOCKERFILE, chroot: true },
  'node-k3s': { parent: 'node-containerd', repo: 'dockhand-lab/node-k3s', files: ['k3s-overlay.sh', 'k3s-standin.service', 'k3s-standin-config.toml'], dockerfileExtra: [] },
  registry: {
    parent: 'base',
    repo: 'dockhand-lab/registry',
    files: ['registry-setup.sh'],
    dockerfileExtra: ['STOPSIGNAL SIGTERM', 'CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]'],
  },
  'harbor-front': {
    parent: 'base',
    repo: 'dockhand-lab/harbor-front',
    files: ['harbor-front-setup.sh'],
    dockerfileExtra: ['STOPSIGNAL SIGQUIT', 'CMD ["nginx", "-g", "daemon off;"]'],
    network: 'default',
  },
  proxy: {
    parent: 'base',
    repo: 'dockhand-lab/proxy',
    files: ['proxy-setup.sh'],
    dockerfileExtra: ['STOPSIGNAL SIGTERM', 'CMD ["tinyproxy", "-d", "-c", "/etc/tinyproxy/lab.conf"]'],
    network: 'default',
  },
};

/** The image each node variant runs (KubeKey's config.toml and CA are per lab: copied in at node start). */
const VARIANT_IMAGE: Record<NodeVariant, LayerName> = {
  debian: 'node-debian',
  rhel: 'node-rhel',
  'docker-ce': 'node-docker-ce',
  ctrd16: 'node-containerd',
  ctrd17: 'node-containerd17',
  kubekey: 'node-containerd',
  kubespray: 'node-kubespray',
  podman: 'node-podman',
  k3s: 'node-k3s',
};

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
    ...(v.chroot === true ? [`# ${script} ran in a chroot of the parent's root`] : ['COPY . /tmp/lab-build/', `RUN sh -eu /tmp/lab-build/${script} && rm -rf /tmp/lab-build`]),
    ...v.dockerfileExtra,
    '',
  ].join('\n');
}

async function tagFor(parentTag: string, v: VariantRecipe): Promise<string> {
  const contents = await Promise.all(v.files.map(async (f) => `${f}\n${await recipeFile(f)}`));
  return `${v.repo}:${sha12(BUILD_PROCEDURE_VERSION, parentTag, dockerfileFor('PARENT', v), ...contents)}`;
}

export async function baseTag(name: BaseName = 'base'): Promise<string> {
  const b = BASES[name];
  return `${b.repo}:${sha12(BUILD_PROCEDURE_VERSION, b.suite, 'minbase', await recipeFile(b.packages))}`;
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

async function buildBase(tag: string, base: BaseRecipe): Promise<void> {
  const suite = base.suite;
  const pkgs = packageList(await recipeFile(base.packages));
  const dir = await mkdtemp(`/var/tmp/dockhand-lab-rootfs-${suite}-`);
  const logPath = `${dir}.debootstrap.log`;
  try {
    await step(`debootstrap ${suite} (${pkgs.length} packages, log ${logPath})`, async () => {
      const out = createWriteStream(logPath);
      const started = Date.now();
      let last = '';
      const child = execa('debootstrap', ['--variant=minbase', `--include=${pkgs.join(',')}`, suite, dir], {
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
      const timer = setInterval(() => log(`  debootstrap ${suite} ${secs(started)}: ${last.slice(0, 100)}`), 10_000);
      const r = await child;
      clearInterval(timer);
      out.end();
      if (r.exitCode !== 0) {
        const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
        throw new Error(`debootstrap ${suite} failed (exit ${r.exitCode}); log ${logPath}, tail:\n${tail}`);
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
    const r = await docker(['build', '--network', v.network ?? 'none', '--rm', '--force-rm', '-t', tag, ctx], {
      reject: false,
      env: { DOCKER_BUILDKIT: '0' },
    });
    if (r.exitCode !== 0) throw new Error(`docker build ${tag} failed:\n${r.output.split('\n').slice(-40).join('\n')}`);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

/**
 * A layer whose script needs the network: the parent's root is exported, the script runs in a chroot of
 * it (with /proc, /dev and this machine's resolv.conf), and the root is imported again; the image's
 * settings (ENV, STOPSIGNAL, CMD), which an import cannot set, come from a short `docker build` on top.
 */
async function buildChrootVariant(parentTag: string, tag: string, v: VariantRecipe): Promise<void> {
  const dir = await mkdtemp('/var/tmp/dockhand-lab-rootfs-chroot-');
  const ctx = await mkdtemp('/var/tmp/dockhand-lab-ctx-');
  const imported = `${tag}-root`;
  let container: string | undefined;
  try {
    container = (await docker(['create', parentTag])).stdout.trim();
    await run('bash', ['-o', 'pipefail', '-c', 'docker export "$1" | tar --numeric-owner --xattrs -C "$2" -x', 'bash', container, dir]);
    await docker(['rm', '-f', container]);
    container = undefined;
    const build = path.join(dir, 'tmp/lab-build');
    await mkdir(build, { recursive: true });
    for (const f of v.files) await copyFile(path.join(recipeDir, f), path.join(build, f));
    const resolv = path.join(dir, 'etc/resolv.conf');
    const ownResolv = await readFile(resolv).catch(() => null);
    await rm(resolv, { force: true });
    await copyFile('/etc/resolv.conf', resolv);
    try {
      for (const m of ['proc', 'dev']) await run('mount', ['--bind', `/${m}`, path.join(dir, m)]);
      const r = await run('chroot', [dir, 'sh', '-eu', `/tmp/lab-build/${v.files[0]}`], { reject: false });
      if (r.exitCode !== 0) throw new Error(`${v.files[0]} in a chroot of ${parentTag} failed (exit ${r.exitCode}):\n${r.output.split('\n').slice(-40).join('\n')}`);
    } finally {
      await unmountUnder(dir);
    }
    await rm(resolv, { force: true });
    if (ownResolv !== null) await writeFile(resolv, ownResolv);
    await rm(build, { recursive: true, force: true });
    await run('bash', ['-o', 'pipefail', '-c', 'tar --numeric-owner --xattrs -C "$1" -c . | docker import - "$2" >/dev/null', 'bash', dir, imported]);
    await writeFile(path.join(ctx, 'Dockerfile'), [`FROM ${imported}`, ...v.dockerfileExtra, `LABEL dockhand.lab.image=${tag}`, ''].join('\n'));
    const r = await docker(['build', '--network', 'none', '--rm', '--force-rm', '-t', tag, ctx], { reject: false, env: { DOCKER_BUILDKIT: '0' } });
    if (r.exitCode !== 0) throw new Error(`docker build ${tag} failed:\n${r.output.split('\n').slice(-40).join('\n')}`);
  } finally {
    if (container !== undefined) await docker(['rm', '-f', container], { reject: false });
    await docker(['rmi', imported], { reject: false });
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
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

/** The tag of an image, built (with its parents) when absent; shared by everything asked in one process. */
function ensureImage(name: ImageName, memo: Map<ImageName, Promise<string>>): Promise<string> {
  let p = memo.get(name);
  if (!p) {
    if (name === 'base' || name === 'base-trixie') {
      const base = BASES[name];
      p = baseTag(name).then((tag) => ensure(tag, name, (t) => buildBase(t, base)));
    } else {
      const layer = LAYERS[name];
      p = ensureImage(layer.parent, memo).then(async (parentTag) => {
        const tag = await tagFor(parentTag, layer);
        return ensure(tag, name, (t) => (layer.chroot === true ? buildChrootVariant(parentTag, t, layer) : buildVariant(parentTag, t, layer)));
      });
    }
    memo.set(name, p);
  }
  return p;
}

/** Builds (or reuses) the registry image, the Harbor stand-in's when asked, and the image of each node variant asked for. */
export async function ensureImages(variants: readonly NodeVariant[], options: { harborFront?: boolean } = {}): Promise<LabImages> {
  const started = Date.now();
  const memo = new Map<ImageName, Promise<string>>();
  const wanted = [...new Set(variants)];
  // every chain down to its base starts at once: the two debootstraps (when both are needed) overlap
  const registryP = ensureImage('registry', memo);
  const frontP = options.harborFront === true ? ensureImage('harbor-front', memo) : undefined;
  const nodeTags = await Promise.all(wanted.map((v) => ensureImage(VARIANT_IMAGE[v], memo)));
  const registry = await registryP;
  const harborFront = await frontP;
  log(`images ready in ${secs(started)}`);
  const all = await Promise.all(memo.values());
  await pruneStaleImages(all);
  return { registry, ...(harborFront === undefined ? {} : { harborFront }), nodes: Object.fromEntries(wanted.map((v, i) => [v, nodeTags[i]!])) };
}

/** The proxy's image (tinyproxy), built when absent: only labs that start a proxy need it. */
export async function ensureProxyImage(): Promise<string> {
  return ensureImage('proxy', new Map());
}

/**
 * Removes lab images built from older recipes (same repository, another tag). Never forced:
 * an image a container still uses stays. An image no lab asked for this time is kept unless it is stale too.
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

// `node test/lab/images.ts [--debian] [--rhel] [--docker-ce] [--containerd] [--containerd17] [--kubekey] [--kubespray]
// [--podman] [--k3s] [--harbor-front] [--all]` builds the images alone (default: --debian --rhel).
if (import.meta.main) {
  const args = process.argv.slice(2);
  const asked = args.includes('--all') ? VARIANT_ORDER : VARIANT_ORDER.filter((v) => args.includes(`--${VARIANTS[v].flag}`));
  const imgs = await ensureImages(asked.length > 0 ? asked : ['debian', 'rhel'], { harborFront: args.includes('--all') || args.includes('--harbor-front') });
  console.log(JSON.stringify(imgs, null, 2));
}
