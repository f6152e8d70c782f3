#!/usr/bin/env bash
# One-off: creates the boilerplate of a project (package.json, project.json, tsconfigs, jest config).
# Usage: tools/scaffold.sh DIR NAME TAG "dep1 dep2"
set -euo pipefail
dir=$1; name=$2; tag=$3; deps=${4:-}
mkdir -p "$dir/src"
rel=$(realpath --relative-to="$dir" .)
depjson=$(for d in $deps; do printf '"@cvae/%s": "*",' "$d"; done | sed 's/,$//')
cat > "$dir/package.json" <<J
{
  "name": "@cvae/$name",
  "version": "0.1.0",
  "private": true,
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" }, "./package.json": "./package.json" },
  "files": ["dist"],
  "dependencies": { $depjson }
}
J
cat > "$dir/project.json" <<J
{
  "name": "$name",
  "\$schema": "$rel/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": ["$tag"],
  "targets": {
    "build": {
      "executor": "nx:run-commands",
      "outputs": ["{projectRoot}/dist"],
      "options": { "command": "rm -rf {projectRoot}/dist && tsc -p {projectRoot}/tsconfig.lib.json" }
    },
    "test": {
      "executor": "nx:run-commands",
      "options": { "command": "jest -c {projectRoot}/jest.config.js", "cwd": "{workspaceRoot}" }
    },
    "lint": { "executor": "@nx/eslint:lint" }
  }
}
J
cat > "$dir/tsconfig.lib.json" <<J
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "paths": {}, "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/test-utils/**"]
}
J
cat > "$dir/tsconfig.json" <<J
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": { "types": ["node", "jest"], "noEmit": true },
  "include": ["src/**/*.ts"]
}
J
cat > "$dir/jest.config.js" <<J
module.exports = { ...require('$rel/jest.preset.js'), displayName: '$name', rootDir: __dirname };
J
