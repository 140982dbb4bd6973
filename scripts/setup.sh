#!/usr/bin/env bash
# Idempotent build prerequisites for shiftwise.
#
# HiGHS (the MILP solver behind good_lp's "highs" feature) is compiled from C++
# source by the highs-sys crate, which needs `cmake` and libclang (for bindgen).
# A bare Rust machine has neither. This script installs what is missing and
# does nothing when everything is already there, so the README commands can
# call it every time.
set -euo pipefail

say() { echo "setup: $*" >&2; }

have_libclang() {
  local f
  # bindgen loads libclang.so or libclang-N.so; libclang-cpp (the C++ library, which
  # other packages pull in alone) is not it.
  for f in ${LIBCLANG_PATH:+"$LIBCLANG_PATH"/libclang*.so*} \
           /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/*-linux-gnu/libclang*.so* /usr/lib64/libclang*.so*; do
    case "${f##*/}" in libclang-cpp*) continue ;; esac
    [ -e "$f" ] && return 0
  done
  return 1
}

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
have_libclang || missing+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || missing+=(g++)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

say "installing build prerequisites for HiGHS: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  # Without root we can still get cmake from PyPI; libclang must come from the system.
  if [[ " ${missing[*]} " == *" cmake "* ]] && command -v python3 >/dev/null 2>&1; then
    say "no apt-get with root: installing cmake with pip --user"
    python3 -m pip install --user --quiet cmake
  fi
  if ! have_libclang; then
    say "libclang is missing and cannot be installed without root."
    say "Install your distribution's libclang (e.g. 'apt-get install libclang-dev') or set LIBCLANG_PATH."
    exit 1
  fi
fi

command -v cmake >/dev/null 2>&1 || { say "cmake still missing after install"; exit 1; }
have_libclang || { say "libclang still missing after install"; exit 1; }
say "prerequisites ready"
