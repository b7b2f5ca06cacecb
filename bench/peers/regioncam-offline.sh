#!/bin/sh
# Builds Regioncam's Python module without crates.io or PyPI (neither is needed when they are
# reachable: `pip install regioncam` is simpler), from the crates' own git repositories.
#
#   PEERS_PYTHON=venv/bin/python REGIONCAM_SRC=path/to/regioncam sh bench/peers/regioncam-offline.sh [BUILD_DIR]
#
# - REGIONCAM_SRC: a checkout of github.com/twanvl/regioncam (0.5.2 was used). It is copied into
#   BUILD_DIR (default /tmp/regioncam-offline); the checkout itself is not changed.
# - GIT_MIRRORS (optional): a directory of bare clones named owner+name/repo (or owner+name.git);
#   a repository missing there is cloned from GitHub into BUILD_DIR/git.
# - Rust (cargo, rustc) on PATH; PYO3_PYTHON defaults to PEERS_PYTHON.
#
# Each crate is taken at the tag of the version crates.io serves (or, for num-complex, whose
# repository lacks the tag of 0.4.6, the same minor version; heck's repository has no tags at all,
# so it is taken at a fixed commit of 0.5.0, not at a branch that may move) and cargo is pointed
# at those directories with [patch.crates-io] over an empty directory source standing in for crates.io.
#
# What is changed in the copy, and why (the manifests, and one attribute in the Python wrapper):
# - Cargo.toml: the rendering features (svg, tiny-skia: piet, png, fonts, some 70 crates) and the
#   dev-dependency ndarray-npz are dropped; cargo resolves a workspace member's optional and dev
#   dependencies even when they are not built. The benchmark counts regions and draws nothing.
# - rand and rand_distr without their default `std` feature: it pulls rand_chacha and ppv-lite86,
#   whose repository was not to be had. Regioncam uses only the Rng trait, SmallRng, Normal and
#   Uniform (to make random networks); the partition itself does not use rand.
# - regioncam-python/Cargo.toml: its png/svg/repr_png features (the same rendering) are dropped.
# - regioncam-python/src/lib.rs: `#[cfg(feature = "repr_png")]` on `impl PngImage`, whose struct
#   already has it: without the rendering features the wrapper does not compile otherwise.
# The module then has no .svg()/.png()/.show() methods; the counts and the partition are Regioncam's own.
set -eu

: "${PEERS_PYTHON:?set PEERS_PYTHON to the virtual environment's python}"
: "${REGIONCAM_SRC:?set REGIONCAM_SRC to a checkout of twanvl/regioncam}"
BUILD=$(realpath -m "${1:-/tmp/regioncam-offline}")
CRATES="$BUILD/crates"
mkdir -p "$CRATES/empty" "$BUILD/git"

# bare_repo owner/name: a bare git directory holding that repository.
bare_repo() {
  key=$(echo "$1" | tr / +)
  for d in "${GIT_MIRRORS:-/nonexistent}/$key/repo" "${GIT_MIRRORS:-/nonexistent}/$key.git" "$BUILD/git/$key.git"; do
    if [ -d "$d" ]; then echo "$d"; return; fi
  done
  git clone --quiet --bare "https://github.com/$1" "$BUILD/git/$key.git" >&2
  echo "$BUILD/git/$key.git"
}

# extract owner/name ref: the tree at ref in CRATES/owner+name@ref (printed).
extract() {
  d="$CRATES/$(echo "$1" | tr / +)@$2"
  if [ ! -d "$d" ]; then
    mkdir -p "$d.tmp"
    git --git-dir="$(bare_repo "$1")" archive "$2" | tar -x -C "$d.tmp"
    mv "$d.tmp" "$d"
  fi
  echo "$d"
}

# crate name owner/name ref [subdir]: one [patch.crates-io] line.
PATCHES=""
crate() {
  dir=$(extract "$2" "$3")${4:+/$4}
  grep -q "^name = \"$1\"" "$dir/Cargo.toml" || { echo "regioncam-offline: $dir is not crate $1" >&2; exit 1; }
  PATCHES="$PATCHES$1 = { path = \"$dir\" }
"
}

