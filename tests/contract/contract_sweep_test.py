#!/usr/bin/env python3
"""tools/contract-sweep against a fake Docker Engine and a fake cp-emulator (no engine needed).

What is checked: a dead run's labelled containers and volumes go and a foreign one stays; its
processes end and its private directory goes; only the recorded workspaces of an instance record
are terminated, and a whole org for a cp-scope record; a live run is left alone; an engine that
does not answer is a failure that keeps the state file; --dry-run changes nothing.

    contract_sweep_test.py <source dir>
"""

import http.server
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWEEP = os.path.join(SOURCE, "tools", "contract-sweep")
MINE = {"molecule.platform.managed": "true", "molecule.platform.instance": "test-dead0001"}


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves the few Engine and control-plane calls the sweep makes, from self.server.state."""

    def log_message(self, *args):
        pass

    def address_string(self):
        return "fake"

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        state = self.server.state
        if u.path == "/_ping":
            return self.reply(200, "OK")
        if u.path in ("/containers/json", "/volumes"):
            wanted = json.loads(q["filters"][0])["label"]
            kind = "containers" if u.path == "/containers/json" else "volumes"
            hits = [(n, labels) for n, labels in state[kind].items()
                    if all(w in [f"{k}={v}" for k, v in labels.items()] for w in wanted)]
            if kind == "containers":
                return self.reply(200, [{"Id": "id-" + n, "Names": ["/" + n], "Labels": labels} for n, labels in hits])
            return self.reply(200, {"Volumes": [{"Name": n, "Labels": labels} for n, labels in hits]})
        if u.path == "/cp/workspaces":
            org = q["org_id"][0]
            return self.reply(200, {"instances": [i for i in state["instances"] if i["org_id"] == org]})
        self.reply(404, {"message": "no such route"})

    def do_DELETE(self):
        u = urllib.parse.urlparse(self.path)
        state = self.server.state
        parts = u.path.split("/")
        if parts[1] == "containers":
            state["containers"].pop(parts[2].removeprefix("id-"), None)
            return self.reply(204, {})
        if parts[1] == "volumes":
            state["volumes"].pop(parts[2], None)
            return self.reply(204, {})
        if parts[1] == "cp":
            ws = parts[3]
            for i in state["instances"]:
                if i["workspace_id"] == ws:
                    i["state"] = "terminated"
            return self.reply(200, {"state": "terminated"})
        self.reply(404, {})


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TcpServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(server, state):
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_time(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[19]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


class ContractSweep(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ws-sweep-test-")
        self.socket = os.path.join(self.dir, "engine.sock")
        self.engine_state = {
            "containers": {"ws-a": dict(MINE, **{"molecule.workspace.id": "a"}),
                           "ws-b": dict(MINE, **{"molecule.workspace.id": "b"}),
                           "ws-foreign": {"molecule.platform.managed": "true", "molecule.platform.instance": "default",
                                          "molecule.workspace.id": "c"}},
            "volumes": {"ws-a-configs": dict(MINE, **{"molecule.workspace.id": "a"}),
                        "ws-foreign-configs": {"molecule.platform.managed": "true", "molecule.platform.instance": "default"}},
            "instances": []}
        self.engine = serve(UnixServer(self.socket, Handler), self.engine_state)
        self.cp_state = {"containers": {}, "volumes": {}, "instances": [
            {"instance_id": "i-1", "workspace_id": "w1", "org_id": "org-a", "state": "running"},
            {"instance_id": "i-2", "workspace_id": "w2", "org_id": "org-a", "state": "running"},
            {"instance_id": "i-3", "workspace_id": "w3", "org_id": "org-b", "state": "running"},
            {"instance_id": "i-4", "workspace_id": "w4", "org_id": "org-b", "state": "running"}]}
        self.cp = serve(TcpServer(("127.0.0.1", 0), Handler), self.cp_state)
        self.cp_url = f"http://127.0.0.1:{self.cp.server_address[1]}"
        self.states = os.path.join(self.dir, "states")
        os.makedirs(self.states)

    def tearDown(self):
        for server in (self.engine, self.cp):
            server.shutdown()
            server.server_close()
        subprocess.run(["rm", "-rf", self.dir], check=False)

    def write(self, name, records, pid=None, start="0"):
        path = os.path.join(self.states, name)
        with open(path, "w") as f:
            f.write(json.dumps({"kind": "run", "pid": pid or dead_pid(), "start": start, "cmdline": "contract_tests"}) + "\n")
            for r in records:
                f.write(json.dumps(r) + "\n")
        return path

    def sweep(self, *args):
        return subprocess.run([SWEEP, "--state-dir", self.states, *args], capture_output=True, text=True, timeout=60)

    def docker_records(self):
        host = "unix://" + self.socket
        return [{"kind": "docker-scope", "docker_host": host, "labels": MINE},
                {"kind": "container", "docker_host": host, "name": "ws-a", "labels": dict(MINE, **{"molecule.workspace.id": "a"})}]

    def test_a_dead_runs_docker_resources_go_and_foreign_ones_stay(self):
        path = self.write("dead.jsonl", self.docker_records())
        r = self.sweep()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sorted(self.engine_state["containers"]), ["ws-foreign"])
        self.assertEqual(sorted(self.engine_state["volumes"]), ["ws-foreign-configs"])
        self.assertFalse(os.path.exists(path))
        self.assertIn("removing container ws-a", r.stdout)

    def test_processes_end_and_private_directories_go(self):
        # An orphan, as a killed run's server is: its parent has exited.
        pid = int(subprocess.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"], capture_output=True,
                                 text=True).stdout)
        private = subprocess.run(["mktemp", "-d", "/tmp/ws-test-XXXXXX"], capture_output=True, text=True).stdout.strip()
        try:
            self.write("dead.jsonl", [{"kind": "process", "role": "server", "pid": pid, "start": start_time(pid),
                                       "dir": private}])
            r = self.sweep()
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertFalse(alive(pid), "the recorded server was ended")
            self.assertFalse(os.path.exists(private))
        finally:
            subprocess.run(["kill", "-9", str(pid)], capture_output=True, check=False)
            subprocess.run(["rm", "-rf", private], check=False)

    def test_a_recorded_pid_that_is_another_process_now_is_left_alone(self):
        other = subprocess.Popen(["sleep", "300"])
        try:
            self.write("dead.jsonl", [{"kind": "process", "role": "server", "pid": other.pid, "start": "1", "dir": ""}])
            r = self.sweep()
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIsNone(other.poll(), "a reused pid is not the recorded process")
        finally:
            other.kill()
            other.wait()

    def test_instances_by_workspace_or_by_org(self):
        common = {"emulator": self.cp_url, "shared_secret": "s", "admin_token": "t"}
        self.write("dead.jsonl", [dict(common, kind="instance", org_id="org-a", workspace_id="w1"),
                                  dict(common, kind="cp-scope", org_id="org-b")])
        r = self.sweep()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        states = {i["instance_id"]: i["state"] for i in self.cp_state["instances"]}
        self.assertEqual(states, {"i-1": "terminated", "i-2": "running", "i-3": "terminated", "i-4": "terminated"})

    def test_a_live_run_is_left_alone(self):
        path = self.write("live.jsonl", self.docker_records(), pid=os.getpid(), start=start_time(os.getpid()))
        r = self.sweep()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("still running: left alone", r.stdout)
        self.assertTrue(os.path.exists(path))
        self.assertIn("ws-a", self.engine_state["containers"])

    def test_dry_run_changes_nothing(self):
        path = self.write("dead.jsonl", self.docker_records())
        r = self.sweep("--dry-run")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("would remove container ws-a", r.stdout)
        self.assertIn("ws-a", self.engine_state["containers"])
        self.assertTrue(os.path.exists(path))

    def test_an_engine_that_does_not_answer_keeps_the_state_file(self):
        records = [{"kind": "docker-scope", "docker_host": "unix://" + self.dir + "/nothing.sock", "labels": MINE}]
        path = self.write("dead.jsonl", records)
        r = self.sweep()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("does not answer", r.stderr)
        self.assertTrue(os.path.exists(path))

    def test_a_cut_short_line_is_ignored(self):
        path = self.write("dead.jsonl", self.docker_records())
        with open(path, "a") as f:
            f.write('{"kind": "container", "na')
        r = self.sweep()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("cut short", r.stdout)
        self.assertFalse(os.path.exists(path))

    def test_help(self):
        r = subprocess.run([SWEEP, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--dry-run", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
