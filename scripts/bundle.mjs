// Bundles Flotilla's two programs into one file each with esbuild, after `tsc -p .` has compiled them:
// flotctl (dist/bundle/flotctl.mjs) and flotilla (dist/bundle/flotilla.mjs, every component). A program pays its
// start-up on every run, and Node's loader spent most of it resolving, reading and compiling several hundred modules
// one by one: about 260 of 300 ms of CPU for `flotctl get pods`, about half of that after bundling; an API server's
// start went from about 1.9 to 1.5 s of CPU. Identifiers keep their names (class names reach messages).
// Packages that read their own files at run time (.proto files) stay outside, loaded from node_modules.
// Plain JavaScript so it runs before anything else is built.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Tests beside the code are never part of a program (the kinds' loader imports `./${resource}.js`, which esbuild
 * reads as every file of that directory). */
const noTests = {
  name: 'no-tests',
  setup(b) {
    b.onLoad({ filter: /\.test\.js$/ }, () => ({ contents: 'throw new Error("a test file is not part of the bundle");', loader: 'js' }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
  plugins: [noTests],
  external: ['etcd3', '@grpc/grpc-js', '@grpc/proto-loader'],
  // the CommonJS dependencies (ajv, ws, ...) call require(): an ES module has none of its own
  banner: { js: "import { createRequire as __flotillaRequire } from 'node:module'; const require = __flotillaRequire(import.meta.url);" },
};
await build({
  ...common,
  entryPoints: {
    flotctl: 'dist/cli/flotctl/main.js',
    flotilla: 'dist/cli/flotilla.js',
    // a worker thread's module must be a file of its own (apiserver/openapi/v2.ts finds it here)
    'openapi-v2-worker': 'dist/apiserver/openapi/swagger-worker.js',
  },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  // what a command imports only when it runs (each component, each subcommand) stays in chunks of its own
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
