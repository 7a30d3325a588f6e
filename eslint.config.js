// npm test lints first (scripts/test.sh). Rules that catch real bugs, fast enough to run on every test: no type-aware
// rules (they would type-check the whole tree a second time, after tsc has done it in the build).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // the dashboard (dashboard/, its own tsconfig for the browser) is linted with the rest: same rules, plus the hooks'
  { ignores: ['dist/', 'node_modules/', '.flotilla/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // a line may run long for a message or a URL, not for code
      'max-len': ['error', {
        code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreTrailingComments: true,
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      // `cond ? a() : b()` and `x && f()` as statements are this codebase's idiom; a lone expression is still an error
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true, allowShortCircuit: true }],
      // a timer declared before the closure that clears it, and set after
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // \x1b and \x00 in a regular expression are meant here (terminal escapes, Go's tabwriter)
      'no-control-regex': 'off',
      // tests match kubectl's column-aligned output, where literal runs of spaces read better than {n}
      'no-regex-spaces': 'off',
    },
  },
  {
    // Preact's hooks follow React's rules: called unconditionally, in the same order. Not exhaustive-deps: the views
    // memoize on a watched list's version counter, a dependency that rule cannot see (it would call it unnecessary).
    files: ['dashboard/src/**/*.ts', 'dashboard/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error' },
  },
  {
    // build scripts run on Node (TypeScript files get their globals from their types)
    files: ['**/*.mjs', 'bin/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
);
