// A node:test reporter for npm test's last lines: every failed test with its file and the first lines of its error.
// CI shows only the end of a run's output, and each pool's own spec report (with its failures) is printed earlier, so
// scripts/test.sh gathers these from every pool and prints them last.
export default async function* failures(source) {
  for await (const ev of source) {
    if (ev.type !== 'test:fail') continue;
    const { name, file, details } = ev.data;
    const err = details?.error;
    // a suite or a file that failed only because a test in it did says nothing new
    if (err?.failureType === 'subtestsFailed') continue;
    const cause = err?.cause ?? err;
    const text = String(cause?.stack ?? cause?.message ?? cause ?? 'failed').split('\n')
      .filter((l) => !/\(node:|at node:/.test(l)).slice(0, 8).join('\n    ');
    const where = file ? file.replace(/.*\/dist\//, 'dist/') : '?';
    yield `✖ ${where}: ${name} (${((details?.duration_ms ?? 0) / 1000).toFixed(1)} s)\n    ${text}\n`;
  }
}
