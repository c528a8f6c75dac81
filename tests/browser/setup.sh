#!/usr/bin/env bash
# Installs the browser test's one dependency, playwright-core (pinned by package.json and
# package-lock.json here), into <dir>/node_modules with npm's cache in <dir>/npm-cache: nothing
# happens when the pinned version is already there, and a reinstall can come from the cache
# without the network. The browser is Debian's chromium (tools/lib/common.sh installs it);
# playwright-core downloads none.
#   setup.sh <source dir of this script> <install dir>
set -euo pipefail
src=$(cd "$1" && pwd)
mkdir -p "$2"
dir=$(cd "$2" && pwd)
[ -x /usr/bin/chromium ] || { echo "setup: /usr/bin/chromium is missing: apt-get install chromium" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm is missing: apt-get install nodejs npm" >&2; exit 1; }
want=$(node -p "require('$src/package.json').dependencies['playwright-core']")
have=$(node -p "require('$dir/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$have" = "$want" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
  echo "setup: playwright-core $have is installed in $dir"
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dir/"
cd "$dir"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if ! npm ci --prefer-offline --no-audit --no-fund --cache "$dir/npm-cache"; then
  echo "setup: npm could not install playwright-core $want (offline with an empty cache in $dir/npm-cache?)" >&2
  exit 1
fi
echo "setup: installed playwright-core $want in $dir"
