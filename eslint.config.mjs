import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';

/**
 * Dependencies flow one way (each project may import only the projects listed for its tag):
 *
 *   dataset   formats   images   tfjs-kernels      (leaves; no @cvae imports)
 *        \        |        |       /
 *                 model
 *                   |
 *               replicas
 *               /        \
 *              /      classifier
 *             /          |
 *        training       evaluation
 *               \        /      \
 *                  cli  ←  viewer      e2e
 *
 * The viewer reads artifacts through @cvae/formats and accepts goldens through @cvae/evaluation;
 * it never imports training code.
 */
const LEAVES = ['scope:dataset', 'scope:formats', 'scope:images', 'scope:kernels'];
/** Browser code rendering reports; it may import only @cvae/formats' types. */
const REPORT_UI = 'scope:report-ui';
const dependencyDirection = [
  ...LEAVES.map((sourceTag) => ({ sourceTag, onlyDependOnLibsWithTags: [] })),
  { sourceTag: REPORT_UI, onlyDependOnLibsWithTags: ['scope:formats'] },
  { sourceTag: 'scope:model', onlyDependOnLibsWithTags: LEAVES },
  { sourceTag: 'scope:replicas', onlyDependOnLibsWithTags: [...LEAVES, 'scope:model'] },
  { sourceTag: 'scope:training', onlyDependOnLibsWithTags: [...LEAVES, 'scope:model', 'scope:replicas'] },
  { sourceTag: 'scope:classifier', onlyDependOnLibsWithTags: [...LEAVES, 'scope:model', 'scope:replicas'] },
  { sourceTag: 'scope:evaluation', onlyDependOnLibsWithTags: [...LEAVES, REPORT_UI, 'scope:model', 'scope:replicas', 'scope:classifier'] },
  { sourceTag: 'scope:viewer', onlyDependOnLibsWithTags: ['scope:formats', 'scope:images', REPORT_UI, 'scope:evaluation'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: [...LEAVES, REPORT_UI, 'scope:model', 'scope:replicas', 'scope:training', 'scope:classifier', 'scope:evaluation', 'scope:viewer'] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: [...LEAVES, REPORT_UI, 'scope:model', 'scope:evaluation', 'scope:viewer'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', 'tmp', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: dependencyDirection },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Every package.json lists what its code imports, and nothing it does not (tests and build scripts aside).
    files: ['**/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          // tsx is the TypeScript loader replica workers use when running from sources (tests); built code never loads it.
          // @cvae/report-ui is read as files (its built bundle, inlined into static reports), never imported.
          ignoredDependencies: ['tsx', '@cvae/report-ui'],
          ignoredFiles: ['{projectRoot}/**/*.spec.ts', '{projectRoot}/src/**/test-utils/**', '{projectRoot}/src/bench/**', '{projectRoot}/*.js', '{projectRoot}/*.config.ts'],
        },
      ],
    },
  },
];