crate approx brendanzab/approx v0.5.1
crate ndarray rust-ndarray/ndarray 0.16.1
crate matrixmultiply bluss/matrixmultiply 0.3.9
crate rawpointer bluss/rawpointer v0.2.1
crate num-complex rust-num/num-complex num-complex-0.4.5
crate num-integer rust-num/num-integer num-integer-0.1.46
crate num-traits rust-num/num-traits num-traits-0.2.19
crate autocfg cuviper/autocfg 1.4.0
crate libm rust-lang/libm libm-v0.2.11
crate portable-atomic taiki-e/portable-atomic v1.10.0
crate portable-atomic-util taiki-e/portable-atomic v1.10.0 portable-atomic-util
crate rand rust-random/rand 0.8.5
crate rand_core rust-random/rand 0.8.5 rand_core
crate rand_distr rust-random/rand 0.8.5 rand_distr
crate libc rust-lang/libc 0.2.169
crate pyo3 PyO3/pyo3 v0.26.0
crate pyo3-ffi PyO3/pyo3 v0.26.0 pyo3-ffi
crate pyo3-macros PyO3/pyo3 v0.26.0 pyo3-macros
crate pyo3-macros-backend PyO3/pyo3 v0.26.0 pyo3-macros-backend
crate pyo3-build-config PyO3/pyo3 v0.26.0 pyo3-build-config
crate numpy PyO3/rust-numpy v0.26.0
crate target-lexicon bytecodealliance/target-lexicon v0.13.3
crate once_cell matklad/once_cell v1.21.3
crate heck withoutboats/heck 252c1906cefefb8d13ecad7fce7b8f27ce6437e0 # master on Aug 9, 2025: version 0.5.0
crate proc-macro2 dtolnay/proc-macro2 1.0.93
crate quote dtolnay/quote 1.0.38
crate syn dtolnay/syn 2.0.96
crate unicode-ident dtolnay/unicode-ident 1.0.14
crate indoc dtolnay/indoc 2.0.5
crate unindent dtolnay/indoc 2.0.5 unindent
crate memoffset Gilnaa/memoffset v0.9.1
crate rustc-hash rust-lang/rustc-hash v2.1.0
crate inventory dtolnay/inventory 0.3.20
crate rustversion dtolnay/rustversion 1.0.21

SRC="$BUILD/regioncam"
rm -rf "$SRC"
mkdir -p "$SRC"
(cd "$REGIONCAM_SRC" && tar -c --exclude=./target --exclude=./.git .) | tar -x -C "$SRC"
rm -f "$SRC/Cargo.lock" # its checksums name crates.io's archives
"$PEERS_PYTHON" - "$SRC" <<'EOF'
import re, sys
root = sys.argv[1]
def edit(path, pairs):
    text = open(path).read()
    for pattern, replacement in pairs:
        text, n = re.subn(pattern, replacement, text, flags=re.M)
        if n == 0:
            sys.exit(f"regioncam-offline: {path}: no match for {pattern!r} (another Regioncam version?)")
    open(path, "w").write(text)
edit(f"{root}/Cargo.toml", [
    (r'^\[features\]\n(?:.+\n)+', '[features]\ndefault = []\n'),
    (r'^(svg_fmt|piet|piet-tiny-skia|tiny-skia|png) = .*optional = true.*\n', ''),
    (r'^\[dev-dependencies\]\nndarray-npz = .*\n', ''),
    (r'^rand = .*\n', 'rand = { version = "0.8.5", default-features = false, features = ["small_rng"] }\n'),
    (r'^rand_distr = .*\n', 'rand_distr = { version = "0.4.3", default-features = false, features = ["alloc"] }\n'),
])
edit(f"{root}/regioncam-python/Cargo.toml", [
    (r'^\[features\]\n(?:.+\n)+', '[features]\ndefault = []\n'),
    (r'^png = .*optional = true.*\n', ''),
])
# Regioncam's own slip: the methods of PngImage are compiled without the feature its type needs.
edit(f"{root}/regioncam-python/src/lib.rs", [
    (r'^( *)#\[pymethods\]\n( *)impl PngImage \{', r'\1#[cfg(feature = "repr_png")]\n\1#[pymethods]\n\2impl PngImage {'),
])
EOF

mkdir -p "$SRC/.cargo"
cat > "$SRC/.cargo/config.toml" <<EOF
# crates.io is an empty directory; every crate comes from [patch.crates-io] below.
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "$CRATES/empty"
[net]
offline = true
[patch.crates-io]
$PATCHES
EOF

cd "$SRC"
PYO3_PYTHON="${PYO3_PYTHON:-$PEERS_PYTHON}" cargo build --release --offline -j "${CARGO_JOBS:-1}" -p regioncam-python
SITE=$("$PEERS_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
cp target/release/libregioncam.so "$SITE/regioncam.abi3.so"
"$PEERS_PYTHON" -c 'import regioncam; print("regioncam", regioncam.__version__, "installed in", regioncam.__file__)'
