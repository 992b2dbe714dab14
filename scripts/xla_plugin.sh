#!/usr/bin/env bash
# Fetches a PJRT CPU plugin for GoMLX's XLA backend through pip, unpacks
# it into a cache folder and prints the flags to use. `make xla` runs it.
#
# Candidates, tried in order. Each must export GetPjrtApi and implement
# PJRT C API 0.104 or later (go-xla v0.4.1 is built against 0.104 and
# reads the plugin's function table without checking its length).
#
#   lammps-jax-pjrt-cpu 0.11.2  XLA's CPU plugin from jaxlib 0.11.2,
#                               PJRT C API 0.115 (x86_64 only)
#   xla-cpu-pjrt 0.0.1          OpenXLA's CPU plugin, PJRT C API 0.81:
#                               too old, listed so the failure says so
#
# jaxlib is no candidate: its CPU client is built into libjax_common.so,
# which exports no GetPjrtApi.
#
# Environment: XLA_CACHE (default .cache/xla), PYTHON (default python3).
set -euo pipefail

cache=${XLA_CACHE:-.cache/xla}
python=${PYTHON:-python3}
min_minor=104

# name version sha256-of-the-x86_64-wheel
candidates=(
	"lammps-jax-pjrt-cpu 0.11.2 1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1"
	"xla-cpu-pjrt 0.0.1 55837b6b7b47daa717f2d9a5a03563ea0ceaa338d06a81a1e2d3f060d960decc"
)

mkdir -p "$cache/wheels" "$cache/lib"
cache=$(cd "$cache" && pwd)

# pjrt_version prints a plugin's PJRT C API version as "major minor",
# read from the table its GetPjrtApi returns.
pjrt_version() {
	"$python" - "$1" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_LOCAL)
get = lib.GetPjrtApi
get.restype = ctypes.POINTER(ctypes.c_size_t * 4)
api = get()
# PJRT_Api starts {size_t struct_size; void *ext; PJRT_Api_Version v},
# and v starts {size_t struct_size; void *ext; int major; int minor}.
class Version(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("ext", ctypes.c_void_p),
                ("major", ctypes.c_int), ("minor", ctypes.c_int)]
v = Version.from_address(ctypes.addressof(api.contents) + 2 * ctypes.sizeof(ctypes.c_size_t))
print(v.major, v.minor)
EOF
}

report=()
for c in "${candidates[@]}"; do
	read -r name version sha <<<"$c"
	dir="$cache/$name-$version"
	echo "xla: trying $name $version" >&2

	# Download (pip keeps the wheel, so a second run is offline) and unpack.
	wheel=$(ls "$cache/wheels/${name//-/_}-$version-"*.whl 2>/dev/null | head -1 || true)
	if [ -z "$wheel" ]; then
		req="$cache/wheels/$name.txt"
		echo "$name==$version --hash=sha256:$sha" >"$req"
		if ! out=$("$python" -m pip download --quiet --no-deps --only-binary=:all: \
			--require-hashes -r "$req" -d "$cache/wheels" 2>&1); then
			report+=("$name $version: pip download failed: $(echo "$out" | grep -m1 ERROR || echo "$out" | tail -1)")
			continue
		fi
		wheel=$(ls "$cache/wheels/${name//-/_}-$version-"*.whl | head -1)
	fi
	if [ ! -e "$dir/.unpacked" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		"$python" -m zipfile -e "$wheel" "$dir" && touch "$dir/.unpacked"
	fi

	# The plugin is the shared library that exports GetPjrtApi.
	plugin=""
	while IFS= read -r so; do
		if "$python" -c 'import ctypes,sys; ctypes.CDLL(sys.argv[1]).GetPjrtApi' "$so" 2>/dev/null; then
			plugin=$so
			break
		fi
	done < <(find "$dir" -name '*.so' -size +1M)
	if [ -z "$plugin" ]; then
		report+=("$name $version: no shared library in the wheel loads and exports GetPjrtApi")
		continue
	fi
	if ! ver=$(pjrt_version "$plugin" 2>&1); then
		report+=("$name $version: reading the PJRT C API version of $plugin failed: $ver")
		continue
	fi
	read -r major minor <<<"$ver"
	if [ "$major" -eq 0 ] && [ "$minor" -lt "$min_minor" ]; then
		report+=("$name $version: $plugin implements PJRT C API $major.$minor, older than 0.$min_minor")
		continue
	fi

	# A stable name GoMLX recognises, in a folder of its own.
	ln -sfn "../${plugin#"$cache"/}" "$cache/lib/pjrt_c_api_cpu_plugin.so"
	echo "$name $version PJRT C API $major.$minor" >"$cache/lib/SOURCE"
	lib="$cache/lib/pjrt_c_api_cpu_plugin.so"
	cat <<EOF
XLA CPU plugin: $lib
  from $name $version on PyPI, PJRT C API $major.$minor

Build clbench with the XLA backend (cgo and a C compiler; bin/clbench-xla):
  make build-xla        # or: CGO_ENABLED=1 go build -tags xla ./cmd/clbench
Run on XLA:
  bin/clbench-xla run --backend xla:$lib ...
or, with the folder on the search path:
  PJRT_PLUGIN_LIBRARY_PATH=$cache/lib bin/clbench-xla run --backend xla:cpu ...
Test that XLA trains like the pure-Go backend:
  go test -tags xla -run XLA ./bench/
EOF
	exit 0
done

echo "make xla: no PJRT CPU plugin could be had through pip:" >&2
for r in "${report[@]}"; do
	echo "  $r" >&2
done
echo "Name a plugin file instead (--backend xla:/abs/path/pjrt_c_api_cpu_plugin.so)," \
	"or build with -tags xla and set CLBENCH_XLA_AUTO_INSTALL=1 on a machine that reaches GitHub." >&2
exit 1
