import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockhand } from '../../support/cli.ts';
import { fixture } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-sources-cli-'));
const knownHosts = join(dir, 'known_hosts');
const SECRET = 'Kk-Secret-4711';

/** A KubeKey cluster file whose only node is a closed port here: reaching it at all would be exit 4, not 1. */
function clusterFile(name: string, host: string, registry = '    insecureRegistries: [harbor.local]\n'): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: kubekey.kubesphere.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: t\nspec:\n  hosts:\n  - ${host}\n  roleGroups:\n    control-plane: [n1]\n  registry:\n${registry}`,
  );
  return file;
}

describe('dockhand apply|check --from-kubekey / --from-kubespray', () => {
  it('--print-play prints the derived play as YAML and exits 0 without touching a node', async () => {
    const run = await dockhand(['apply', '--from-kubekey', fixture('kubekey/config-sample.yaml'), '--print-play', '--known-hosts', knownHosts]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^# Derived by dockhand from the KubeKey cluster file /);
    expect(run.stdout).toContain('hosts: k8s-cluster\nruntimes: [ docker ]\n');
    expect(run.stdout).not.toContain('Harbor12345');
    expect(run.stderr).toContain('the login is KubeKey\'s');
    expect(run.stderr).not.toContain('Harbor12345');
    const spray = await dockhand(['check', '--from-kubespray', fixture('kubespray/docker-cluster'), '--print-play']);
    expect(spray.exitCode, spray.stderr).toBe(0);
    expect(spray.stdout).toContain('hosts: k8s_cluster\nruntimes: [ docker ]\n');
  });

  it('a missing private key file is an input error naming the file and line, before any connection (exit 1)', async () => {
    const file = clusterFile('missing-key.yaml', `{name: n1, address: 127.0.0.1, port: 1, privateKeyPath: ${join(dir, 'no-such-key')}}`);
    const run = await dockhand(['check', '--from-kubekey', file, '--known-hosts', knownHosts]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain(`${file}:7: host "n1": spec.hosts[0].privateKeyPath ${join(dir, 'no-such-key')}: private key file not found`);
    expect(run.stdout).toBe('');
  });

  it('masks the cluster file\'s passwords and warns when others can read it', async () => {
    const file = clusterFile('exposed.yaml', `{name: n1, address: 127.0.0.1, port: 1, user: ops, password: "${SECRET}"}`);
    chmodSync(file, 0o644);
    const run = await dockhand(['check', '--from-kubekey', file, '--known-hosts', knownHosts, '--connect-timeout', '2', '-vvv']);
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(`warning: ${file} holds passwords or keys and is readable by others (mode 0644): chmod 600 ${file}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
  });

  it('issue 20, item 8: --print-play warns about a cluster file others can read, as check does', async () => {
    const file = clusterFile('exposed-print.yaml', `{name: n1, address: 127.0.0.1, port: 1, user: ops, password: "${SECRET}"}`);
    chmodSync(file, 0o644);
    const run = await dockhand(['check', '--from-kubekey', file, '--print-play']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: ${file} holds passwords or keys and is readable by others (mode 0644): chmod 600 ${file}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    chmodSync(file, 0o600);
    expect((await dockhand(['check', '--from-kubekey', file, '--print-play'])).stderr).not.toContain('readable by others');
  }, 30_000);

  it('a setting dockhand cannot honour is exit 1 naming the field and line', async () => {
    const file = clusterFile('override.yaml', '{name: n1, address: 127.0.0.1, port: 1}', '    namespaceOverride: kubesphereio\n');
    const run = await dockhand(['apply', '--from-kubekey', file, '--known-hosts', knownHosts]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${file}:11: spec.registry.namespaceOverride: rewrites image names`);
  });

  it.each([
    [['apply', '-i', 'x.ini'], /give a playbook, --from-kubekey FILE or --from-kubespray DIR/],
    [['apply', 'site.yml', '--from-kubekey', 'c.yaml'], /give one of a playbook, --from-kubekey FILE and --from-kubespray DIR/],
    [['apply', 'site.yml', '-i', 'x.ini', '--print-play'], /--print-play shows the play derived by --from-kubekey or --from-kubespray/],
    [['apply', 'site.yml'], /give an inventory: -i FILE or -i DIR/],
    [['facts'], /give an inventory: -i FILE or -i DIR/],
  ])('usage: %j is refused with exit 1', async (args, message) => {
    const run = await dockhand(args);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});

describe('inventory mistakes at the command line', () => {
  it('refuses ansible_become_method=su with exit 1 before any connection', async () => {
    const inventory = join(dir, 'su.ini');
    writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1\n[k8s-cluster:vars]\nansible_become_method=su\n');
    const run = await dockhand(['facts', '-i', inventory, '--known-hosts', knownHosts]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${inventory}:4: host "node1": ansible_become_method "su" is not supported: dockhand escalates with sudo only`);
  });

  it('merges -i given twice and says what is misspelt', async () => {
    const a = join(dir, 'a.ini');
    const b = join(dir, 'b.yml');
    writeFileSync(a, '[web]\nnode1 ansible_host=127.0.0.1\n');
    writeFileSync(b, 'all:\n  vars:\n    ansible_port: 1\n    ansible_hosts: 10.0.0.1\n');
    const run = await dockhand(['facts', '-i', a, '-i', b, '--known-hosts', knownHosts, '--json', '--connect-timeout', '2']);
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(`warning: ${b}:4: unknown variable "ansible_hosts": did you mean ansible_host?`);
    const report = JSON.parse(run.stdout) as { hosts: { name: string; address: string }[] };
    expect(report.hosts.map((h) => [h.name, h.address])).toEqual([['node1', '127.0.0.1']]);
  });
});
