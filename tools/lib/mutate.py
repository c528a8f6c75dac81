#!/usr/bin/env python3
"""The driver of tools/mutate: plants each mutant of the list in the source tree, one at a time,
rebuilds, runs the tests the mutant names and records whether they caught it. The file a mutant
changes is saved first and a journal names it, so a run that is interrupted (even by SIGKILL) is
undone at the start of the next one (--restore-only).

The list is blocks of `key: value` lines under a `[name]` header:
    [docker-file-write-noop]
    why: a file write into a Docker workspace answers success and writes nothing
    file: runtime/src/backends/docker/docker_provisioner.cpp
    after: Result<> DockerProvisioner::writeArchive(     (optional: search from this line on)
    find: auto r = engine_->request("PUT",
    replace: if (!tar.empty()) return {};  // planted\\n  auto r = engine_->request("PUT",
    tests: ^contract\\.docker$                          (a ctest -R expression, no groups)
`find` must occur exactly once (once after `after`, when given); `\\n` in `find` or `replace`
is a line break.
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

BEGIN, END = "<!-- mutate:begin -->", "<!-- mutate:end -->"
KEYS = {"why", "file", "after", "find", "replace", "tests"}


class Stale(Exception):
    """A mutant that no longer applies to the source."""


def parse(path):
    mutants, current = [], None
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z0-9-]+)\]", line)
        if header:
            current = {"name": header.group(1), "line": n}
            mutants.append(current)
            continue
        key, sep, value = line.partition(":")
        if not sep or current is None or key not in KEYS:
            sys.exit(f"{path}:{n}: expected [name] or one of {', '.join(sorted(KEYS))}: {raw}")
        current[key] = value.strip().replace("\\n", "\n")
    names = set()
    for m in mutants:
        missing = {"why", "file", "find", "replace", "tests"} - m.keys()
        if missing:
            sys.exit(f"{path}:{m['line']}: mutant {m['name']} lacks {', '.join(sorted(missing))}")
        if re.search(r"[()]", m["tests"]):
            sys.exit(f"{path}:{m['line']}: mutant {m['name']}: `tests` is alternatives without groups (CMake allows few)")
        if m["name"] in names:
            sys.exit(f"{path}:{m['line']}: mutant {m['name']} is listed twice")
        names.add(m["name"])
    return mutants


def planted(m, text):
    """The source with the mutant planted; raises Stale when it does not apply exactly."""
    start = 0
    if "after" in m:
        if text.count(m["after"]) != 1:
            raise Stale(f"`after: {m['after']}` occurs {text.count(m['after'])} times in {m['file']}, want 1")
        start = text.index(m["after"])
    elif text.count(m["find"]) != 1:
        raise Stale(f"`find: {m['find']}` occurs {text.count(m['find'])} times in {m['file']}, want 1")
    at = text.find(m["find"], start)
    if at < 0:
        raise Stale(f"`find: {m['find']}` is not in {m['file']}" + (" after the anchor" if start else ""))
    return text[:at] + m["replace"] + text[at + len(m["find"]):]


class Tree:
    """The source tree, with a journal of the one file a mutant has changed."""

    def __init__(self, root, build):
        self.root = root
        self.state = build / "mutate"
        self.state.mkdir(parents=True, exist_ok=True)
        self.journal, self.backup = self.state / "journal.json", self.state / "original"

    def plant(self, m):
        path = self.root / m["file"]
        original = path.read_bytes()
        mutated = planted(m, original.decode())
        self.backup.write_bytes(original)
        self.journal.write_text(json.dumps({"file": m["file"], "mutant": m["name"]}))
        path.write_text(mutated)

    def restore(self):
        """Puts back the file of a planted mutant, if any; returns its name."""
        if not self.journal.exists():
            return None
        entry = json.loads(self.journal.read_text())
        path = self.root / entry["file"]
        path.write_bytes(self.backup.read_bytes())
        os.utime(path)  # newer than the mutant's objects, so the next build recompiles it
        self.journal.unlink()
        return entry["mutant"]


def run(cmd, env=None):
    started = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return p.returncode, p.stdout, time.monotonic() - started


def failed_tests(ctest_output):
    tail = ctest_output.split("The following tests FAILED:", 1)
    if len(tail) < 2:
        return []
    return re.findall(r"^\s*\d+ - (\S+) \(", tail[1], re.M)


class Check:
    def __init__(self, args):
        self.args, self.root, self.build = args, pathlib.Path(args.root), pathlib.Path(args.build)
        self.tree = Tree(self.root, self.build)
        self.results_dir = self.tree.state / "results"
        # A GoogleTest binary stops at its first failure: one failing scenario is the catch, and
        # the rest of a suite would only wait out their own time limits against the mutant.
        self.env = dict(os.environ, WS_CONTRACT_RESULTS=str(self.results_dir), GTEST_FAIL_FAST="1")

    def log(self, msg):
        print(msg, flush=True)

    def build_tree(self):
        return run(["cmake", "--build", str(self.build), "-j", str(os.cpu_count() or 2)])

    def ctest(self, regex):
        return run(["ctest", "--test-dir", str(self.build), "-R", regex, "-j", str(self.args.jobs)], self.env)

    def tests_named(self, regex):
        rc, out, _ = run(["ctest", "--test-dir", str(self.build), "-N", "-R", regex])
        m = re.search(r"Total Tests: (\d+)", out)
        return int(m.group(1)) if rc == 0 and m else 0

    def main(self, mutants):
        # Everything applies and every test expression names tests, before anything is planted.
        problems = []
        for m in mutants:
            try:
                planted(m, (self.root / m["file"]).read_text())
            except (Stale, FileNotFoundError) as e:
                problems.append(f"{m['name']}: {e}")
            if self.tests_named(m["tests"]) == 0:
                problems.append(f"{m['name']}: `tests: {m['tests']}` names no ctest test")
        if problems:
            self.log("mutate: the list is stale:\n  " + "\n  ".join(problems))
            return 2

        # CMake's regular expressions allow 10 groups at most: join the distinct alternatives.
        union = "|".join(dict.fromkeys(alt for m in mutants for alt in m["tests"].split("|")))
        named = self.tests_named(union)
        if named == 0:
            self.log(f"mutate: the mutants' test expressions name no test together: {union}")
            return 2
        self.log(f"mutate: baseline, the {named} tests the mutants name, unmutated")
        rc, out, secs = self.ctest(union)
        if rc != 0:
            self.log(out[-4000:])
            self.log(f"mutate: the tests fail without any mutant ({', '.join(failed_tests(out))}); fix them first")
            return 2
        self.log(f"mutate: baseline passes ({secs:.0f} s)")

        rows, broken = [], []
        for i, m in enumerate(mutants, 1):
            self.tree.plant(m)
            try:
                brc, bout, bsecs = self.build_tree()
                if brc != 0:
                    broken.append(m["name"])
                    self.log(bout[-3000:])
                    self.log(f"[{i}/{len(mutants)}] {m['name']}: DOES NOT COMPILE")
                    continue
                rc, out, tsecs = self.ctest(m["tests"])
            finally:
                self.tree.restore()
            caught = failed_tests(out) if rc != 0 else []
            if rc != 0 and not caught:
                caught = [f"ctest exit {rc}"]
            rows.append({"name": m["name"], "why": m["why"], "caught": caught, "build": bsecs, "tests": tsecs})
            verdict = f"caught by {', '.join(caught)}" if caught else "SURVIVED"
            self.log(f"[{i}/{len(mutants)}] {m['name']}: {verdict} (build {bsecs:.0f} s, tests {tsecs:.0f} s)")

        self.log("mutate: rebuilding the restored tree")
        brc, bout, _ = self.build_tree()
        if brc != 0:
            self.log(bout[-3000:])
            self.log("mutate: the restored tree does not build")
            return 2
        report = self.report(rows, broken)
        (self.tree.state / "report.md").write_text(report)
        self.log("\n" + report)
        survivors = [r["name"] for r in rows if not r["caught"]]
        if self.args.record:
            self.record(report)
        if broken:
            self.log(f"mutate: {len(broken)} mutant(s) do not compile: {', '.join(broken)}")
            return 2
        if survivors:
            self.log(f"mutate: {len(survivors)} mutant(s) survived: {', '.join(survivors)}")
            return 1
        self.log(f"mutate: all {len(rows)} mutants caught")
        return 0

    def report(self, rows, broken):
        commit = subprocess.run(["git", "-C", str(self.root), "rev-parse", "--short", "HEAD"],
                                stdout=subprocess.PIPE, text=True).stdout.strip() or "unknown"
        caught = sum(1 for r in rows if r["caught"])
        total = sum(r["build"] + r["tests"] for r in rows)
        lines = [f"Last run: {datetime.date.today().isoformat()}, commit {commit}: **{caught} of {len(rows)} "
                 f"mutants caught**" + (f", {len(broken)} did not compile" if broken else "") +
                 f", {total / 60:.0f} min of builds and tests.", "",
                 "| Mutant | The planted bug | Caught by | Tests |", "|---|---|---|---|"]
        for r in rows:
            by = ", ".join(f"`{t}`" for t in r["caught"]) if r["caught"] else "**survived**"
            lines.append(f"| `{r['name']}` | {r['why']} | {by} | {r['tests']:.0f} s |")
        return "\n".join(lines) + "\n"

    def record(self, report):
        doc = self.root / "docs" / "testing.md"
        text = doc.read_text()
        if BEGIN not in text or END not in text:
            sys.exit(f"mutate: {doc} has no {BEGIN} ... {END} block to record into")
        head, rest = text.split(BEGIN, 1)
        doc.write_text(head + BEGIN + "\n" + report + rest[rest.index(END):])
        self.log(f"mutate: recorded in {doc}")


def main():
    ap = argparse.ArgumentParser(prog="tools/mutate", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--build", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--mutants", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this mutant (repeatable)")
    ap.add_argument("--record", action="store_true", help="write the result into docs/testing.md (whole list only)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="ctest parallelism (default: the cores)")
    ap.add_argument("--restore-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    mutants = parse(pathlib.Path(args.mutants))
    if args.list:
        stale = 0
        for m in mutants:
            try:
                planted(m, (pathlib.Path(args.root) / m["file"]).read_text())
                state = ""
            except (Stale, FileNotFoundError) as e:
                state, stale = f"  [STALE: {e}]", stale + 1
            print(f"{m['name']:34} {m['why']}{state}")
        return 2 if stale else 0
    check = Check(args)
    if args.restore_only:
        if name := check.tree.restore():
            print(f"mutate: restored the source an interrupted run left with mutant {name} planted")
        return 0
    if args.only:
        unknown = set(args.only) - {m["name"] for m in mutants}
        if unknown:
            sys.exit(f"mutate: no such mutant: {', '.join(sorted(unknown))} (see --list)")
        if args.record:
            sys.exit("mutate: --record needs the whole list, not --only")
        mutants = [m for m in mutants if m["name"] in args.only]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        return check.main(mutants)
    finally:
        if name := check.tree.restore():
            print(f"mutate: interrupted; restored the source of {name}")


if __name__ == "__main__":
    sys.exit(main())
