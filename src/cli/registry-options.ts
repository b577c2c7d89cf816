/** The options of `dockhand registry probe|add|secret`, as commander gives them. */

/** Options every `registry` command takes. */
export interface RegistryOptions {
  readonly ip: string | undefined;
  readonly timeout: number;
  readonly json: boolean;
}

export interface RegistryAddCliOptions extends RegistryOptions {
  readonly playbook: string;
  readonly ca?: string;
  readonly caFingerprint?: string;
  readonly hosts?: string;
  readonly verify?: string;
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
}

export interface RegistrySecretCliOptions extends Omit<RegistryOptions, 'json'> {
  readonly name: string;
  readonly namespace?: string[];
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly passwordEnv: string;
  readonly email?: string;
  readonly serviceAccount?: string;
  readonly image?: string;
  readonly ca?: string;
  readonly playbook?: string;
}
