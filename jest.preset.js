// Shared jest settings: ts-jest transpiles without type-checking (isolatedModules in tsconfig.spec.json;
// the build type-checks),
// and @cvae/* imports resolve to sources so tests never need a build first.
const path = require('path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@cvae/(dataset|model|training|evaluation)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
