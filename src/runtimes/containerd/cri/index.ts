/** A minimal CRI v1 client over node:http2 on any byte stream (a local unix socket, an SSH channel). */
export { CriClient, CRI_API_VERSION, IMAGE_SERVICE, RUNTIME_SERVICE, type CallOptions, type CriClientOptions } from './client.ts';
export { CriError } from './errors.ts';
export { grpcStatusName, GrpcStatus } from './framing.ts';
export type { CriAuth, CriImage, CriImageStatus, CriStatus, CriVersion, RuntimeCondition } from './messages.ts';
export { criConfig, registryConfigPath } from './status-info.ts';
export { CONTAINERD_SOCKET, sshStreamLocal, unixSocket, type StreamFactory } from './transport.ts';
