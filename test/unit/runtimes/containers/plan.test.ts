// The containers-image runtime's plan on podman and CRI-O nodes (golden facts: Debian 12's podman from the
// lab, CRI-O as Kubespray installs it): one drop-in per registry carrying the whole entry, named to sort
// where it takes effect; the CA in /etc/containers/certs.d with Docker's directory carried over; CRI-O
// reloaded, podman left alone; and the refusals, each naming its file.
import { describe, expect, it } from 'vitest';
import { planNode } from '../../../../src/converge/plan.ts';
import type { RegistrySpec } from '../../../../src/playbook/types.ts';
import { runtimeOfEndpoint, selectRuntimes } from '../../../../src/runtimes/index.ts';
import { CA, desired, stateFrom } from '../../converge/state.ts';
import { applied, containersOf, node } from './state.ts';

const HOSTS = '127.0.0.1\tlocalhost\n';
const DROP_INS = '/etc/containers/registries.conf.d';
const http: RegistrySpec = { host: 'harbor-http.lab.local', ip: '10.0.0.4', insecure: true, ca: undefined, state: 'present' };
const https: RegistrySpec = { host: 'harbor.lab.local', ip: '10.0.0.3', insecure: false, ca: { file: 'ca.crt', pem: CA }, state: 'present' };
const HTTP_DROP_IN = `${DROP_INS}/zz-dockhand-harbor-http.lab.local.conf`;

const podman = (setup: Parameters<typeof node>[1] = {}) => node('podman-debian12', { ...setup, files: { '/etc/hosts': HOSTS, ...setup.files } });
const crio = (setup: Parameters<typeof node>[1] = {}) => node('crio-kubespray', { ...setup, files: { '/etc/hosts': HOSTS, ...setup.files } });
const paths = (plan: ReturnType<typeof planNode>) => plan.changes.map((c) => `${c.action} ${c.path}`);
const after = (plan: ReturnType<typeof planNode>, path: string) => plan.changes.find((c) => c.path === path)?.after;

