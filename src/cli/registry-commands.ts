/**
 * `dockhand registry probe|add|secret`: onboarding a registry from its URL (see src/onboard/). None of them
 * reaches a node: they talk to the registry from this machine, and `add` writes the playbook.
 */
import { Command, Option } from 'commander';
import type { ExitCode } from './exit-codes.ts';
import { positiveInteger } from './options.ts';
import type { RegistryAddCliOptions, RegistryOptions, RegistrySecretCliOptions } from './registry-options.ts';

export type { RegistryAddCliOptions, RegistryOptions, RegistrySecretCliOptions } from './registry-options.ts';

function common(command: Command): Command {
  return command
    .argument('<url>', 'the registry: host, host:port, or its URL (a path after it, as Harbor\'s console shows, is set aside)')
    .option('--ip <address>', 'connect to this address, keeping the URL\'s name for TLS and Host (as curl --resolve), for a name this machine cannot resolve')
    .option('--timeout <seconds>', 'give up on a connection or an answer after this', positiveInteger('--timeout', 600), 10);
}

export function withRegistryCommands(root: Command, setExit: (code: ExitCode) => void): void {
  const registry = root.command('registry').description('onboard a registry from its URL: probe it, pin its CA in a playbook, print its pull secret');

  common(registry.command('probe').description('what the registry is, from this machine: http or https, its API and login, its TLS chain, Harbor, its CA; changes nothing'))
    .option('--ca <file>', 'a CA file to check against the server\'s chain too')
    .option('--json', 'print one JSON document', false)
    .action(async (url: string, options: RegistryOptions & { ca?: string }) => {
      const { registryProbeCommand } = await import('./commands/registry-probe.ts');
      setExit(await registryProbeCommand(url, options));
    });

  common(registry.command('add').description('write or update the registry\'s entry in a playbook (created when missing), its CA saved next to it'))
    .requiredOption('-p, --playbook <file>', 'the playbook to write (every other byte is kept)')
    .addOption(new Option('--ca <file>', 'the registry\'s CA file (checked against the server\'s chain)').conflicts('caFingerprint'))
    .option('--ca-fingerprint <sha256>', 'take the CA the registry offers (Harbor\'s, or its chain\'s root) when its SHA-256 fingerprint is this (as openssl x509 -fingerprint -sha256 prints it)')
    .option('--hosts <pattern>', 'the play a new entry goes to: the one with this hosts: (a new play when none has it)')
    .option('--verify <image>', 'a pull check after apply: this image of the registry (REPO:TAG or REGISTRY/REPO:TAG)')
    .option('--username-env <name>', 'with --verify: the environment variable holding the pull check\'s username')
    .option('--password-env <name>', 'with --verify: the environment variable holding the pull check\'s password')
    .option('--json', 'print one JSON document', false)
    .action(async (url: string, options: RegistryAddCliOptions) => {
      const { registryAddCommand } = await import('./commands/registry-add.ts');
      setExit(await registryAddCommand(url, options));
    });

  common(registry.command('secret').description('print a kubernetes.io/dockerconfigjson Secret per namespace, once the login works on the registry (for kubectl apply -f -)'))
    .requiredOption('--name <name>', 'the Secret\'s name')
    .option('-n, --namespace <namespace>', 'a namespace to put it in; repeat for several (one Secret each)', (value: string, all: string[] | undefined) => [...(all ?? []), value])
    .option('--username <user>', 'the registry login (else DOCKHAND_REGISTRY_USERNAME)')
    .addOption(new Option('--password-stdin', 'read the password from stdin (one line)').conflicts('passwordEnv'))
    .option('--password-env <name>', 'the environment variable holding the password', 'DOCKHAND_REGISTRY_PASSWORD')
    .option('--email <email>', 'the email field of the Docker config (optional)')
    .option('--service-account <name>', 'also print that ServiceAccount with the Secret in its imagePullSecrets (kubectl apply merges it in)')
    .option('--image <image>', 'also check the login can pull this image (REPO:TAG or REGISTRY/REPO:TAG)')
    .addOption(new Option('--ca <file>', 'the registry\'s CA, to check its certificate before sending the login').conflicts('playbook'))
    .option('-p, --playbook <file>', 'take the registry\'s CA and address from its entry in this playbook')
    .action(async (url: string, options: RegistrySecretCliOptions) => {
      const { registrySecretCommand } = await import('./commands/registry-secret.ts');
      setExit(await registrySecretCommand(url, options));
    });
}

