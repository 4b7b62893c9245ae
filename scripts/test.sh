#!/usr/bin/env bash
# `npm test`: the type-check (tsc, every file) and the package build (jsii: lib/ and imports/, the API check
# and the .jsii assembly) run side by side, then jest, whose test/package/ tests pack and install that build.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
start=$SECONDS
npm run --silent typecheck & typecheck=$!
npm run --silent build:package > build/package.log 2>&1 & pkg=$!
status=0
wait "$typecheck" || status=$?
if ! wait "$pkg"; then cat build/package.log; status=1; else tail -n 2 build/package.log; fi
[ "$status" -eq 0 ] || exit "$status"
echo "typecheck and build:package: $((SECONDS - start)) s"
npx jest "$@"
