#!/usr/bin/env bash
# Proves that the module-boundary rules in eslint.config.mjs really constrain (docs/workspace.md).
#
# Works on a throw-away copy of the workspace (node_modules linked, not copied), so the real tree is
# never touched and agents linting it meanwhile never see the probes; the copy is always removed (trap).
#   1. every project carries exactly one known type: tag and one known scope: tag;
#   2. the clean tree has no @nx/enforce-module-boundaries (or deep-import) errors;
#   3. forbidden imports written into probe files (__boundary_probe__.ts) and fake probe projects are
#      reported, each with the expected rule and message; allowed imports are not.
# Offline, no Nx daemon, no cloud; a fresh project graph is computed for each pass because the ESLint
# rule reads Nx's cached graph (.nx/workspace-data) and silently skips itself when there is none.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true NX_TUI=false NX_INTERACTIVE=false CI=true
# Graph caching must stay ON: it is how the ESLint rule gets the graph. Staleness is avoided by
# deleting the copy's .nx/ before each computation instead.
unset NX_CACHE_PROJECT_GRAPH

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fmwiss-boundaries.XXXXXX")"
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the copy -----------------------------------------------------------------------------------
tar -C "$ROOT" \
  --exclude=./.git --exclude=./.nx --exclude=node_modules --exclude=./dist --exclude=./reports \
  --exclude=./tmp --exclude=./coverage --exclude='__boundary_probe*' --exclude='__probe_*' \
  -cf - . | tar -C "$WORK" -xf -
# node_modules: link each entry to the real one, except @fmwiss/*, whose (relative) workspace links
# must point into the copy.
mkdir "$WORK/node_modules" "$WORK/node_modules/@fmwiss"
for entry in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin "$ROOT"/node_modules/.package-lock.json; do
  [ -e "$entry" ] || continue
  name="$(basename "$entry")"
  [ "$name" = "@fmwiss" ] || ln -s "$entry" "$WORK/node_modules/$name"
