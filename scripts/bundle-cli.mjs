// Bundles flotctl into one file (dist/bundle/flotctl.mjs) with esbuild, after `tsc -p .` has compiled it: a CLI
// pays its start-up on every command, and Node's loader spent most of flotctl's (about 260 of its 300 ms of CPU
// for `flotctl get pods`) resolving, reading and compiling some 200 modules one by one. One file, with the
// subcommands' modules in it, starts in about half of that. Identifiers keep their names (class names reach
// messages). Plain JavaScript so it runs before anything else is built.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/flotctl/main.js'],
  outfile: 'dist/bundle/flotctl.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
  // the CommonJS dependencies (ajv, ws, ...) call require(): an ES module has none of its own
  banner: { js: "import { createRequire as __flotillaRequire } from 'node:module'; const require = __flotillaRequire(import.meta.url);" },
});
