#!/bin/sh
# Dev Container Feature install script (runs as root at image build time).
#
# Installs cs-registry into its own virtualenv, links `cs-registry` and
# `docker-credential-cs-registry` into /usr/local/bin, and installs the lifecycle
# hooks that the Feature's onCreate/postCreate/postStart commands run. Safe to run
# again: the virtualenv is reused and the links and hooks are replaced.
#
# What it installs is what ships with this Feature: by default the wheel that
# bundle.sh built into dist/ (see README, "Dev Container Feature"). It never installs
# a bare name from an index: that runs, as root, whatever the index serves under that
# name. An index is used only for an exact release (VERSION=X.Y.Z), checked against
# HASHES when they are given.
#
# Options arrive as environment variables: VERSION, HASHES, SOURCE, WHEELDIR, ECRHELPER.
set -eu

PREFIX=/usr/local/share/cs-registry
VENV="$PREFIX/venv"
BIN=/usr/local/bin
FEATURE_DIR=$(cd "$(dirname "$0")" && pwd)
VERSION=${VERSION:-bundled}
HASHES=${HASHES:-}
SOURCE=${SOURCE:-}
WHEELDIR=${WHEELDIR:-}
ECRHELPER=${ECRHELPER:-false}

say() { echo "cs-registry feature: $*"; }
die() { echo "cs-registry feature: error: $*" >&2; exit 1; }

