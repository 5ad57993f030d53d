#!/usr/bin/env bash
# Generates the TypeScript contracts from proto/ with ts-proto (outputServices=grpc-js) into
# libs/contracts/src/generated, plus the binary descriptor set that server reflection serves.
# The output folder is wiped first: generated code is never edited by hand.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

out=libs/contracts/src/generated
protoc=node_modules/.bin/protoc
plugin=node_modules/.bin/protoc-gen-ts_proto
[ -x "$protoc" ] && [ -x "$plugin" ] || { echo "protoc or ts-proto missing: run npm ci first" >&2; exit 1; }

mapfile -t protos < <(cd proto && find fmwiss -name '*.proto' | LC_ALL=C sort)
rm -rf "$out"
mkdir -p "$out"

"$protoc" \
  -I proto -I node_modules/protoc/include \
  --plugin=protoc-gen-ts_proto="$plugin" \
  --ts_proto_out="$out" \
  --ts_proto_opt=outputServices=grpc-js,env=node,esModuleInterop=true,oneof=unions,useOptionals=none,useDate=true,forceLong=number,exportCommonSymbols=false \
  "${protos[@]}"

descriptor=$(mktemp)
trap 'rm -f "$descriptor"' EXIT
"$protoc" -I proto -I node_modules/protoc/include \
  --include_imports --include_source_info \
  --descriptor_set_out="$descriptor" \
  "${protos[@]}"
node tools/proto/write-descriptor-module.mjs "$descriptor" "$out/descriptor-set.ts"

echo "generated $(find "$out" -name '*.ts' | wc -l) files in $out from ${#protos[@]} proto files"
