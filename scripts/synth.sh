#!/bin/sh
# `npm run synth`: scripts/synth.js, started from the V8 start-up snapshot of its modules when one has been built
# (scripts/snapshot.js; node_modules/.cache/synth-snapshot). Node exits with 14 when it cannot use a blob (built by
# another node binary, or with other V8 flags): then the normal start runs. CDK8S_SYNTH_SNAPSHOT=0 turns it off.
blob=node_modules/.cache/synth-snapshot/synth.blob
if [ "${CDK8S_SYNTH_SNAPSHOT:-1}" != 0 ] && [ -f "$blob" ]; then
  node --snapshot-blob "$blob" scripts/synth.js "$@"
  rc=$?
  [ "$rc" -ne 14 ] && exit "$rc"
fi
exec node --require ./scripts/compile-cache.js scripts/synth.js "$@"