# A relative path names something inside this Feature's folder.
feature_path() {
    case "$1" in
        /*) echo "$1" ;;
        *) echo "$FEATURE_DIR/$1" ;;
    esac
}

# Every option is checked before anything is changed.
case "$VERSION" in
    bundled | none) ;;
    latest)
        die "version 'latest' is not supported: it would install whatever an index serves \
under the name cs-registry, as root. Use 'bundled' (the default: the wheel in this \
Feature's dist/ folder) or an exact release such as '0.1.0'." ;;
    *[!0-9.]* | .* | *. | *..* | '')
        # digits and dots only (no newline can smuggle a second line past the check)
        die "version '$VERSION' is not 'bundled', 'none' or an exact release X.Y.Z" ;;
    *.*.*.*) die "version '$VERSION' is not 'bundled', 'none' or an exact release X.Y.Z" ;;
    *.*.*) ;;
    *) die "version '$VERSION' is not 'bundled', 'none' or an exact release X.Y.Z" ;;
esac
if [ -n "$HASHES" ]; then
    case "$VERSION" in
        bundled | none) die "hashes apply to an exact release only (version X.Y.Z), not '$VERSION'" ;;
    esac
    set -f  # split the list on whitespace, never expand it as a file pattern
    for hash in $HASHES; do
        digits=${hash#sha256:}
        case "$hash" in sha256:*) ;; *) digits=not-hex ;; esac
        case "$digits" in *[!0-9a-f]* | '') digits=not-hex ;; esac
        [ ${#digits} -eq 64 ] || die "hashes: '$hash' is not sha256:<64 lowercase hex digits>"
    done
    set +f
fi
BUNDLED=
if [ -z "$SOURCE" ] && [ "$VERSION" = bundled ]; then
    set -- "$FEATURE_DIR"/dist/cs_registry-*.whl
    [ -e "$1" ] || die "no bundled cs-registry wheel in $FEATURE_DIR/dist. Build this Feature \
folder first: .devcontainer/cs-registry/bundle.sh in a cs-registry checkout (see its README, \
'Dev Container Feature'); or set version to an exact release, or source."
    [ $# -eq 1 ] || die "more than one cs-registry wheel in $FEATURE_DIR/dist; run bundle.sh again"
    BUNDLED=$1
fi

find_python() {
    # The Python Feature puts its interpreter here; the base image's python3 otherwise.
    for candidate in /usr/local/python/current/bin/python3 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

PYTHON=$(find_python) || die "cs-registry needs Python >= 3.10 and none was found on PATH. \
Add the Python Feature (\"ghcr.io/devcontainers/features/python:1\": {}) before this one, \
or use a base image with python3 (Debian/Ubuntu: apt-get install python3 python3-venv)."

if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian and Ubuntu split venv/ensurepip out of python3.
    if command -v apt-get >/dev/null 2>&1; then
        say "installing python3-venv (the base image's Python has no venv module)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
        rm -rf /var/lib/apt/lists/*
    fi
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 \
        || die "$PYTHON has no working venv module; install python3-venv (Debian/Ubuntu) or use the Python Feature."
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
    say "creating $VENV"
    rm -rf "$VENV"
    mkdir -p "$PREFIX"
    "$PYTHON" -m venv "$VENV"
fi

# What to install: a wheel or project directory from this Feature's folder (the
# bundled wheel by default), an exact release, or nothing.
if [ -n "$SOURCE" ]; then
    spec=$(feature_path "$SOURCE")
    [ -e "$spec" ] || die "source '$SOURCE' does not exist ($spec)"
elif [ "$VERSION" = bundled ]; then
    spec=$BUNDLED
elif [ "$VERSION" = none ]; then
    spec=
else
    spec="cs-registry==$VERSION"
fi

if [ -n "$spec" ]; then
    set -- --disable-pip-version-check --no-cache-dir --quiet
    if [ -n "$WHEELDIR" ]; then
        dir=$(feature_path "$WHEELDIR")
        [ -d "$dir" ] || die "wheelDir '$WHEELDIR' is not a directory ($dir)"
        set -- "$@" --no-index --find-links "$dir"
    fi
    if [ -n "$HASHES" ]; then
        # cs-registry itself only if its file matches a hash; then its dependencies
        # (cs-registry is already installed, so pip fetches only what it lacks)
        requirements=$(mktemp)
        trap 'rm -f "$requirements"' EXIT
        printf '%s' "$spec" > "$requirements"
        set -f
        for hash in $HASHES; do printf ' --hash=%s' "$hash" >> "$requirements"; done
        set +f
        echo >> "$requirements"
        say "installing $spec (hash-checked) into $VENV"
        # --force-reinstall: pip checks no hash for what is already installed
        "$VENV/bin/python" -m pip install "$@" --no-deps --force-reinstall --require-hashes \
            -r "$requirements" \
            || die "pip could not install $spec with the given hashes"
    else
        say "installing $spec into $VENV"
    fi
    "$VENV/bin/python" -m pip install "$@" "$spec" \
        || die "pip could not install $spec (offline? set wheelDir to a directory of wheels)"
elif [ -n "${_REMOTE_USER:-}" ] && [ "$_REMOTE_USER" != root ] && id "$_REMOTE_USER" >/dev/null 2>&1; then
    # version "none": the project installs itself later, as the remote user.
    chown -R "$_REMOTE_USER" "$VENV"
fi

for tool in cs-registry docker-credential-cs-registry; do
    # Link a tool only if the installed version has it (link even for "none":
    # a later `pip install -e .` into the venv fills it in).
    if [ -x "$VENV/bin/$tool" ] || [ -z "$spec" ]; then
        ln -sf "$VENV/bin/$tool" "$BIN/$tool"
    fi
done

mkdir -p "$PREFIX/hooks"
for hook in on-create post-create post-start; do
    install -m 0755 "$FEATURE_DIR/hooks/$hook" "$PREFIX/hooks/$hook"
done

# Feature options become the system-level config, the lowest layer: a user's or a
# repository's config file, the environment and flags all override it.
SYSTEM_CONFIG=/etc/cs-registry/config.yaml
MARKER="# written by the cs-registry Dev Container Feature"
if [ "$ECRHELPER" = "true" ]; then
    mkdir -p "$(dirname "$SYSTEM_CONFIG")"
    printf '%s (option ecrHelper)\necr_helper: true\n' "$MARKER" > "$SYSTEM_CONFIG"
elif [ -f "$SYSTEM_CONFIG" ] && head -n 1 "$SYSTEM_CONFIG" | grep -qF "$MARKER"; then
    rm -f "$SYSTEM_CONFIG"  # ours from an earlier run; a file someone else wrote stays
fi

if [ -n "$spec" ]; then
    say "$("$VENV/bin/cs-registry" --version) ready"
else
    say "virtualenv and hooks ready; install the project into $VENV to finish"
fi
