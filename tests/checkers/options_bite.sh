#!/usr/bin/env bash
# Proves that every .clang-tidy option naming code still points at real code, through tools/lint
# itself: a name that matches nothing would keep its check silently green. In a scratch copy of
# the tree each named thing is broken the way its check exists to catch:
#  - parity-provisioning-gate.Functions: each listed function loses its GateFunction call;
#  - parity-bare-backend-null-check (InterfaceName, AllowedFunctions): the gate's own test of the
#    backend pointers is written out by hand in another member of the dispatcher class;
#  - parity-bespoke-dispatch (InterfaceName, DispatcherSuffix): a member that is not a dispatcher
#    chooses a backend by ?: and calls it, while the same line inside a real *Auto dispatcher
#    stays quiet.
# tools/lint must exit 1 with exactly one finding per planted break and nothing else. (A direct
# backend call outside AllowedFiles is tests/checkers/gate_bites.sh.)
#   options_bite.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

tree="$work/tree"
mkdir -p "$tree"
(cd "$src" && cp -r --parents runtime parity tools .clang-tidy "$tree/") || fail "cannot copy the tree"

# Plant the breaks; prints the files to lint on the first line, then one expected finding per line
# as FILE<TAB>CHECK<TAB>TEXT.
/usr/bin/python3 - "$tree" >"$work/plan" <<'PY' || fail "cannot plant the breaks (see above)"
import pathlib, re, sys

tree = pathlib.Path(sys.argv[1])
options = dict(re.findall(r"^\s+([\w.-]+):\s*'([^']*)'", (tree / ".clang-tidy").read_text(), re.M))
sources = sorted((tree / "runtime/src").rglob("*.cpp"))
def die(msg): sys.exit(f"options_bite: {msg}")
def option(key):
    if key not in options: die(f".clang-tidy has no {key}")
    return options[key]
def rel(p): return str(p.relative_to(tree))

def body(text, name):
    """The [start, end) span of the body of a top-level function definition called `name`."""
    m = re.search(rf"^[^\s#/].*\b{re.escape(name)}\([^;{{]*\)[^;{{]*\{{\s*$", text, re.M)
    if not m: return None
    end = re.compile(r"^\}", re.M).search(text, m.end())
    return (m.end(), end.start()) if end else None

expected, touched = [], set()
gate = option("parity-provisioning-gate.GateFunction")
gate_call = re.compile(rf"[\w.>-]*\b{re.escape(gate)}\(\)")

# Every function the provisioning gate guards: found, and its gate removed.
for qualified in filter(None, option("parity-provisioning-gate.Functions").split(";")):
    parts = qualified.lstrip(":").split("::")
    name = parts[-1]
    # A member is found by its class too (Class::name), a free function by its name.
    owner = parts[-2] if len(parts) > 1 and parts[-2] not in ("ws", "(anonymous namespace)") else None
    for path in sources:
        text = path.read_text()
        span = body(text, f"{owner}::{name}" if owner else name)
        if span is None: continue
        inner, n = gate_call.subn("true", text[span[0]:span[1]])
        if n == 0: die(f"{qualified} (parity-provisioning-gate.Functions) is defined in {rel(path)} without a {gate}() call")
        path.write_text(text[:span[0]] + inner + text[span[1]:])
        touched.add(rel(path))
        expected.append((rel(path), "parity-provisioning-gate", f"'{qualified.lstrip(':')}' does not gate on {gate}()"))
        break
    else:
        die(f".clang-tidy names {qualified} in parity-provisioning-gate.Functions, but runtime/src defines no {name}()")

# The gate itself: a member whose return expression tests the backend pointers (on one line, or
# in a body that may open with its PARITY_DISPATCHER).
for path in sources:
    text = path.read_text()
    m = re.search(rf"^\w[\w:<>]*\s+(\w+)::{re.escape(gate)}\(\) const \{{(?: return (.+); \}}|\s*)$", text, re.M)
    if not m: continue
    span = body(text, f"{m.group(1)}::{gate}")
    ret = re.search(r"^\s+return (.+);$", text[span[0]:span[1]], re.M) if span else None
    if m.group(2) or ret: break
else:
    die(f"no definition of the gate {gate}() returning its test in runtime/src (adapt this test to its new shape)")
cls, pointers = m.group(1), m.group(2) or ret.group(1)
members = [p.strip() for p in pointers.split("||")]
if len(members) < 2: die(f"the gate tests {pointers!r}, not two backend pointers")

# Another member of the class that calls the gate: the hand-written test goes there, then a hand
# dispatch; the same dispatch goes into a real dispatcher.
use = re.search(rf"^(\s+)if \(!{re.escape(gate)}\(\)\) return;$", text, re.M)
if not use: die(f"no `if (!{gate}()) return;` in {rel(path)} to plant the bare null check in")
choice = f"(void)({members[0]} ? {members[0]}.get() : {members[1]}.get())->stop(\"planted\");"
indent = use.group(1)
none = " && ".join("!" + m for m in members)
text = text[:use.start()] + f"{indent}if ({none}) return;\n{indent}{choice}" + text[use.end():]
suffix = option("parity-bespoke-dispatch.DispatcherSuffix")
dispatcher = re.search(rf"^\S.*\b{cls}::\w+{re.escape(suffix)}\(.*\{{$", text, re.M)
if not dispatcher: die(f"no {cls}::*{suffix} dispatcher defined in {rel(path)}")
text = text[:dispatcher.end()] + f"\n  {choice}  // inside a dispatcher: allowed" + text[dispatcher.end():]
path.write_text(text)
touched.add(rel(path))
expected.append((rel(path), "parity-bare-backend-null-check", "bare test that every backend is null"))
expected.append((rel(path), "parity-bespoke-dispatch", "a conditional operator chooses the backend to call 'stop'"))

print(" ".join(sorted(touched)))
for e in expected: print("\t".join(e))
PY

read -r -a files <"$work/plan"
tail -n +2 "$work/plan" >"$work/expected"
(cd "$tree" && ./tools/lint --build "$build" "${files[@]}") >"$work/lint" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$work/lint"; fail "the planted breaks: lint exited $rc, want 1"; }
grep -E ': (warning|error): .*\[parity-' "$work/lint" >"$work/findings"
while IFS=$'\t' read -r file check text; do
  grep -F "$text" "$work/findings" | grep -F "[$check" | grep -qF "$file:" ||
    { cat "$work/lint"; fail "no $check finding in $file: $text"; }
  echo "ok: $check bites in $file: $text"
done <"$work/expected"
want=$(grep -c . "$work/expected") got=$(grep -c . "$work/findings")
[ "$got" -eq "$want" ] || { cat "$work/lint"; fail "$got findings, want exactly the $want planted"; }
echo "ok: every option that names code points at real code ($want planted breaks, $want findings)"
