/**
 * The CRI (Kubernetes' Container Runtime Interface, runtime.v1) as dockhand speaks it to containerd or
 * CRI-O: a small client over connect's gRPC on any byte stream (a local unix socket, an SSH channel),
 * loaded on its first call.
 */
export { CriClient, type CallOptions, type CriClientOptions } from './client.ts';
export { CriError, grpcStatusName } from './errors.ts';
export type { CriAuth, CriImage, CriImageStatus, CriStatus, CriVersion, RuntimeCondition } from './messages.ts';
export { criConfig, registryConfigPath } from './status-info.ts';
export { CONTAINERD_SOCKET, sshStreamLocal, unixSocket, type StreamFactory } from './transport.ts';
