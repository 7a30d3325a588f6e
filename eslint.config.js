// npm test lints first (scripts/test.sh). Rules that catch real bugs, fast enough to run on every test: no type-aware
// rules (they would type-check the whole tree a second time, after tsc has done it in the build).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.flotilla/', 'dashboard/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
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
);
