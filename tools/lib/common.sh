# Shared helpers for tools/run and tools/test: dependencies, configure, build.
# Sourced, not executed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
EXTRA_CMAKE_ARGS=()

# Debian packages the build and the tests need. Installing is idempotent and skipped
# when every package is already present.
DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev prometheus-cpp-dev
  libsqlite3-dev libpqxx-dev postgresql-15 libssl-dev libre2-dev libarchive-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-tidy-19 libclang-19-dev llvm-19-dev clang-19 libclang-rt-19-dev
  python3 python3-yaml python3-jsonschema python3-rfc3987 docker.io busybox-static wrk curl jq
  nodejs chromium
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # The browser test's npm: its own package in Debian, part of nodejs from other sources
  # (NodeSource's nodejs conflicts with Debian's npm).
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q || log "apt-get update failed; trying the install with the cached lists"
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  local build_type="${1:-RelWithDebInfo}"
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    log "configuring ($build_type) in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
      -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}" "${EXTRA_CMAKE_ARGS[@]}"
  fi
  log "building${BUILD_TARGETS:+ ($BUILD_TARGETS)}"
  local targets=()
  for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
  cmake --build "$BUILD_DIR" -j "$(nproc)" "${targets[@]}"
}
