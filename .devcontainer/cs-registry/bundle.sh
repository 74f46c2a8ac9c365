#!/bin/sh
# Build the cs-registry Dev Container Feature folder: a wheel of this checkout goes
# into dist/, which the Feature installs by default (version "bundled").
#
#   .devcontainer/cs-registry/bundle.sh                 this Feature folder
#   .devcontainer/cs-registry/bundle.sh OTHER/.devcontainer/cs-registry
#                                                       a copy for another repository
#
# With a target folder, the Feature's files (devcontainer-feature.json, install.sh,
# hooks/) are copied there first; commit that folder, dist/ included. The wheel is
# built with `pip wheel --no-deps` (the dependencies come from the index, or from
# the wheelDir option when the container is offline). Runs on the host, as any user.
set -eu

FEATURE_DIR=$(cd "$(dirname "$0")" && pwd)
PROJECT=$(cd "$FEATURE_DIR/../.." && pwd)
TARGET=${1:-$FEATURE_DIR}
PYTHON=${PYTHON:-python3}

say() { echo "cs-registry bundle: $*"; }
die() { echo "cs-registry bundle: error: $*" >&2; exit 1; }

grep -Eq '^name = "cs-registry"$' "$PROJECT/pyproject.toml" 2>/dev/null \
    || die "$PROJECT is not a cs-registry checkout; run the bundle.sh inside one"

mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
if [ "$TARGET" != "$FEATURE_DIR" ]; then
    cp "$FEATURE_DIR/devcontainer-feature.json" "$FEATURE_DIR/install.sh" "$TARGET/"
    rm -rf "$TARGET/hooks"
    cp -R "$FEATURE_DIR/hooks" "$TARGET/hooks"
fi

# Build next to dist/ and swap it in only when the build worked: a failed build
# leaves the last good wheel in place.
build=$(mktemp -d "$TARGET/.dist-build.XXXXXX")
trap 'rm -rf "$build"' EXIT
"$PYTHON" -m pip wheel --no-deps --disable-pip-version-check --quiet --wheel-dir "$build" \
    "$PROJECT" || die "pip wheel could not build $PROJECT"
set -- "$build"/cs_registry-*.whl
[ $# -eq 1 ] && [ -f "$1" ] || die "expected one cs_registry wheel from pip wheel, got: $*"
mkdir -p "$TARGET/dist"
rm -f "$TARGET"/dist/cs_registry-*.whl
mv "$1" "$TARGET/dist/"
say "$TARGET/dist/$(basename "$1") is ready; the Feature installs it by default"