done
for link in "$ROOT"/node_modules/@fmwiss/*; do
  [ -L "$link" ] && cp -P "$link" "$WORK/node_modules/@fmwiss/"
done
cd "$WORK"

NX="$WORK/node_modules/.bin/nx"
ESLINT="$WORK/node_modules/.bin/eslint"
LINT_DIRS=(apps libs tools)

fresh_graph() {
  rm -rf .nx
  "$NX" show projects --json > "$WORK/.projects.json"
  [ -s .nx/workspace-data/project-graph.json ] || { echo "check-boundaries: Nx wrote no project graph" >&2; exit 1; }
}

# ESLint JSON report of the given paths -> "file<TAB>line<TAB>ruleId<TAB>message" for the boundary rules only.
boundary_errors() {
  "$ESLINT" --no-warn-ignored --format json "$@" > "$WORK/.eslint.json" 2> "$WORK/.eslint.err" || true
  if grep -q "No cached ProjectGraph" "$WORK/.eslint.json" "$WORK/.eslint.err"; then
    echo "check-boundaries: the Nx rule found no project graph and skipped itself" >&2
    exit 1
  fi
  node -e '
    const fs = require("node:fs");
    const raw = fs.readFileSync(process.argv[1], "utf8");
    let results;
    try { results = JSON.parse(raw.slice(raw.indexOf("["))); }
    catch { console.error("check-boundaries: eslint produced no JSON:\n" + raw + fs.readFileSync(process.argv[2], "utf8")); process.exit(2); }
    for (const r of results) for (const m of r.messages) {
      const file = r.filePath.replace(process.cwd() + "/", "");
      if (m.fatal) console.log([file, m.line, "fatal", m.message].join("\t"));
      else if (m.ruleId === "@nx/enforce-module-boundaries" || m.ruleId === "no-restricted-imports")
        console.log([file, m.line, m.ruleId, m.message.split("\n")[0]].join("\t"));
    }' "$WORK/.eslint.json" "$WORK/.eslint.err"
}

failures=0
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "  ok:   $*"; }

# --- 1. tags ------------------------------------------------------------------------------------
echo "check-boundaries: tags"
fresh_graph
TYPES="app feature util data tool"
SCOPES="shared memory-bank clip-mask seed-refiner trainer coordinator cli tools"
# name<TAB>tags, from the graph Nx just computed
while IFS=$'\t' read -r project tags; do
  types=0; scopes=0
  for tag in $tags; do
    case "$tag" in
      type:*) types=$((types + 1)); [[ " $TYPES " == *" ${tag#type:} "* ]] || fail "$project: unknown tag $tag" ;;
      scope:*) scopes=$((scopes + 1)); [[ " $SCOPES " == *" ${tag#scope:} "* ]] || fail "$project: unknown tag $tag" ;;
    esac
  done
  if [ "$types" -eq 1 ] && [ "$scopes" -eq 1 ]; then ok "$project: $tags"; else fail "$project needs exactly one type: and one scope: tag (has: ${tags:-none})"; fi
done < <(node -e '
  const g = JSON.parse(require("fs").readFileSync(".nx/workspace-data/project-graph.json", "utf8"));
  for (const [name, node] of Object.entries(g.nodes)) console.log(name + "\t" + (node.data.tags || []).filter((t) => /^(type|scope):/.test(t)).join(" "));')

# --- 2. the clean tree --------------------------------------------------------------------------
echo "check-boundaries: clean tree"
clean="$(boundary_errors "${LINT_DIRS[@]}")"
if [ -z "$clean" ]; then ok "no boundary errors in ${LINT_DIRS[*]}"; else fail "boundary errors in the clean tree:"; echo "$clean" | sed 's/^/        /'; fi

# --- 3. probes ----------------------------------------------------------------------------------
echo "check-boundaries: probes"
# Fake projects that import nothing, so no probe can close a dependency cycle (a cycle would be
# reported as noCircularDependencies instead of the constraint under test).
fake_project() { # dir name type projectType scope
  mkdir -p "$1/src"
  printf '{ "name": "%s", "projectType": "%s", "sourceRoot": "%s/src", "tags": ["type:%s", "scope:%s"] }\n' \
    "$2" "$4" "$1" "$3" "$5" > "$1/project.json"
  printf '{ "name": "@fmwiss/%s", "version": "0.0.0", "private": true, "main": "./src/index.ts" }\n' "$2" > "$1/package.json"
  echo "export const probe = '$2';" > "$1/src/index.ts"
  ln -s "../../$1" "node_modules/@fmwiss/$2"
}
fake_project apps/__probe_app__             __probe_app__            app     application clip-mask
fake_project libs/__probe_feature__         __probe_feature__        feature library     shared
fake_project libs/__probe_util__            __probe_util__           util    library     shared
fake_project libs/__probe_clip_mask__       __probe_clip_mask__      feature library     clip-mask
fake_project libs/__probe_memory_bank_util__ __probe_memory_bank_util__ util library     memory-bank

mkdir -p apps/memory-bank/src libs/memory-archive/src libs/service-kit/src libs/contracts/src tools/memory-bank-demo/src
# Each probe line: the import, then (after "; // ") the expected "ruleId: message fragment", or
# "allowed"; one import per line, and each line must get exactly the one report it expects.
cat > libs/memory-archive/src/__boundary_probe__.ts <<'EOF'
import '@fmwiss/__probe_app__'; // @nx/enforce-module-boundaries: Imports of apps are forbidden
EOF
cat > apps/memory-bank/src/__boundary_probe__.ts <<'EOF'
import '@fmwiss/__probe_app__'; // @nx/enforce-module-boundaries: Imports of apps are forbidden
import '@fmwiss/__probe_clip_mask__'; // @nx/enforce-module-boundaries: A project tagged with "scope:memory-bank" can only depend on libs tagged with "scope:memory-bank", "scope:shared"
import '@fmwiss/contracts/src/index'; // no-restricted-imports: only through its entry point
import '../../../libs/contracts/src/index'; // @nx/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path
import '../../../tools/ci/jest-paths.cjs'; // @nx/enforce-module-boundaries: External resources cannot be imported using a relative or absolute path
EOF
cat > libs/service-kit/src/__boundary_probe__.ts <<'EOF'
import '@fmwiss/__probe_feature__'; // @nx/enforce-module-boundaries: A project tagged with "type:util" can only depend on libs tagged with "type:util"
import '@fmwiss/__probe_memory_bank_util__'; // @nx/enforce-module-boundaries: A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"
EOF
cat > libs/contracts/src/__boundary_probe__.ts <<'EOF'
import '@fmwiss/__probe_util__'; // @nx/enforce-module-boundaries: A project tagged with "type:data" can only depend on libs tagged with "type:data"
EOF
cat > tools/memory-bank-demo/src/__boundary_probe__.ts <<'EOF'
import '@fmwiss/memory-bank'; // @nx/enforce-module-boundaries: Imports of apps are forbidden
import '@fmwiss/__probe_clip_mask__'; // allowed: a tool may use any scope's libraries
EOF
# Allowed imports: must produce no boundary error.
cat > apps/memory-bank/src/__boundary_probe_allowed__.ts <<'EOF'
import '@fmwiss/contracts'; // allowed
import '@fmwiss/service-kit'; // allowed
import '@fmwiss/memory-archive'; // allowed
EOF
cat > libs/__probe_util__/src/__boundary_probe_allowed__.ts <<'EOF'
import '@fmwiss/service-kit'; // allowed: util -> util, shared -> shared
EOF
PROBES=(
  libs/memory-archive/src/__boundary_probe__.ts apps/memory-bank/src/__boundary_probe__.ts
  libs/service-kit/src/__boundary_probe__.ts libs/contracts/src/__boundary_probe__.ts
  tools/memory-bank-demo/src/__boundary_probe__.ts apps/memory-bank/src/__boundary_probe_allowed__.ts
  libs/__probe_util__/src/__boundary_probe_allowed__.ts
)
# The fake projects need path aliases like the real ones (tsconfig.base.json is the copy's).
node -e '
  const fs = require("fs"); const t = JSON.parse(fs.readFileSync("tsconfig.base.json", "utf8"));
  for (const d of ["apps/__probe_app__","libs/__probe_feature__","libs/__probe_util__","libs/__probe_clip_mask__","libs/__probe_memory_bank_util__"])
    t.compilerOptions.paths["@fmwiss/" + d.split("/")[1]] = ["./" + d + "/src/index.ts"];
  fs.writeFileSync("tsconfig.base.json", JSON.stringify(t, null, 2));'

fresh_graph
# Check that the fake projects are in the graph, so a probe that passes cannot be a probe that was ignored.
for p in __probe_app__ __probe_feature__ __probe_util__ __probe_clip_mask__ __probe_memory_bank_util__; do
  grep -q "\"$p\"" "$WORK/.projects.json" || fail "fake project $p is missing from the Nx graph"
done

reported="$(boundary_errors "${PROBES[@]}" | sort)"
for probe in "${PROBES[@]}"; do
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    import="${line%%; //*};"
    expect="${line#*; // }"
    got="$(awk -F'\t' -v f="$probe" -v n="$n" '$1 == f && $2 == n { print $3 ": " $4 }' <<< "$reported")"
    if [[ "$expect" == allowed* ]]; then
      if [ -z "$got" ]; then ok "$probe:$n $import allowed"; else fail "$probe:$n $import must be allowed; got: $got"; fi
      continue
    fi
    rule="${expect%%: *}"; fragment="${expect#*: }"
    if [ "$(wc -l <<< "$got")" -eq 1 ] && [[ "$got" == "$rule: "*"$fragment"* ]]; then
      ok "$probe:$n $import -> $rule"
    else
      fail "$probe:$n $import: expected exactly one $rule \"$fragment\"; got: ${got:-nothing}"
    fi
  done < "$probe"
done

if [ "$failures" -gt 0 ]; then
  echo "check-boundaries: $failures check(s) failed"
  exit 1
fi
echo "check-boundaries: all boundary checks passed"
