/** Playbooks: which registries, for which nodes, read and checked. */
export { loadPlaybook, parsePlaybook, PlaybookError, type LoadPlaybookOptions, type PlaybookIssue } from './load.ts';
export {
  checkCidr,
  checkDnsName,
  checkInsecureRegistry,
  checkIpAddress,
  checkMirrorUrl,
  checkRegistryHost,
  isCidr,
  isInsecureRegistry,
  isIpAddress,
  isMirrorUrl,
  isRegistryHost,
} from './validate-values.ts';
export { registryKey } from '../registry/name.ts';
export type { Play, Playbook, RegistrySpec, SerialStep } from './types.ts';
