// gRPC's length-prefixed messages, as a fake runtime in a unit test writes and reads them.

/** A zero flag, the big-endian length, the bytes. */
export function encodeFrame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The first message of a request body (empty when there is none). */
export function firstMessage(body: Buffer): Buffer {
  return body.length < 5 ? Buffer.alloc(0) : body.subarray(5, 5 + body.readUInt32BE(1));
}
