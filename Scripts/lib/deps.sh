# Installs what building and testing csi-migrate needs, only when it is missing.
# Sourced by Scripts/demo, Scripts/test, Scripts/install and Scripts/bench.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: need root to run: $*" >&2
    return 1
  fi
}

apt_install() {
  [ $# -gt 0 ] || return 0
  echo "installing with apt-get: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# libyaml-dev (the only system dependency) and pkg-config, which SwiftPM uses to find it.
ensure_build_deps() {
  local missing=()
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  if ! { command -v pkg-config >/dev/null && pkg-config --exists yaml-0.1; } && [ ! -f /usr/include/yaml.h ]; then
    missing+=(libyaml-dev)
  fi
  apt_install "${missing[@]}"
  if ! command -v swift >/dev/null; then
    echo "error: swift is not on PATH (Swift 6 is needed to build csi-migrate)" >&2
    return 1
  fi
}

# What the test run uses besides Swift: shellcheck, kubernetes-validate, jsonschema, lxml.
ensure_test_deps() {
  local missing=()
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v python3 >/dev/null || missing+=(python3 python3-pip)
  apt_install "${missing[@]}"
  local py=()
  command -v kubernetes-validate >/dev/null || py+=(kubernetes-validate)
  python3 -c 'import jsonschema' 2>/dev/null || py+=(jsonschema)
  python3 -c 'import lxml' 2>/dev/null || py+=(lxml)
  if [ ${#py[@]} -gt 0 ]; then
    echo "installing with pip: ${py[*]}" >&2
    python3 -m pip install -q --disable-pip-version-check "${py[@]}" 2>/dev/null \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages "${py[@]}"
  fi
}
