#!/usr/bin/env bash
# The shipped deployment files work together: the systemd unit's command line, with the example
# settings file in place of /etc/workspace-server/workspace-server.toml and a scratch directory
# in place of /var/lib/workspace-server, is accepted by the server binary (which lists its
# routes and exits instead of serving). A setting the server does not know fails the test.
#   deploy_files.sh <source dir> <workspace-server binary>
set -euo pipefail
src=$1 server=$2
exec_start=$(sed -n 's/^ExecStart=//p' "$src/deploy/workspace-server.service")
[ -n "$exec_start" ] || { echo "no ExecStart in the unit" >&2; exit 1; }
read -r -a argv <<<"$exec_start"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
argv=("${argv[@]//\/etc\/workspace-server\/workspace-server.toml/$src/deploy/workspace-server.toml}")
argv=("${argv[@]//\/var\/lib\/workspace-server/$dir}")
argv[0]=$server
out=$("${argv[@]}" --list-routes)
grep -q '"pattern":"/health"' <<<"$out" || { echo "the server did not list its routes: $out" >&2; exit 1; }
# A key the server does not know is an error, not silence.
printf 'port = 8080\nno-such-setting = 1\n' >"$dir/bad.toml"
if "$server" --config "$dir/bad.toml" --list-routes >/dev/null 2>&1; then
  echo "an unknown setting was accepted" >&2
  exit 1
fi
echo "deployment files: ok (${#argv[@]} arguments from the unit)"