describe('a podman node (no Docker, no containerd): auto picks containers-image', () => {
  const want = desired([http, https], { insecureRegistries: [http.host, '10.233.0.0/18'] });

  it('writes one drop-in for the http registry and the CA in /etc/containers/certs.d; no handler but the trust store', () => {
    const plan = planNode(podman(), want);
    expect(plan.blockers).toEqual([]);
    expect(plan.runtimes.map((r) => r.name)).toEqual(['containers']);
    expect(paths(plan)).toEqual([
      'update /etc/hosts',
      'create /usr/local/share/ca-certificates/dockhand/harbor.lab.local/dockhand-harbor.lab.local.crt',
      `create ${HTTP_DROP_IN}`,
      'create /etc/containers/certs.d/harbor.lab.local/ca.crt',
    ]);
    expect(after(plan, HTTP_DROP_IN)).toBe(
      '# Managed by dockhand: changes made here are replaced on the next apply.\n# registry harbor-http.lab.local\n' +
        '[[registry]]\nprefix = "harbor-http.lab.local"\nlocation = "harbor-http.lab.local"\ninsecure = true\n',
    );
    expect(after(plan, '/etc/containers/certs.d/harbor.lab.local/ca.crt')).toBe(CA);
    expect(plan.handlers).toEqual(['update-trust']);
    expect(plan.expect).toEqual([
      { runtime: 'containers', kind: 'readable' },
      { runtime: 'containers', kind: 'insecure', value: 'harbor-http.lab.local' },
    ]);
    expect(plan.notes).toContain('containers-image has no insecure-registry CIDRs: 10.233.0.0/18 applies to Docker only');
  });

  it('a second plan on the node as the first left it changes nothing', () => {
    const first = planNode(podman(), want);
    const second = planNode(applied(podman(), first), want);
    expect(second.changes).toEqual([]);
    expect(second.handlers).toEqual([]);
    expect(second.missingEffect).toEqual([]);
  });

  it("carries over the rest of registries.conf's entry for the prefix: a drop-in replaces the whole table", () => {
    const registriesConf = `unqualified-search-registries = ["docker.io"]\n\n[[registry]]\nprefix = "harbor-http.lab.local"\nlocation = "harbor-http.lab.local"\nmirror-by-digest-only = true\n\n[[registry.mirror]]\nlocation = "cache.lab.local:5000"\n`;
    const plan = planNode(podman({ registriesConf }), want);
    expect(after(plan, HTTP_DROP_IN)).toBe(
      '# Managed by dockhand: changes made here are replaced on the next apply.\n' +
        '# registry harbor-http.lab.local; the rest of the entry as /etc/containers/registries.conf has it\n' +
        '[[registry]]\nprefix = "harbor-http.lab.local"\nlocation = "harbor-http.lab.local"\ninsecure = true\nmirror-by-digest-only = true\n\n' +
        '[[registry.mirror]]\nlocation = "cache.lab.local:5000"\n',
    );
    expect(plan.expect).toContainEqual({ runtime: 'containers', kind: 'mirror', value: 'harbor-http.lab.local>cache.lab.local:5000' });
  });

  it("puts the play's mirrors first, and Docker Hub's registry_mirrors into docker.io's drop-in (http:// is insecure)", () => {
    const mirrored: RegistrySpec = {
      ...http,
      mirrors: [{ url: 'https://Mirror.lab.local:5000/harbor/', capabilities: ['pull'], skipVerify: false, ca: { file: 'm.crt', pem: CA } }],
    };
    const plan = planNode(podman(), desired([mirrored], { registryMirrors: ['http://hub-cache.lab.local'] }));
    expect(after(plan, HTTP_DROP_IN)).toContain('insecure = true\n\n[[registry.mirror]]\nlocation = "mirror.lab.local:5000/harbor"\n');
    expect(after(plan, `${DROP_INS}/zz-dockhand-docker.io.conf`)).toBe(
      '# Managed by dockhand: changes made here are replaced on the next apply.\n# registry docker.io\n' +
        '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "hub-cache.lab.local"\ninsecure = true\n',
    );
    expect(after(plan, '/etc/containers/certs.d/mirror.lab.local:5000/ca.crt')).toBe(CA);
  });

  it('takes its drop-in back when the registry goes (state: absent) or no longer asks for anything; never a drop-in of someone else', () => {
    const first = applied(podman(), planNode(podman(), want));
    const gone = planNode(first, desired([{ ...http, state: 'absent' }, { ...https, state: 'absent' }]));
    expect(paths(gone)).toEqual(expect.arrayContaining([`delete ${HTTP_DROP_IN}`, 'delete /etc/containers/certs.d/harbor.lab.local/ca.crt']));
    const secure = planNode(first, desired([{ ...http, insecure: false }, https]));
    expect(paths(secure)).toContain(`delete ${HTTP_DROP_IN}`);
    const theirs = planNode(podman({ dropIns: { [HTTP_DROP_IN]: '[[registry]]\nlocation = "harbor-http.lab.local"\n' } }), want);
    expect(theirs.blockers.join('\n')).toContain(`${HTTP_DROP_IN} has the name of dockhand's drop-in for harbor-http.lab.local but is someone else's`);
  });
});

describe('CRI-O as Kubespray installs it: kubelet says crio.sock', () => {
  const harbor: RegistrySpec = { host: 'harbor.lab.local:5000', ip: undefined, insecure: true, ca: { file: 'ca.crt', pem: CA }, state: 'present' };
  const KUBESPRAY = `${DROP_INS}/10-harbor.lab.local_5000.conf`;

  it("sorts after Kubespray's drop-in, carries its mirror over, and reloads CRI-O (SIGHUP: containers keep running)", () => {
    const plan = planNode(crio(), desired([harbor]));
    expect(plan.blockers).toEqual([]);
    expect(plan.runtimes.map((r) => r.name)).toEqual(['containers']);
    const path = `${DROP_INS}/zz-dockhand-harbor.lab.local_5000.conf`;
    expect(after(plan, path)).toBe(
      '# Managed by dockhand: changes made here are replaced on the next apply.\n' +
        `# registry harbor.lab.local:5000; the rest of the entry as ${KUBESPRAY} has it\n` +
        '[[registry]]\nprefix = "harbor.lab.local:5000"\nlocation = "harbor.lab.local:5000"\ninsecure = true\n\n' +
        '[[registry.mirror]]\nlocation = "mirror.lab.local:5000"\ninsecure = true\n',
    );
    // Docker's directory for the host held only ca.crt: the play's CA takes its place
    expect(paths(plan)).toContain('create /etc/containers/certs.d/harbor.lab.local:5000/ca.crt');
    expect(plan.handlers).toEqual(['update-trust', 'reload-containers']);
    expect(plan.restarts).toEqual([{ runtime: 'containers', needed: false, allowed: true, reason: 'a reload of CRI-O (SIGHUP) re-reads the registries configuration; containers keep running' }]);
    expect(plan.expect).toContainEqual({ runtime: 'containers', kind: 'crio' });
    // no podman to ask how the files read: CRI-O being up after its reload is what the node can show
    expect(plan.expect).toEqual([{ runtime: 'containers', kind: 'crio' }]);
  });

  it('owes a reload where the files changed after CRI-O last read them, and says so', () => {
    const converged = applied(crio(), planNode(crio(), desired([harbor])));
    const stale = { ...converged, facts: { ...converged.facts, runtimes: { ...converged.facts.runtimes, containers: { ...converged.facts.runtimes['containers']!, crio: { activeState: 'active', running: true, version: '1.28.1', configNewer: true } } } } };
    const plan = planNode(stale, desired([harbor]));
    expect(plan.changes).toEqual([]);
    expect(plan.handlers).toEqual(['reload-containers']);
    expect(plan.missingEffect).toEqual(['CRI-O runs on an older registries configuration than the files (they changed after its last start or reload)']);
    expect(planNode(converged, desired([harbor])).handlers).toEqual([]);
  });

  it('a stopped CRI-O is not reloaded: it reads the files when it starts', () => {
    const plan = planNode(crio({ containers: { running: false, crio: { activeState: 'inactive', running: false, version: '1.28.1', configNewer: null } } }), desired([harbor]));
    expect(plan.blockers).toEqual([]);
    expect(plan.handlers).toEqual(['update-trust']);
    expect(plan.notes).toContain('CRI-O is not running (crio.service is inactive): it reads the new registries configuration when it starts');
  });
});

