#!/usr/bin/env bash
# Generates TypeScript from proto/ with ts-proto. Two sets, each into a fixed folder that is wiped
# first (generated code is never edited by hand):
#   - the gRPC contracts (proto/fmwiss, proto/inference) -> libs/contracts/src/generated, with
#     outputServices=grpc-js, plus the binary descriptor set that server reflection serves;
#   - the ONNX model format (proto/onnx) -> libs/onnx-format/src/generated, messages only.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

protoc=node_modules/.bin/protoc
plugin=node_modules/.bin/protoc-gen-ts_proto
[ -x "$protoc" ] && [ -x "$plugin" ] || { echo "protoc or ts-proto missing: run npm ci first" >&2; exit 1; }

# protos_under DIR...: the .proto files under the given folders of proto/, sorted.
protos_under() {
  (cd proto && for dir in "$@"; do [ -d "$dir" ] && find "$dir" -name '*.proto'; done | LC_ALL=C sort)
}

# --- gRPC contracts -------------------------------------------------------------------------------
out=libs/contracts/src/generated
mapfile -t protos < <(protos_under fmwiss inference)
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

# --- ONNX model format ----------------------------------------------------------------------------
onnx_out=libs/onnx-format/src/generated
mapfile -t onnx_protos < <(protos_under onnx)
rm -rf "$onnx_out"
if [ ${#onnx_protos[@]} -gt 0 ]; then
  mkdir -p "$onnx_out"
  "$protoc" \
    -I proto \
    --plugin=protoc-gen-ts_proto="$plugin" \
    --ts_proto_out="$onnx_out" \
    --ts_proto_opt=outputServices=false,env=node,esModuleInterop=true,useOptionals=none,forceLong=number,exportCommonSymbols=false \
    "${onnx_protos[@]}"
  echo "generated $(find "$onnx_out" -name '*.ts' | wc -l) files in $onnx_out from ${#onnx_protos[@]} proto files"
fi
