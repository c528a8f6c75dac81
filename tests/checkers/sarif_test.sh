#!/usr/bin/env bash
# tools/tidy-to-sarif on real clang-tidy output:
#   - the team-expand fixture yields two results whose rule ids, levels and line/column match
#     clang-tidy's own text output;
#   - a planted source under a scratch root (a parity finding after a non-ASCII comment, a stock
#     check's fix-it, a stock check's notes, a GCC-only flag under -Werror, and a second
#     translation unit that does not compile) becomes SARIF that validates against the official
#     2.1.0 schema (tests/checkers/schema/) with format checking, and maps onto the root:
#     relative URIs under %SRCROOT%, code-point columns, fixes, related locations, rule metadata
#     from docs/checks, absolute help URIs from --help-base, the driver's version; the flag
#     noise is gone and the compile error is a notification, not a result;
#   - --format github prints one annotation per finding; --help works.
#   sarif_test.sh SOURCE_DIR PLUGIN
set -euo pipefail
src=$(realpath "$1") plugin=$(realpath "$2")
tidy=/usr/lib/llvm-19/bin/clang-tidy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$src/tools/tidy-to-sarif" --help >"$work/help" || fail "tidy-to-sarif --help exited $?"
grep -q -- "--help-base" "$work/help" || fail "tidy-to-sarif --help does not describe --help-base"

# The checks name nothing by default: the fixtures' configuration names this project's classes.
config="$src/tests/checkers/fixtures/tidy-config.yaml"
fixture="$src/tests/checkers/fixtures/team_expand_incident.cpp"
"$tidy" --load="$plugin" --quiet --config-file="$config" --checks='-*,parity-*' --warnings-as-errors='parity-*' \
  --export-fixes="$work/fixes.yaml" "$fixture" -- -std=c++20 >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 1 ] || fail "clang-tidy exited $rc on the fixture, want 1 (its findings are errors)"
"$src/tools/tidy-to-sarif" --root "$src" "$work/fixes.yaml" > "$work/out.sarif"
/usr/bin/python3 - "$work/out.sarif" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
assert sarif["version"] == "2.1.0", sarif["version"]
results = sorted(sarif["runs"][0]["results"], key=lambda r: r["locations"][0]["physicalLocation"]["region"]["startColumn"])
got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
        r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in results]
want = [("parity-bespoke-dispatch", "error", 7, 3), ("parity-direct-backend-call", "error", 7, 37)]
assert got == want, f"got {got}, want {want}"
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
assert uris == {"tests/checkers/fixtures/team_expand_incident.cpp"}, uris
rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
assert rules == ["parity-bespoke-dispatch", "parity-direct-backend-call"], rules
print("ok: the team-expand fixture:", len(results), "results at clang-tidy's lines and columns")
PY

# The planted root: one TU with findings, one that does not compile.
root="$work/root"
mkdir -p "$root/src"
cat >"$root/src/planted.cpp" <<'EOF'
#include "backend.h"
namespace ws {
void stopChild(WorkspaceService& h, const std::string& c) { /* café */ (void)h.provisioner->stop(c); }
int* nothing() { return 0; }
void g(int a);
void g(int b) { (void)b; }
}  // namespace ws
EOF
printf 'int ok;\nthis is not C++;\n' >"$root/src/broken.cpp"
checks='-*,parity-direct-backend-call,modernize-use-nullptr,readability-inconsistent-declaration-parameter-name,clang-diagnostic-*'
for tu in planted broken; do
  (cd "$root" && "$tidy" --load="$plugin" --quiet --config-file="$config" --checks="$checks" --export-fixes="$work/$tu.yaml" "src/$tu.cpp" -- \
    -std=c++20 -I"$src/tests/checkers/fixtures" -Wshadow=local -Werror >"$work/$tu.log" 2>&1) || true
done
grep -q "clang-diagnostic-unknown-warning-option" "$work/planted.yaml" ||
  fail "the GCC-only flag left no clang diagnostic to drop (the test would prove nothing)"
help_base="https://example.org/parity/docs/checks/"
# planted.yaml twice: a header's finding arrives once per translation unit; it is exported once.
"$src/tools/tidy-to-sarif" --root "$root" --help-base "$help_base" \
  "$work/planted.yaml" "$work/planted.yaml" "$work/broken.yaml" > "$work/planted.sarif"
version=$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
/usr/bin/python3 - "$work/planted.sarif" "$src/tests/checkers/schema/sarif-schema-2.1.0.json" "$root" "$help_base" \
  "$version" "$src/docs/checks/parity-direct-backend-call.md" <<'PY'
import copy, json, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore", DeprecationWarning)
from jsonschema import Draft202012Validator
path, schema_path, root, help_base, version, doc = sys.argv[1:]
sarif, schema = json.load(open(path)), json.load(open(schema_path))
checker = Draft202012Validator.FORMAT_CHECKER
for fmt in ("uri", "uri-reference"):  # the formats SARIF uses; rfc3987 provides them
    assert fmt in checker.checkers, f"format checker lacks {fmt!r}: is python3-rfc3987 installed?"
