// Shared jest settings: ts-jest transpiles without type-checking (isolatedModules in tsconfig.spec.json;
// the build type-checks), and @cvae/<package> imports resolve to packages/<package>/src, as in
// tsconfig.base.json's one "paths" entry, so tests never need a build first.
const path = require('path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@cvae/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
