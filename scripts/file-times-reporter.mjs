// A node:test reporter for npm test's budget (20 minutes on a 2-core machine): at the end of the run, the test files
// whose tests took longest, summed per file (hooks such as starting a cluster are not counted), so that the longest
// ones can be started first (scripts/test.sh's heavy list) and the slow ones seen as they grow.
export default async function* fileTimes(source) {
  const files = new Map();
  for await (const ev of source) {
    if ((ev.type !== 'test:pass' && ev.type !== 'test:fail') || ev.data.nesting !== 0 || !ev.data.file) continue;
    const f = ev.data.file.replace(/.*\/dist\//, 'dist/');
    files.set(f, (files.get(f) ?? 0) + (ev.data.details?.duration_ms ?? 0));
  }
  const rows = [...files].sort((a, b) => b[1] - a[1]).slice(0, 25);
  yield '\n# the slowest test files (seconds in their tests, summed; hooks not counted)\n';
  for (const [f, ms] of rows) yield `${(ms / 1000).toFixed(0).padStart(6)}  ${f}\n`;
}