validator = Draft202012Validator(schema, format_checker=checker)
errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(sarif)]
assert not errors, "schema violations:\n" + "\n".join(errors)
# The validator bites: a relative help URI (what the old converter wrote) fails format checking.
bad = copy.deepcopy(sarif)
bad["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/checks/x.md"
assert any("is not a 'uri'" in e.message for e in validator.iter_errors(bad)), "a relative helpUri passed"
print("ok: valid SARIF 2.1.0 (schema with uri/uri-reference format checking)")

run = sarif["runs"][0]
assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(root).resolve().as_uri() + "/", run["originalUriBaseIds"]
assert run["columnKind"] == "unicodeCodePoints"
by_rule = {}
for r in run["results"]:
    assert r["ruleId"] not in by_rule, f"{r['ruleId']} exported twice"
    by_rule[r["ruleId"]] = r
assert sorted(by_rule) == ["modernize-use-nullptr", "parity-direct-backend-call",
                           "readability-inconsistent-declaration-parameter-name"], sorted(by_rule)

def where(loc):
    p = loc["physicalLocation"]
    return p["artifactLocation"]["uri"], p["artifactLocation"].get("uriBaseId"), p["region"]["startLine"], p["region"]["startColumn"]

# clang says 3:94 (bytes); "é" is two bytes, one code point.
assert where(by_rule["parity-direct-backend-call"]["locations"][0]) == ("src/planted.cpp", "%SRCROOT%", 3, 93)
fix = by_rule["modernize-use-nullptr"]["fixes"][0]["artifactChanges"][0]
assert fix["artifactLocation"] == {"uri": "src/planted.cpp", "uriBaseId": "%SRCROOT%"}, fix
assert fix["replacements"] == [{"deletedRegion": {"startLine": 4, "startColumn": 25, "endLine": 4, "endColumn": 26},
                                "insertedContent": {"text": "nullptr"}}], fix["replacements"]
inconsistent = by_rule["readability-inconsistent-declaration-parameter-name"]
related = [(where(l), l["message"]["text"]) for l in inconsistent["relatedLocations"]]
assert related[0] == (("src/planted.cpp", "%SRCROOT%", 6, 6), "the definition seen here"), related
assert any(f["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "b" for f in inconsistent["fixes"])

driver = run["tool"]["driver"]
assert driver["version"] == version and driver["semanticVersion"] == version, (driver.get("version"), version)
assert driver["informationUri"] == help_base, driver["informationUri"]
rules = {r["id"]: r for r in driver["rules"]}
assert not [r for r in rules if r.startswith("clang-diagnostic-")], list(rules)
for r in run["results"]:
    assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
parity = rules["parity-direct-backend-call"]
assert parity["helpUri"] == help_base + "parity-direct-backend-call.md", parity["helpUri"]
assert parity["shortDescription"]["text"].startswith("Flags a call of a backend lifecycle method"), parity["shortDescription"]
assert parity["shortDescription"]["text"].endswith("."), parity["shortDescription"]
assert parity["fullDescription"]["text"].endswith("outside the allowlisted dispatcher files."), parity["fullDescription"]
assert parity["help"]["markdown"].strip() == Path(doc).read_text().split("\n", 1)[1].strip()
assert rules["modernize-use-nullptr"]["helpUri"] == "https://clang.llvm.org/extra/clang-tidy/checks/modernize/use-nullptr.html"

invocation = run["invocations"][0]
assert invocation["executionSuccessful"] is False, invocation
notes = invocation["toolExecutionNotifications"]
assert [(n["descriptor"]["id"], n["level"], where(n["locations"][0])[:3]) for n in notes] == \
    [("clang-diagnostic-error", "error", ("src/broken.cpp", "%SRCROOT%", 2))], notes
print("ok: the mapping: %SRCROOT% URIs, code-point columns, a fix, related locations, rule docs, "
      "absolute help URIs, the version; flag noise dropped, the compile error a notification")
PY

"$src/tools/tidy-to-sarif" --root "$root" --format github "$work/planted.yaml" "$work/broken.yaml" > "$work/github"
grep -qx '::warning file=src/planted.cpp,line=3,col=93,title=parity-direct-backend-call::direct call of backend method .stop. outside a dispatcher; call WorkspaceService::stopWorkspaceAuto instead' \
  "$work/github" || { cat "$work/github"; fail "no annotation for the parity finding"; }
grep -qx '::error file=src/broken.cpp,line=2,col=1,title=clang-diagnostic-error::.*' "$work/github" ||
  { cat "$work/github"; fail "no annotation for the compile error"; }
[ "$(grep -c '^::' "$work/github")" -eq 4 ] || { cat "$work/github"; fail "want 4 annotations"; }
echo "ok: --format github prints one annotation per finding and compile error"
