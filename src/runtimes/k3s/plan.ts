/**
 * k3s's and RKE2's part of a node's plan: their registries.yaml edited in place (every entry dockhand
 * does not own kept byte for byte), each registry's CA written beside it, and a restart of the unit
 * the node runs, since k3s reads registries.yaml only when it starts. Pure: check and apply share it.
 */
import { dirname } from 'node:path';
import { editableText, fileChange, fileRemoval } from '../../plan/file-change.ts';
import { runtimeHandler } from '../../plan/handlers.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { DesiredState, Expectation, FileChange, Handler, RestartDecision, RuntimePlan } from '../../plan/types.ts';
import { expectedMentions, lackingRendered, renderedDirectory, renderedFile } from './effect.ts';
import { editRegistriesYaml, refusal, registriesIn, type RegistriesEdit } from './registries-yaml.ts';
import type { K3sFacts } from './types.ts';
import { caDirectory, wantedRegistries } from './wanted.ts';

const RESTART = runtimeHandler('restart', 'k3s');

/** A unit's name without `.service`, as people say it. */
const unitName = (facts: K3sFacts): string => (facts.unit ?? (facts.distribution === 'rke2' ? 'rke2-server' : 'k3s')).replace(/\.service$/, '');

/**
 * Whether the restart may happen. Running pods survive it where the unit stops only its main process
 * (KillMode=process, as k3s's install.sh and RKE2's units set it): containerd's shims and the
 * containers they hold are not stopped with it (k3s-killall.sh exists to stop them). Elsewhere the
 * restart may stop them, which `if-idle` does not allow.
 */
function decideRestart(desired: DesiredState, facts: K3sFacts): RestartDecision {
  const unit = unitName(facts);
  if (desired.restart === 'never') {
    return { runtime: 'k3s', needed: true, allowed: false, reason: `a restart of ${unit} is needed (it reads registries.yaml only when it starts), not allowed by restart: never` };
  }
  if (facts.killMode !== null && facts.killMode !== 'process' && desired.restart !== 'always') {
    return {
      runtime: 'k3s',
      needed: true,
      allowed: false,
      reason: `a restart of ${unit} is needed, not allowed by restart: if-idle: its unit has KillMode=${facts.killMode}, so the restart may stop running pods with it: drain the node first and allow it (--restart always, or restart: always in the play)`,
    };
  }
  return { runtime: 'k3s', needed: true, allowed: true, reason: `running pods keep running across a restart of ${unit} (KillMode=${facts.killMode ?? 'process'}: containerd's shims and their containers are not stopped with it)` };
}

/** k3s's part of the plan for one node. */
export function planK3s(state: NodeState, desired: DesiredState, facts: K3sFacts): RuntimePlan {
  const file = facts.registriesFile;
  const configDir = dirname(file);
  const unit = unitName(facts);
  const blockers: string[] = [];
  const notes: string[] = [];
  if (!facts.installed) blockers.push('k3s or RKE2 is not installed on this node');
  if (facts.externalRuntime !== null) {
    blockers.push(`${unit} runs kubelet with ${facts.externalRuntime}: its registries.yaml does not reach the runtime kubelet uses; configure that runtime (runtimes: [docker], or the one it names)`);
  }

  const wanted = wantedRegistries(desired, configDir);
  notes.push(...wanted.notes);
  const current = editableText(state, file);
  const text = 'blocker' in current ? null : current.text;
  let edit: RegistriesEdit | undefined;
  if ('blocker' in current) blockers.push(current.blocker);
  else {
    try {
      edit = editRegistriesYaml(text, file, wanted.registries);
      notes.push(...edit.notes);
    } catch (error) {
      blockers.push(refusal(file, error));
    }
  }
  const after = edit === undefined || (text === null && edit.text === '') ? null : edit.text;
  const registriesChange = edit === undefined ? undefined : fileChange(state, 'registries-yaml', file, after, '0600');

  const changes: (FileChange | undefined)[] = [registriesChange];
  for (const [path, pem] of wanted.cas) changes.push(fileChange(state, 'k3s-ca', path, pem));
  for (const host of wanted.registries.retired) {
    const dir = `${caDirectory(configDir)}/${host}/`;
    for (const path of [...state.files.keys()].filter((p) => p.startsWith(dir) && p.endsWith('.crt'))) {
      const removal = fileRemoval(state, 'k3s-ca', path, { dockhandNamed: true });
      changes.push(removal.change);
      if (removal.note !== undefined) notes.push(removal.note);
    }
  }
  const planned = changes.filter((c) => c !== undefined);

  // What the running k3s shows of registries.yaml: the hosts.toml files it rendered at its start
  const renderedDir = renderedDirectory(facts.dataDir);
  const mentions = facts.renders ? expectedMentions(wanted.registries, renderedDir) : [];
  const left = after === null ? new Set<string>() : registriesIn(after, file);
  const gone = facts.renders
    ? [...wanted.registries.retired, ...wanted.registries.managed].filter((host) => !left.has(host)).map((host) => `${renderedDir}/${host}`).filter((dir) => renderedFile(facts.rendered, dir) !== undefined)
    : [];
  const missing: string[] = [];
  if (facts.installed && facts.running) {
    const lacking = lackingRendered(facts.rendered, mentions, gone);
    if (lacking.length > 0) missing.push(`${unit} lacks ${lacking.join(', ')}`);
    else if (facts.registriesNewerThanProcess === true && registriesChange === undefined) missing.push(`${unit} runs on an older ${file} than the one on disk`);
  } else if (facts.installed && facts.unit !== null) {
    missing.push(`${unit} is not running`);
  }

  const handlers: Handler[] = [];
  const blocked: string[] = [];
  const warnings: string[] = [];
  let restart: RestartDecision | null = null;
  const owed = facts.running && missing.length > 0;
  if (registriesChange !== undefined || owed) {
    handlers.push(RESTART);
    restart = decideRestart(desired, facts);
    if (!restart.allowed) blocked.push(restart.reason);
    if (!facts.running) {
      blockers.push(`${unit} is not running on this node (${facts.unit ?? 'no unit'} is ${facts.activeState ?? 'stopped'}): dockhand does not start a k3s that was stopped; start it, then run again`);
    } else if (facts.role === 'server') {
      warnings.push(`restarting ${unit} restarts this node's API server (and datastore) with it: requests to it fail until it is back; restart servers one at a time (serial: 1)`);
    }
  }
  const expect: Expectation[] = facts.running
    ? [
        { runtime: 'k3s', kind: 'active' },
        { runtime: 'k3s', kind: 'cri' },
        ...mentions.filter((m) => !/[\s=]/.test(m.dir) && !/\s/.test(m.text)).map((m) => ({ runtime: 'k3s', kind: 'mentions', value: `${m.dir}=${m.text}` })),
        ...gone.filter((dir) => !/\s/.test(dir)).map((dir) => ({ runtime: 'k3s', kind: 'gone', value: dir })),
      ]
    : [];
  return {
    runtime: 'k3s',
    mechanism: 'registries.yaml',
    via: `${file} (read when ${unit} starts)`,
    changes: planned,
    handlers,
    blockers,
    blocked,
    warnings,
    missingEffect: missing,
    expect,
    validate: [],
    restart,
    notes,
  };
}
