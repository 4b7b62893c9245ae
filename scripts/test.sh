#!/usr/bin/env bash
# `npm test`. Three jobs run side by side, so that two cores stay busy:
#   1. the type-check: tsc --noEmit over every file;
#   2. jest over every test that does not need the package build;
#   3. the package build (jsii: lib/ and imports/, the API check and the .jsii assembly), then jest over
#      test/package/ and test/docs/, which pack and install that build and check the docs against it.
# Each job's output is printed when all are done, then one closing line with the test counts of both jest runs.
# Arguments go to both jest runs (`npm test -- -u`).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
logs=build/test-logs
rm -rf "$logs" && mkdir -p "$logs"
start=$SECONDS
PACKAGE_TESTS='/test/(package|docs)/'

npm run --silent typecheck > "$logs/1-typecheck.log" 2>&1 & typecheck=$!
npx jest --testPathIgnorePatterns="$PACKAGE_TESTS" "$@" > "$logs/2-jest.log" 2>&1 & unit=$!
{
  npm run --silent build:package > "$logs/3-build-package.log" 2>&1 || exit 1
  npx jest --testPathPatterns="$PACKAGE_TESTS" "$@" > "$logs/4-jest-package.log" 2>&1
} & package=$!

status=0
wait "$typecheck" || { status=1; echo "typecheck FAILED"; }
wait "$unit" || status=1
wait "$package" || status=1

[ -s "$logs/1-typecheck.log" ] && cat "$logs/1-typecheck.log"
if [ ! -f "$logs/4-jest-package.log" ]; then   # the build failed: all of it
  cat "$logs/3-build-package.log"
  echo "build:package FAILED: test/package/ and test/docs/ did not run"
else
  tail -n 2 "$logs/3-build-package.log"
fi
cat "$logs/2-jest.log"
[ -f "$logs/4-jest-package.log" ] && cat "$logs/4-jest-package.log"

# One closing line for both jest runs (each prints "jest: N passed, N failed, N skipped").
sum() { grep -h '^jest: ' "$logs"/2-jest.log "$logs"/4-jest-package.log 2>/dev/null | awk -v f="$1" '{ s += $f } END { print s + 0 }'; }
echo "npm test: $((SECONDS - start)) s"
echo "tests: $(sum 2) passed, $(sum 4) failed, $(sum 6) skipped"
exit "$status"
