#!/usr/bin/env bash
# `npm test`. Three jobs run side by side, so that two cores stay busy:
#   1. the type-check: tsc --noEmit over every file (scripts/typecheck.js: skipped when its inputs' content
#      key matches the last clean check);
#   2. jest over every test that does not need the package build, on two workers (the critical path);
#   3. the package build (jsii: lib/ and imports/, the API check and the .jsii assembly; skipped when its
#      inputs' content key matches the last build), then jest over test/package/ and test/docs/, which pack
#      and install that build and check the docs against it.
# What is cached and the figures: docs/development.md, "What `npm test` caches". NO_BUILD_CACHE=1 does all
# the work. Each job's log is in build/test-logs/ and printed when all are done, then one closing line.
# Arguments go to both jest runs (`npm test -- -u`).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
logs=build/test-logs
rm -rf "$logs" && mkdir -p "$logs"
start=$SECONDS
PACKAGE_TESTS='/test/(package|docs)/'

# Runs a job, then writes its wall seconds and CPU seconds (user + system, with GNU time when installed) to
# $logs/<name>.time.
timed() {
  local name=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$logs/$name.time" -f '%e %U %S' "$@"
  else
    local t0=$SECONDS; "$@"; local rc=$?; echo "$((SECONDS - t0)) - -" > "$logs/$name.time"; return $rc
  fi
}

# The swc build of build/ (what the tests that start node on build/ load) is brought up to date once here:
# tests on two workers must not write it while others read it. Nothing changed: about 0.1 s.
node scripts/build.js || exit 1

timed typecheck node scripts/typecheck.js > "$logs/1-typecheck.log" 2>&1 & typecheck=$!
timed jest npx jest --maxWorkers=2 --testPathIgnorePatterns="$PACKAGE_TESTS" "$@" > "$logs/2-jest.log" 2>&1 & unit=$!
{
  timed build node scripts/build-package.js > "$logs/3-build-package.log" 2>&1 || exit 1
  timed jest-package npx jest --testPathPatterns="$PACKAGE_TESTS" "$@" > "$logs/4-jest-package.log" 2>&1
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

# One closing line: both jest runs' counts (each prints "jest: N passed, N failed, N skipped") and the seconds
# of the whole run and of each job.
sum() { grep -h '^jest: ' "$logs"/2-jest.log "$logs"/4-jest-package.log 2>/dev/null | awk -v f="$1" '{ s += $f } END { print s + 0 }'; }
secs() { [ -f "$logs/$1.time" ] || { echo 'not run'; return; }; tail -n 1 "$logs/$1.time" | awk '{ printf "%.0f s", $1; if ($2 != "-") printf " (cpu %.0f s)", $2 + $3 }'; }
echo "npm test: $(sum 2) passed, $(sum 4) failed, $(sum 6) skipped in $((SECONDS - start)) s:" \
  "typecheck $(secs typecheck); jest $(secs jest); build:package $(secs build), then jest $(secs jest-package)"
exit "$status"
