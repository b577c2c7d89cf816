/** Inventories and playbooks for one test, written from the running lab's facts. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, LabNode } from '../lab/lab.ts';

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `dockhand-${prefix}-`));
}

/** An INI inventory of these nodes, logging in as root with the lab key. */
export function writeInventory(dir: string, lab: Lab, nodes: readonly LabNode[], name = 'hosts.ini'): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      '[nodes]',
      ...nodes.map((n) => `${n.name} ansible_host=${n.address}`),
      '[k8s-cluster:children]',
      'nodes',
      '[all:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${lab.sshKeyPath}`,
      '',
    ].join('\n'),
  );
  return file;
}

/** A playbook of this text in the test's directory. */
export function writePlaybook(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The KubeSphere procedure for the lab's two registries: http (insecure) and https (private CA). */
export function writeRegistryPlaybook(dir: string, lab: Lab, extra = ''): string {
  const file = join(dir, 'registries.yml');
  writeFileSync(
    file,
    `- name: Trust the lab's Harbor registries
  hosts: k8s-cluster
  registries:
    - host: ${lab.registries.http.host}
      ip: ${lab.registries.http.address}
      insecure: true
    - host: ${lab.registries.https.host}
      ip: ${lab.registries.https.address}
      ca: ${lab.registries.https.caCertPath}
  insecure_registries: [10.233.0.0/18]
${extra}`,
  );
  return file;
}
