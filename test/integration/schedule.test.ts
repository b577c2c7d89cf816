// dockhand schedule --install on a systemd lab node acting as the controller: the units pass
// systemd-analyze verify, the timer fires, and each run moves the metrics file's last run timestamp.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetNodes } from '../support/reset.ts';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { installOnNode, removeFromNode } from '../support/executable.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const controller = debian.at(-1)!;
const targets = debian.slice(0, 2);
const metrics = '/var/lib/prometheus/node-exporter/dockhand-site.prom';
const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);

async function lastRun(): Promise<number | undefined> {
  const text = (await sh(controller, `cat ${metrics} 2>/dev/null`)).stdout;
  const match = /^dockhand_last_run_timestamp_seconds\{[^}]*\} (\S+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
  for (let i = 0; i < seconds * 4; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  const status = await sh(controller, 'systemctl status dockhand-site.timer dockhand-site.service --no-pager; journalctl -u dockhand-site.service --no-pager | tail -20');
  throw new Error(`${what} within ${seconds} s\n${status.output}`);
}

describe('a scheduled check on a controller', () => {
  beforeAll(async () => {
    // fresh targets: earlier test files may have left them converged
    await resetNodes(targets);
    await installOnNode(controller.containerId);
    const inventory = ['[k8s-cluster]', ...targets.map((n) => `${n.name} ansible_host=${n.address}`), '[all:vars]', 'ansible_user=root', 'ansible_ssh_private_key_file=/etc/dockhand/lab_key', ''].join('\n');
    const playbook = `registries:\n  - host: ${lab.registries.http.host}\n    ip: ${lab.registries.http.address}\n    insecure: true\n`;
    await sh(controller, 'mkdir -p /etc/dockhand && cat > /etc/dockhand/lab_key && chmod 600 /etc/dockhand/lab_key', readFileSync(lab.sshKeyPath, 'utf8'));
    await sh(controller, 'cat > /etc/dockhand/hosts.ini', inventory);
    await sh(controller, 'cat > /etc/dockhand/site.yml', playbook);
  }, 300_000);

  afterAll(async () => {
    await sh(controller, 'systemctl disable --now dockhand-site.timer; systemctl stop dockhand-site.service; rm -f /etc/systemd/system/dockhand-site.* ; rm -rf /etc/dockhand /var/lib/dockhand/runs /var/lib/dockhand/locks /var/lib/prometheus; systemctl daemon-reload');
    await removeFromNode(controller.containerId);
  }, 120_000);

  it('--install writes verified, hardened units; the timer fires again and again, each run moving the last run timestamp', async () => {
    const install = await sh(controller, `dockhand schedule /etc/dockhand/site.yml -i /etc/dockhand/hosts.ini --every 10s --check --metrics ${metrics} --install`);
    expect(install.exitCode, install.output).toBe(0);
    expect(install.stderr).toContain('ran systemd-analyze verify');
    expect(install.stdout).toContain('dockhand-site.timer is active: every 10s');
    expect((await sh(controller, 'systemctl is-active dockhand-site.timer')).stdout.trim()).toBe('active');
    expect((await sh(controller, 'stat -c %a /etc/dockhand/dockhand-site.env')).stdout.trim()).toBe('600');

    const first = await until('a first run', lastRun, 60);
    const second = await until('a second run', async () => {
      const now = await lastRun();
      return now !== undefined && now > first ? now : undefined;
    }, 60);
    expect(second).toBeGreaterThan(first);
    const text = (await sh(controller, `cat ${metrics}`)).stdout;
    // fresh nodes: the check finds drift (exit 3, not a failure of the service), and counts it as a success
    for (const node of targets) expect(text).toContain(`dockhand_node_status{schedule="dockhand-site",node="${node.name}",status="drift"} 1`);
    expect(text).toMatch(/^dockhand_run_exit_code\{schedule="dockhand-site"\} 3$/m);
    expect((await sh(controller, 'systemctl is-failed dockhand-site.service')).stdout.trim()).not.toBe('failed');
    // the history the scheduled runs kept
    const history = await sh(controller, 'dockhand history');
    expect(history.stdout.trim().split('\n').length, history.output).toBeGreaterThanOrEqual(3);
  });
});
