// Builds the dashboard with esbuild: the browser bundle into dist/dashboard/www (index.html plus content-hashed,
// immutable assets under assets/), and the dashboard's unit tests into dist/dashboard/unit (run by `npm test` with
// the rest). Type checking is `tsc -p dashboard`, run before this by `npm run build` and scripts/setup.sh.
// Plain JavaScript so it runs before anything is compiled.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const www = join(root, 'dist/dashboard/www');
const unit = join(root, 'dist/dashboard/unit');
const started = performance.now();

rmSync(www, { recursive: true, force: true });
rmSync(unit, { recursive: true, force: true });
mkdirSync(join(www, 'assets'), { recursive: true });

const app = await build({
  absWorkingDir: root,
  entryPoints: ['dashboard/src/main.tsx'],
  bundle: true,
  splitting: true, // the editor and the terminal are loaded on first use, not with the first page
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(www, 'assets'),
  publicPath: '/dashboard/assets/',
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

const outputs = Object.entries(app.metafile.outputs);
const [mainJs, main] = outputs.find(([, o]) => o.entryPoint === 'dashboard/src/main.tsx') ?? [];
if (!mainJs || !main?.cssBundle) throw new Error('esbuild produced no main script or stylesheet');
const url = (file) => `/dashboard/${relative(www, join(root, file)).split('\\').join('/')}`;

// The icon gets a content hash like the rest, so every asset can be cached forever.
const icon = readFileSync(join(here, 'src/icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 8).toUpperCase()}.svg`;
writeFileSync(join(www, 'assets', iconName), icon);

const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('%MAIN_JS%', url(mainJs))
  .replace('%MAIN_CSS%', url(main.cssBundle))
  .replace('%ICON%', `/dashboard/assets/${iconName}`);
writeFileSync(join(www, 'index.html'), html);

// What the first page costs a browser (the entry script, its static imports and the stylesheet), and everything.
const firstLoad = new Set([mainJs, main.cssBundle, ...main.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)]);
let firstGz = 0;
let allGz = 0;
for (const [file] of outputs) {
  if (file.endsWith('.map') || file.endsWith('.txt')) continue;
  const gz = gzipSync(readFileSync(join(root, file)), { level: 9 }).length;
  allGz += gz;
  if (firstLoad.has(file)) firstGz += gz;
}
writeFileSync(join(www, 'build.json'), JSON.stringify({ firstLoadGzipBytes: firstGz, totalGzipBytes: allGz, files: outputs.map(([f]) => relative(www, join(root, f))) }, null, 1));

// Unit tests of the pure modules, one bundle per test file (npm packages stay external, resolved from node_modules).
const tests = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) tests.push(relative(root, p));
  }
})(join(here, 'src'));
await build({
  absWorkingDir: root,
  entryPoints: tests,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outbase: 'dashboard/src',
  outdir: unit,
  sourcemap: 'inline',
  logLevel: 'warning',
});

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dashboard: built in ${Math.round(performance.now() - started)} ms; first page ${kb(firstGz)} gzip, all assets ${kb(allGz)} gzip; ${tests.length} unit test files`);
