#!/usr/bin/env bash
# Regenerates imports/ from the upstream CRD copies in ../shared/crds (same files cdk8s.yaml names upstream).
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
rm -rf imports
grep -E '^  - [a-z]+:=' cdk8s.yaml | sed -E 's/^  - ([a-z]+):=.*\/([^/]+\.yaml)$/\1 \2/' | while read -r prefix file; do
  src=$(find "$crds" -name "$file" | head -1)
  [ -n "$src" ] || { echo "missing $file under $crds" >&2; exit 1; }
  npx cdk8s import --no-check-upgrade --language typescript --output imports "$prefix:=$src" >/dev/null
  echo "imports/$prefix <- $src"
done
