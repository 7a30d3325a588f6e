// Colour only where a person reads: a TTY, without NO_COLOR, not TERM=dumb. Pipes and files get plain text, byte for
// byte what kubectl prints.
const wants = (s: NodeJS.WriteStream) => !!s.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (code: number) => (text: string, stream: NodeJS.WriteStream = process.stdout) => (wants(stream) ? `\x1b[${code}m${text}\x1b[0m` : text);

export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const bold = paint(1);
export const isTTY = (s: NodeJS.WriteStream = process.stdout) => !!s.isTTY;
