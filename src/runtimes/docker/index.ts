/**
 * Docker: registry options in the DOCKER_OPTS drop-in or daemon.json (whichever the node's dockerd
 * honours), each registry's CA in /etc/docker/certs.d, a reload or a restart as the change needs.
 */
import { defineRuntime } from '../runtime.ts';
import { CERTS_D_ROOT } from './certs-d.ts';
import { DAEMON_JSON_PATH } from './daemon-json.ts';
import { DOCKER_OPTIONS_PATH } from './drop-in.ts';
import { DOCKER_SHOW_PROPERTIES, DOCKER_SECTIONS, parseDockerFacts } from './facts.ts';
import { planDocker } from './plan.ts';
import { configuredProxy, NO_PROXY_DROP_IN } from './proxy.ts';
import { dockerPullCheck } from './pull-check.ts';
import { proxySummary } from '../../resources/proxy.ts';
import type { DockerFacts } from './types.ts';

/** The facts table's line: version and state, how registry options reach dockerd, daemon.json, containers. */
function summary(docker: DockerFacts): string {
  if (!docker.installed) return '-';
  const state = docker.running ? 'active' : (docker.unit?.activeState ?? 'stopped');
  const wiring = docker.honoursDockerOpts ? 'DOCKER_OPTS' : 'no DOCKER_OPTS';
  const daemonJson = !docker.daemonJson.present ? 'none' : docker.daemonJson.valid ? docker.daemonJson.keys.join(',') || '{}' : 'INVALID';
  const containers = docker.containersRunning === null ? '' : `, ${docker.containersRunning} running${docker.liveRestore ? ' (live-restore)' : ''}`;
  return `${docker.version ?? '?'} ${state}, ${wiring}, daemon.json: ${daemonJson}${containers}${docker.proxy === undefined ? '' : proxySummary(docker.proxy.running ?? configuredProxy(docker.proxy))}`;
}

export const docker = defineRuntime<DockerFacts>({
  name: 'docker',
  title: 'Docker',
  daemon: 'dockerd',
  shell: 'runtimes/docker/node.sh',
  facts: {
    script: 'runtimes/docker/facts.sh',
    variables: { DOCKER_SHOW: DOCKER_SHOW_PROPERTIES.join(' ') },
    units: { names: ['docker.service'], properties: DOCKER_SHOW_PROPERTIES },
    sections: DOCKER_SECTIONS,
    commands: ['dockerd', 'docker'],
    parse: (sections) => parseDockerFacts(sections),
  },
  kubeletUses: (endpoint) => /cri-dockerd|dockershim|docker\.sock/.test(endpoint),
  autoRank: 1,
  autoCandidate: () => true,
  managedFiles: [DOCKER_OPTIONS_PATH, DAEMON_JSON_PATH, `${CERTS_D_ROOT}/*/ca.crt`, NO_PROXY_DROP_IN],
  plan: planDocker,
  pullCheck: (connection, image, credentials) => dockerPullCheck(connection, image, credentials),
  summary,
  proxy: (docker) => docker.proxy.running,
});
