// Flat config: typescript-eslint's recommended rules over the sources; generated output is ignored.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import rampart from './eslint-rules/folder-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // Each top-level folder of src/ is reached through its index.ts (eslint-rules/folder-boundaries.js).
    files: ['src/**/*.ts'],
    plugins: { rampart },
    rules: {
      'rampart/folder-boundaries': 'error',
      // `import { z }` is zod's whole namespace object as one value: the bundler must keep all of zod
      // (its 40 locales included, 755 KB) where `import * as z` keeps only what is used (170 KB).
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod' (a named z keeps all of zod in the bundle)",
        },
      ],
    },
  },
  {
    files: ['eslint-rules/**/*.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['bin/**/*.js', 'bin/**/*.cjs'],
    // CommonJS on purpose (bin/package.json): V8's code cache takes scripts, not ES modules, and Node's ES
    // module loader costs every start about 10 ms.
    languageOptions: { sourceType: 'commonjs', globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', __filename: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
