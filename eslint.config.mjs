// Root ESLint flat config. Every project's `lint` target runs `eslint --max-warnings=0 {projectRoot}`
// from the workspace root (nx.json targetDefaults), so this one file configures all projects.
//
// Module boundaries (@nx/enforce-module-boundaries). Every project.json carries exactly one tag of
// each dimension; a dependency is allowed only if BOTH dimensions allow it (Nx checks every matching
// constraint). Full explanation, and how to add a project: docs/workspace.md.
//
//   type:app      deployable services and the CLI  -> feature, util, data
//   type:feature  business logic of one part       -> feature, util, data
//   type:util     generic helpers (service-kit)    -> util
//   type:data     contracts / generated types      -> data
//   type:tool     scripts and demos under tools/   -> feature, util, data
//   Nothing may depend on type:app (or type:tool): no constraint lists them as a target.
//
//   scope:shared                                   -> shared
//   scope:memory-bank | clip-mask | seed-refiner | trainer | coordinator | cli -> itself, shared
//   scope:tools                                    -> any scope (the type rule still forbids apps)
//
// Services never import each other's code: they talk through the generated contracts
// (@fmwiss/contracts, scope:shared). Deep imports (@fmwiss/x/src/...) are banned by
// no-restricted-imports; relative imports that leave a project are banned by the Nx rule.
// tools/ci/check-boundaries.sh proves these constraints fire.
import { defineConfig, globalIgnores } from 'eslint/config';
import nxPlugin from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];

/** Scopes of the system parts; each may depend on itself and on scope:shared only. */
const SERVICE_SCOPES = ['memory-bank', 'clip-mask', 'seed-refiner', 'trainer', 'coordinator', 'cli'];

const LIB_TYPES = ['type:feature', 'type:util', 'type:data'];

const NODE_GLOBALS = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout']
    .map((name) => [name, 'readonly']),
);

const depConstraints = [
  // --- type dimension ---
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: LIB_TYPES },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: LIB_TYPES },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:data'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: LIB_TYPES },
  // --- scope dimension ---
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ...SERVICE_SCOPES.map((scope) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
  })),
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:*'] },
];

export default defineConfig(
  globalIgnores([
    '**/node_modules/**',
    '**/dist/**',
    '**/reports/**',
    '**/tmp/**',
    '**/coverage/**',
    '.nx/**',
    // ts-proto output is regenerated from proto/ and checked by tools/proto/check-generated.sh.
    '**/generated/**',
  ]),
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
    plugins: { '@nx': nxPlugin },
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints,
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@fmwiss/*/*'],
              message: 'Import another project only through its entry point (@fmwiss/<name>), never its files.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JS here is configuration (jest.config.js, jest.preset.js) and CI scripts run by Node.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: NODE_GLOBALS,
    },
    rules: { 'no-undef': 'error', 'no-unused-vars': 'error' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    // Library and service code logs through the structured logger (pino via service-kit).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.test.ts', '**/test/**'],
    rules: { 'no-console': 'error' },
  },
  // Last: turn off stylistic rules that would fight the formatter.
  prettier,
);
