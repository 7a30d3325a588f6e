// The names Kubernetes streams are negotiated and framed by (exec, attach, port-forward), shared by the API server,
// the node agent and flotctl. Facts of the protocols:
// - remote command (exec, attach) over SPDY: the client offers versions in X-Stream-Protocol-Version and opens one
//   SPDY stream per standard stream, named by its `streamType` header; v4 ends with a Status on the error stream;
// - remote command over WebSocket: a subprotocol (v5/v4.channel.k8s.io ...) and binary messages whose first byte is
//   the channel; v5 adds channel 255 = "close the channel in the next byte" (stdin's end);
// - port-forward over SPDY (portforward.k8s.io): two streams per connection (`streamType` error and data) with the
//   same `port` and `requestID` headers;
// - port-forward over WebSocket, two ways: the channel protocol (one data and one error channel per port given in
//   the query, each opened by the port as 2 little-endian bytes), and kubectl 1.31+'s tunnel: the subprotocol
//   `SPDY/3.1+portforward.k8s.io`, whose binary messages carry a SPDY connection's bytes.

export const STREAM_PROTOCOL_HEADER = 'X-Stream-Protocol-Version';

export const REMOTE_COMMAND_V5 = 'v5.channel.k8s.io';
export const REMOTE_COMMAND_V4 = 'v4.channel.k8s.io';
export const PORT_FORWARD_V1 = 'portforward.k8s.io';
/** kubectl 1.31+ offers WebSocket subprotocols made of this prefix and a SPDY protocol. */
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
export const PORT_FORWARD_TUNNEL = `${SPDY_TUNNEL_PREFIX}${PORT_FORWARD_V1}`;

/** The SPDY versions of the remote command protocol a runtime speaks (v4 carries the exit code on the error stream). */
export const REMOTE_COMMAND_SPDY_PROTOCOLS = [REMOTE_COMMAND_V4, 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export const StreamType = {
  error: 'error',
  stdin: 'stdin',
  stdout: 'stdout',
  stderr: 'stderr',
  resize: 'resize',
  data: 'data',
} as const;

/** The `streamType`, `port` and `requestID` headers, as they travel (lower case) in SPDY. */
export const StreamHeader = { type: 'streamtype', port: 'port', requestId: 'requestid' } as const;

/** WebSocket channels of the remote command protocol. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The values of a header that may be repeated or comma-separated (Sec-WebSocket-Protocol, X-Stream-Protocol-Version). */
export function headerList(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean);
}

/**
 * The ports of a port-forward request (`ports` at the API server, `port` at the node; each value may be a comma
 * list), checked as the kubelet checks them; the error text is the kubelet's.
 */
export function parsePorts(values: string[], param = 'port'): number[] {
  if (!values.length) throw new Error(`query parameter "${param}" is required`);
  const ports: number[] = [];
  for (const v of values) {
    if (!v) throw new Error(`query parameter "${param}" cannot be empty`);
    for (const p of v.split(',')) {
      if (!/^\d+$/.test(p)) throw new Error(`unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`);
      if (Number(p) > 65535) throw new Error(`unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": value out of range`);
      if (Number(p) < 1) throw new Error(`port "${v}" must be > 0`);
      ports.push(Number(p));
    }
  }
  return ports;
}
