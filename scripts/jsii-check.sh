#!/usr/bin/env bash
# `npm run check:jsii`: compiles the public API (lib/ and imports/) with jsii, the compiler that publishes
# TypeScript libraries for Python, Java, .NET and Go. It fails on what those languages cannot express: union
# types, generics, setXxx methods, optional parameters before required ones, classes extending Error, ...
# It runs in a scratch copy, because jsii writes its own tsconfig.json and .jsii assembly into the project.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/lib" "$root/imports" "$root/README.md" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
node -e '
const pkg = require(process.argv[1]);
const out = {
  name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
  author: { name: "cdk8s-gpu-platform developers", roles: ["author"] },
  repository: { type: "git", url: "https://github.com/example/cdk8s-gpu-platform.git" },
  main: "lib/index.js", types: "lib/index.d.ts",
  peerDependencies: pkg.peerDependencies,
  devDependencies: Object.fromEntries(Object.keys(pkg.peerDependencies).map((d) => [d, pkg.devDependencies[d]])),
  jsii: {
    outdir: "dist", targets: { python: { distName: "cdk8s-gpu-platform", module: "cdk8s_gpu_platform" } }, tsc: { outDir: ".", rootDir: "." },
    // lib/validation (the validator, entry `cdk8s-gpu-platform/validation`) is plain TypeScript on Ajv: not jsii.
    excludeTypescript: (pkg.jsii && pkg.jsii.excludeTypescript) || [],
  },
};
process.stdout.write(JSON.stringify(out, null, 2));
' "$root/package.json" > "$work/package.json"
cd "$work"
# reserved-word: the generated CRD imports use field names such as `from` and `namespace` (jsii renames them).
# metadata/missing-dev-dependency: peer ranges are wider than the pinned dev versions on purpose.
"$root/node_modules/.bin/jsii" --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency
echo "jsii: the public API compiles for all jsii languages"
