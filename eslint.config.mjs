import nx from '@nx/eslint-plugin';

/**
 * Dependencies flow one way: dataset → model → training / evaluation → cli / viewer.
 * The viewer reads run artifacts and model files; it never imports training code.
 */
const dependencyDirection = [
  { sourceTag: 'scope:dataset', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:model', onlyDependOnLibsWithTags: ['scope:dataset'] },
  { sourceTag: 'scope:training', onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model'] },
  { sourceTag: 'scope:evaluation', onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model'] },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model', 'scope:training', 'scope:evaluation', 'scope:viewer'],
  },
  { sourceTag: 'scope:viewer', onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model', 'scope:evaluation'] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model', 'scope:evaluation'] },
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
];
