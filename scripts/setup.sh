#!/usr/bin/env bash
# Shared by scripts/run and scripts/test: installs the Debian 12 packages
# Quanta needs (when missing) and builds the project with CMake.
set -euo pipefail

QUANTA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QUANTA_ROOT

# Build tools, Qt 6 (Quick, Controls, Dialogs, Linguist), the engine's
# libraries, Vulkan (loader, headers, the glslang shader compiler and Mesa's
# drivers, whose lavapipe runs the GPU tests on the CPU), and a CJK font so
# the Chinese UI renders. Qt HttpServer runs the local API, Qt Charts draws the
# VRAM inspector and nginx serves files to the download tests. dpkg-dev's
# dpkg-shlibdeps fills in the library dependencies of the .deb, and
# desktop-file-validate checks its desktop file.
QUANTA_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config dpkg-dev desktop-file-utils
  qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts qml6-module-qtquick-window
  qml6-module-qtquick-templates qml6-module-qtquick-dialogs qml6-module-qtqml-workerscript
  qml6-module-qtqml-models qml6-module-qt-labs-settings qml6-module-qt-labs-platform
  qml6-module-qt-labs-folderlistmodel qt6-translations-l10n qt6-httpserver-dev qt6-websockets-dev
  qt6-charts-dev qml6-module-qtcharts nginx
  libgl-dev libsqlite3-dev sqlite3 libhwy-dev nlohmann-json3-dev libpcre2-dev libicu-dev
  libvulkan1 libvulkan-dev glslang-tools mesa-vulkan-drivers
  fonts-noto-cjk
)

install_missing_packages() {
  local missing=()
  local package
  for package in "${QUANTA_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return
  fi
  echo "Installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build BUILD_DIR [CMAKE_ARGS...]
configure_and_build() {
  local build_dir="$1"
  shift
  cmake -S "$QUANTA_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$build_dir" --parallel "$(nproc)"
}
