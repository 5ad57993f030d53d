#!/usr/bin/env bash
# CI check: regenerating the contracts from proto/ must change nothing in the committed tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash tools/proto/generate.sh >/dev/null
changes=$(git status --porcelain -- libs/contracts/src/generated libs/onnx-format/src/generated)
if [ -n "$changes" ]; then
  echo "generated contracts are out of date with proto/ (run: npm run gen:proto, then commit):" >&2
  echo "$changes" >&2
  exit 1
fi
echo "generated contracts match proto/"
