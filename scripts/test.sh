#!/usr/bin/env bash
# `npm test`. Three jobs run side by side, so that two cores stay busy:
#   1. the package build (jsii: lib/ and imports/, the API check and the .jsii assembly; skipped when its
#      inputs' content key matches the last build), then jest over the test files that need it (PACKAGE_TESTS:
#      those that call ensurePackageBuilt: the consumer app, API.md, the assembly). This chain is the critical
#      path: it runs at normal priority;
#   2. jest over every other test on two workers, at a lower priority (nice), so that it fills the cores the
#      chain leaves idle instead of slowing it down;
#   3. the type-check: tsc --noEmit over every file (scripts/typecheck.js: skipped when its inputs' content
#      key matches the last clean check), also at a lower priority.
# What is cached and the figures: docs/development.md, "What `npm test` caches". NO_BUILD_CACHE=1 does all
# the work. Each job's log is in build/test-logs/ and printed when all are done, then one closing line with
# the jobs that failed (`FAILED (typecheck)`: a type error leaves the jest counts green), the counts, each
# job's seconds and what the tests left in their temporary folders (test/support/tmp-run.js).
# Arguments go to both jest runs (`npm test -- -u`).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
logs=build/test-logs
rm -rf "$logs" && mkdir -p "$logs"
start=$SECONDS
# The test files that need the package build (they call ensurePackageBuilt, test/package/build.ts): job 1.
PACKAGE_TESTS=$(grep -rl --include='*.test.ts' 'ensurePackageBuilt' test | sort | sed 's/\./\\./g; s/^/\//; s/$/$/' | paste -sd'|')
# None (a pattern no path matches; the package job's jest passes with no tests): every test runs in job 2.
PACKAGE_TESTS=${PACKAGE_TESTS:-'^$'}
# The lower priority of jobs 2 and 3 (nice); NPM_TEST_NICE=0 runs all at the same priority.
NICE=${NPM_TEST_NICE:-10}

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

# jest is started with node on its bin script: `npx jest` costs 0.7 s of CPU more per start.
{
  timed build node scripts/build-package.js > "$logs/3-build-package.log" 2>&1 || exit 1
  timed jest-package node node_modules/jest/bin/jest.js --passWithNoTests --testPathPatterns="$PACKAGE_TESTS" "$@" > "$logs/4-jest-package.log" 2>&1
} & package=$!
timed typecheck nice -n "$NICE" node scripts/typecheck.js > "$logs/1-typecheck.log" 2>&1 & typecheck=$!
# The swc build of build/ (what the tests that start node on build/ load) is brought up to date once, before
# the unit tests: tests on two workers must not write it while others read it. Nothing changed: about 0.1 s;
# on a clean clone a few seconds, beside the package build (neither it nor its tests read build/).
{
  nice -n "$NICE" node scripts/build.js > "$logs/0-build.log" 2>&1 || { cat "$logs/0-build.log"; echo "npm test: scripts/build.js FAILED"; exit 1; }
  # --no-opt (V8 without its optimizing compiler, TurboFan; jest's workers inherit the flag): each test file
  # runs its code in a new context for well under a second, too short for optimized code to repay its
  # compile; the unit tests take about 10% less CPU (quiet, warm: 49 s instead of 55 s).
  timed jest nice -n "$NICE" node --no-opt node_modules/jest/bin/jest.js --maxWorkers=2 --testPathIgnorePatterns="$PACKAGE_TESTS" "$@" > "$logs/2-jest.log" 2>&1
} & unit=$!

status=0
failed=()
wait "$typecheck" || { status=1; failed+=(typecheck); echo "typecheck FAILED"; }
wait "$unit" || { status=1; failed+=("unit tests"); }
wait "$package" || { status=1; failed+=("package build or tests"); }

[ -s "$logs/1-typecheck.log" ] && cat "$logs/1-typecheck.log"
if [ ! -f "$logs/4-jest-package.log" ]; then   # the build failed: all of it
  cat "$logs/3-build-package.log"
  echo "build:package FAILED: the tests that need it did not run: ${PACKAGE_TESTS//\\/}"
else
  tail -n 2 "$logs/3-build-package.log"
fi
cat "$logs/2-jest.log"
[ -f "$logs/4-jest-package.log" ] && cat "$logs/4-jest-package.log"

# One closing line: the failed jobs, both jest runs' counts (each prints "jest: N passed, N failed, N skipped"), the seconds
# of the whole run and of each job, and the temporary-folder report of both jest runs ("tmp: ...").
sum() { grep -h '^jest: ' "$logs"/2-jest.log "$logs"/4-jest-package.log 2>/dev/null | awk -v f="$1" '{ s += $f } END { print s + 0 }'; }
secs() { [ -f "$logs/$1.time" ] || { echo 'not run'; return; }; tail -n 1 "$logs/$1.time" | awk '{ printf "%.0f s", $1; if ($2 != "-") printf " (cpu %.0f s)", $2 + $3 }'; }
leaks() {
  local lines; lines=$(grep -h '^tmp: ' "$logs"/2-jest.log "$logs"/4-jest-package.log 2>/dev/null)
  if [ -z "$lines" ]; then echo 'tmp: not reported'; elif grep -q LEAKED <<< "$lines"; then grep LEAKED <<< "$lines" | tr '\n' ' '; else echo 'tmp: no leaks'; fi
}
verdict=''; [ ${#failed[@]} -gt 0 ] && verdict="FAILED ($(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')); "
echo "npm test: ${verdict}$(sum 2) passed, $(sum 4) failed, $(sum 6) skipped in $((SECONDS - start)) s:" \
  "build:package $(secs build), then jest $(secs jest-package); jest $(secs jest); typecheck $(secs typecheck); $(leaks)"
exit "$status"
