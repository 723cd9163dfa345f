#!/bin/sh
# The engine must configure, build and pass its tests with no Qt installed. This configures a
# nested build of the source tree with Qt 6 hidden from CMake (CMAKE_DISABLE_FIND_PACKAGE_Qt6), so
# the engine tests compile against tests/support/qtfree, builds it with -j2 and runs ctest.
#   tests/noqt/check.sh <source dir> <build dir>
# Registered as the ctest test engine_without_qt (label noqt). The build dir is kept between runs
# (incremental); TESSEL_NOQT_FRESH=1 wipes it first. TESSEL_NOQT_CMAKE, TESSEL_NOQT_CTEST,
# TESSEL_NOQT_CXX, TESSEL_NOQT_GENERATOR and TESSEL_NOQT_BUILD_TYPE pass on the outer build's
# tools, compiler, generator and build type.
set -eu
cmake=${TESSEL_NOQT_CMAKE:-cmake}
ctest=${TESSEL_NOQT_CTEST:-ctest}

src=${1:?usage: check.sh <source dir> <build dir>}
build=${2:?usage: check.sh <source dir> <build dir>}
start=$(date +%s)

if [ "${TESSEL_NOQT_FRESH:-0}" = 1 ]; then rm -rf "$build"; fi

set -- -S "$src" -B "$build" -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DTESSEL_BUILD_UI=OFF \
  -DTESSEL_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE="${TESSEL_NOQT_BUILD_TYPE:-Release}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  if [ -n "${TESSEL_NOQT_GENERATOR:-}" ]; then set -- "$@" -G "$TESSEL_NOQT_GENERATOR"; fi
  if [ -n "${TESSEL_NOQT_CXX:-}" ]; then set -- "$@" -DCMAKE_CXX_COMPILER="$TESSEL_NOQT_CXX"; fi
fi
if command -v ccache >/dev/null 2>&1; then set -- "$@" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache; fi

echo "== configure (Qt 6 hidden)"
"$cmake" "$@"
if grep -q '^Qt6Test_DIR:PATH=/' "$build/CMakeCache.txt"; then
  echo "FAIL: the nested build found Qt6Test although Qt 6 was disabled" >&2
  exit 1
fi

echo "== build -j2"
nice "$cmake" --build "$build" -j2

sources=$(find "$src/tests/engine" -name 'tst_*.cpp' | wc -l)
registered=$("$ctest" --test-dir "$build" -N | sed -n 's/^Total Tests: *//p')
if [ "$sources" -ne "$registered" ]; then
  echo "FAIL: $sources engine test sources but $registered ctest tests" >&2
  exit 1
fi

# The test executables must not load any Qt library.
for exe in "$build"/tests/tst_engine_*; do
  if ldd "$exe" 2>/dev/null | grep -qi 'libQt'; then
    echo "FAIL: $exe links Qt" >&2
    exit 1
  fi
done

echo "== ctest -j2 ($registered engine tests)"
"$ctest" --test-dir "$build" -j2 --output-on-failure
echo "engine without Qt: $registered tests passed in $(( $(date +%s) - start )) s"
