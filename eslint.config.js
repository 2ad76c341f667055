import eslint from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.dist-*/**',
      '**/node_modules/**',
      '.tools/**',
      'coverage/**',
      '.test-results/**',
    ],
  },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    // Library packages never read ambient globals: env, clock, home dir and fetch are options
    // whose defaults are resolved in one `runtime.ts` per package (see docs/architecture.md).
    files: ['packages/{model-catalog,auth-profiles,failover}/src/**/*.ts'],
    ignores: ['**/runtime.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Take env/paths as options; defaults live in runtime.ts.' },
        { name: 'fetch', message: 'Take fetch as an option; the default lives in runtime.ts.' },
        { name: 'console', message: 'Report through a logger/warn option, never the console.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take a now() option (runtime.ts default).' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'node:os', message: 'Take homeDir as an option (runtime.ts default).' }],
        },
      ],
    },
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
)