describe('refused before anything is written, naming the file', () => {
  const want = desired([http]);
  const refusal = (state: ReturnType<typeof podman>) => planNode(state, want).blockers.join('\n');

  it('a drop-in that sorts after dockhand\'s and sets the same prefix', () => {
    expect(refusal(podman({ dropIns: { [`${DROP_INS}/zzz-admin.conf`]: '[[registry]]\nlocation = "harbor-http.lab.local"\n' } }))).toContain(
      `${DROP_INS}/zzz-admin.conf sorts after ${HTTP_DROP_IN} and sets prefix harbor-http.lab.local, so it would replace dockhand's entry`,
    );
    // a later drop-in about another registry is no matter
    expect(refusal(podman({ dropIns: { [`${DROP_INS}/zzz-admin.conf`]: '[[registry]]\nlocation = "quay.io"\n' } }))).toBe('');
  });

  it('a registry an earlier file blocks', () => {
    expect(refusal(podman({ dropIns: { [`${DROP_INS}/50-block.conf`]: '[[registry]]\nlocation = "harbor-http.lab.local"\nblocked = true\n' } }))).toContain(
      `${DROP_INS}/50-block.conf blocks registry harbor-http.lab.local (blocked = true)`,
    );
  });

  it('a v1 registries.conf, a mixed one, a broken drop-in, a v1 drop-in', () => {
    expect(refusal(podman({ registriesConf: '[registries.insecure]\nregistries = ["harbor-http.lab.local"]\n' }))).toMatch(
      /^\/etc\/containers\/registries\.conf is in the deprecated v1 format \(\[registries\.search\], \[registries\.insecure\], \[registries\.block\]\)/,
    );
    expect(refusal(podman({ registriesConf: '[[registry]]\nlocation = "a"\n[registries.block]\nregistries = ["b"]\n' }))).toMatch(/registries\.conf cannot be read by containers\/image: it mixes the v1 format/);
    expect(refusal(podman({ dropIns: { [`${DROP_INS}/50-broken.conf`]: '[[registry]\n' } }))).toMatch(/^\/etc\/containers\/registries\.conf\.d\/50-broken\.conf cannot be read by containers\/image: not valid TOML \(line 1/);
    expect(refusal(podman({ dropIns: { [`${DROP_INS}/50-old.conf`]: '[registries.insecure]\nregistries = ["x"]\n' } }))).toContain(
      `${DROP_INS}/50-old.conf is a drop-in in the v1 format, which containers/image refuses`,
    );
  });

  it("root's own registries.conf, which replaces the system files for podman and CRI-O", () => {
    expect(refusal(podman({ containers: { userConfig: '/root/.config/containers/registries.conf' } }))).toMatch(
      /^\/root\/\.config\/containers\/registries\.conf exists: podman and CRI-O running as root read it instead of/,
    );
  });

  it("a client certificate in Docker's directory for the host, which dockhand's directory would hide", () => {
    const certFiles = ['/etc/docker/certs.d/harbor.lab.local/client.cert', '/etc/docker/certs.d/harbor.lab.local/client.key'];
    const blockers = planNode(podman({ containers: { certFiles } }), desired([https])).blockers;
    expect(blockers).toHaveLength(2);
    expect(blockers[0]).toMatch(/^\/etc\/docker\/certs\.d\/harbor\.lab\.local\/client\.cert is part of a client certificate for harbor\.lab\.local/);
    expect(blockers[0]).toContain('dockhand never carries a private key off a node');
  });
});

describe("Docker's certs.d directory for the host, once /etc/containers/certs.d shadows it", () => {
  it('carries its other CA files over and keeps them in step; the play\'s CA replaces its ca.crt', () => {
    const files = { '/etc/docker/certs.d/harbor.lab.local/ca.crt': 'old ca\n', '/etc/docker/certs.d/harbor.lab.local/extra.crt': 'extra ca\n' };
    const certFiles = Object.keys(files);
    const state = podman({ files, containers: { certFiles } });
    const plan = planNode(state, desired([https]));
    expect(after(plan, '/etc/containers/certs.d/harbor.lab.local/extra.crt')).toBe('extra ca\n');
    expect(after(plan, '/etc/containers/certs.d/harbor.lab.local/ca.crt')).toBe(CA);
    const converged = applied(state, plan);
    expect(planNode(converged, desired([https])).changes).toEqual([]);
    const moved = { ...converged, files: new Map([...converged.files, ['/etc/docker/certs.d/harbor.lab.local/extra.crt', { text: 'rotated ca\n', sha256: 'x' }]]) };
    expect(paths(planNode(moved, desired([https])))).toEqual(['update /etc/containers/certs.d/harbor.lab.local/extra.crt']);
  });
});

describe('which nodes are containers-image nodes', () => {
  it("kubelet's endpoint on CRI-O's socket names it, and no other runtime's", () => {
    expect(runtimeOfEndpoint('unix:///var/run/crio/crio.sock')?.name).toBe('containers');
    expect(runtimeOfEndpoint('/run/crio/crio.sock')?.name).toBe('containers');
    expect(runtimeOfEndpoint('unix:///run/containerd/containerd.sock')?.name).toBe('containerd');
    expect(runtimeOfEndpoint('unix:///var/run/cri-dockerd.sock')?.name).toBe('docker');
  });

  it('auto picks Docker on a Docker node that also has podman, and containers-image only where neither Docker nor containerd is', () => {
    const docker = stateFrom('debian-docker-io');
    const withPodman = { ...docker.facts, runtimes: { ...docker.facts.runtimes, containers: { ...containersOf(podman()), installed: true } } };
    expect(selectRuntimes(withPodman, 'auto').runtimes.map((r) => r.name)).toEqual(['docker']);
    expect(selectRuntimes(podman().facts, 'auto')).toMatchObject({ reason: 'containers-image (podman, CRI-O) is installed (no kubelet runtime found)' });
    expect(selectRuntimes(crio().facts, 'auto').reason).toBe('kubelet uses it (unix:///var/run/crio/crio.sock, in /etc/kubernetes/kubelet.env)');
  });

  it('a play that names it on a node without it is refused', () => {
    expect(planNode(stateFrom('docker-absent'), desired([http], { runtimes: ['containers'] })).blockers).toEqual(['containers-image (podman, CRI-O) is not installed on this node']);
  });
});

describe('what a v1 registries.conf or root\'s own one keeps from taking effect: only drop-ins', () => {
  it('a play with only a CA (no drop-in to write) converges where registries.conf is v1 or root has its own', () => {
    const v1 = podman({ registriesConf: '[registries.search]\nregistries = ["docker.io"]\n', containers: { userConfig: '/root/.config/containers/registries.conf' } });
    const plan = planNode(v1, desired([https]));
    expect(plan.blockers).toEqual([]);
    expect(paths(plan)).toContain('create /etc/containers/certs.d/harbor.lab.local/ca.crt');
  });

  it('drop-ins merge in byte order of their names whatever order the node listed them in', () => {
    const state = podman({
      dropIns: {
        [`${DROP_INS}/b.conf`]: '[[registry]]\nlocation = "harbor-http.lab.local"\n[[registry.mirror]]\nlocation = "from-b.local"\n',
        [`${DROP_INS}/A.conf`]: '[[registry]]\nlocation = "harbor-http.lab.local"\n[[registry.mirror]]\nlocation = "from-A.local"\n',
      },
    });
    const reversed = { ...state, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, containers: { ...containersOf(state), dropIns: [...containersOf(state).dropIns].reverse() } } } };
    for (const node of [state, reversed]) expect(after(planNode(node, desired([http])), HTTP_DROP_IN)).toContain(`the rest of the entry as ${DROP_INS}/b.conf has it`);
  });
});
