// The Kubernetes exec stream over a WebSocket (the v5.channel.k8s.io / v4.channel.k8s.io subprotocols): every
// binary message starts with its channel, 0 stdin, 1 stdout, 2 stderr, 3 the exit status, 4 terminal resize
// (JSON {"Width","Height"}), 255 (v5) "close this channel". A browser can't set an Authorization header on a
// WebSocket, so the token rides as one more offered subprotocol, `base64url.bearer.authorization.k8s.io.<token as
// unpadded base64url>`, which Kubernetes' API server reads as the bearer token.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** Unpadded base64url of a string's UTF-8 bytes. */
export function base64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The subprotocols to offer: the channel protocols, then the token (when there is one). */
export function protocols(token?: string): string[] {
  return token ? [...CHANNEL_PROTOCOLS, BEARER_PROTOCOL_PREFIX + base64url(token)] : [...CHANNEL_PROTOCOLS];
}

/** The WebSocket address of an exec into a container, running command with a terminal. */
export function execUrl(origin: string, namespace: string, pod: string, container: string, command: string[]): string {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  q.set('stdin', 'true');
  q.set('stdout', 'true');
  q.set('tty', 'true'); // with a terminal, stderr comes merged into stdout (asking for both is an error)
  const ws = origin.replace(/^http/, 'ws');
  return `${ws}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${q}`;
}

const encoder = new TextEncoder();

export function frame(channel: number, data: Uint8Array | string): Uint8Array {
  const body = typeof data === 'string' ? encoder.encode(data) : data;
  const out = new Uint8Array(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}

export const resizeFrame = (cols: number, rows: number): Uint8Array => frame(RESIZE, JSON.stringify({ Width: cols, Height: rows }));

export function parseFrame(data: ArrayBuffer | Uint8Array): { channel: number; data: Uint8Array } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return { channel: bytes[0] ?? -1, data: bytes.subarray(1) };
}

/** What the status on channel 3 says: the exit code (0 on Success), and a message on failure. */
export function exitOf(statusJson: string): { code: number; message?: string } {
  try {
    const s = JSON.parse(statusJson) as { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string;
      message?: string }> } };
    if (s.status === 'Success') return { code: 0 };
    const exit = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    if (s.reason === 'NonZeroExitCode' && exit !== undefined) return { code: Number(exit), message: s.message };
    return { code: -1, message: s.message ?? statusJson };
  } catch {
    return { code: -1, message: statusJson };
  }
}
