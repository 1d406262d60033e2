#!/usr/bin/env bash
# Build a stand-in for Airbyte's Python connector base image from Debian packages, for machines that cannot
# pull the real one (no registry access, as on the project's machines and in CI). Prints the tag on stdout.
#
#   ci/image/standin.sh [TAG]          default TAG: source-analytics-standin:bookworm
#
# What the Dockerfile needs from its base, and the stand-in gives it like Airbyte's base does: Python 3.11 with
# pip installing into /usr/local, and the non-root user `airbyte` (uid 1000). It is made in two layers:
#   1. a Debian bookworm root file system (debootstrap --variant=minbase, from the mirror apt already uses, with
#      python3, python3-venv and python3-pip), imported as source-analytics-standin-rootfs:<recipe hash>; kept
#      in the engine and reused until this script changes;
#   2. a wheelhouse of the project's dependencies (and of its build backend), made on the host with pip, at
#      /wheels, and /etc/pip.conf with no-index and find-links=/wheels: the image build then needs no network
#      (`docker build --network none`) and its pip installs only these wheels.
# Needs root (debootstrap, chroot) and a running Docker engine; installs debootstrap with apt-get if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

TAG=${1:-source-analytics-standin:bookworm}
PYTHON=${PYTHON:-.venv/bin/python}
SUITE=bookworm
PACKAGES=python3,python3-venv,python3-pip
WORK=build/image
export DOCKER_BUILDKIT=0  # the legacy builder: see ci/image/build.sh

log() { echo "[standin] $*" >&2; }

# The Debian mirror apt uses on this machine (deb822 sources first, then the one-line format).
debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && u && $0 ~ /(^| )'"$SUITE"'( |$)/ {print u; exit}' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "'"$SUITE"'" {print $2; exit}' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

build_rootfs() {
    if ! command -v debootstrap >/dev/null; then
        log "installing debootstrap (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap; } \
            > "$WORK/apt-get.log" 2>&1 || { tail -20 "$WORK/apt-get.log" >&2; return 1; }
    fi
    local mirror root
    mirror=$(debian_mirror)
    root=$(mktemp -d /var/tmp/source-analytics-rootfs.XXXXXX)
    # debootstrap mounts /proc and /sys in the target; never leave them mounted or the tree behind.
    trap 'umount -lq "'"$root"'/proc" "'"$root"'/sys" 2>/dev/null || true; rm -rf --one-file-system "'"$root"'"' EXIT
    log "debootstrap $SUITE (minbase + $PACKAGES) from $mirror"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" > "$WORK/debootstrap.log" 2>&1 \
        || { tail -30 "$WORK/debootstrap.log" >&2; return 1; }
    # The user Airbyte's base image creates, and pip as Airbyte's base has it: root installs into /usr/local
    # (Debian's pip already targets /usr/local/lib/python3.11/dist-packages), no PEP 668 refusal.
    chroot "$root" useradd --uid 1000 --user-group --create-home --shell /bin/bash airbyte
    rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
    # No package caches, lists or docs in the image.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/* \
        "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
    umount -lq "$root/proc" "$root/sys" 2>/dev/null || true
    tar --numeric-owner --one-file-system -C "$root" -cf - . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        --message "Debian $SUITE minbase + $PACKAGES, user airbyte (uid 1000); ci/image/standin.sh $RECIPE" \
        - "$ROOTFS_TAG" >/dev/null
    rm -rf --one-file-system "$root"
    trap - EXIT
}

# The wheelhouse: the project's dependencies and build backend, as wheels for the host's Python, which must be
# the stand-in's (3.11) for the compiled ones to fit.
build_wheelhouse() {
    local context=$1 requirements
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
        || { log "$PYTHON is not Python 3.11, the stand-in's Python: its wheels would not fit"; return 1; }
    requirements=$("$PYTHON" -c '
import tomllib
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)
print("\n".join(project["project"]["dependencies"] + project["build-system"]["requires"]))')
    rm -rf "$context/wheels.new"
    mkdir -p "$context/wheels.new"
    log "wheelhouse: pip wheel $(echo $requirements)"
    # shellcheck disable=SC2086
    "$PYTHON" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$context/wheels.new" $requirements \
        > "$WORK/wheelhouse.log" 2>&1 || { tail -30 "$WORK/wheelhouse.log" >&2; return 1; }
    # The same wheels as last time: keep last time's files, so the engine's layer cache still holds.
    if [ -d "$context/wheels" ] && diff -q <(ls "$context/wheels") <(ls "$context/wheels.new") >/dev/null; then
        rm -rf "$context/wheels.new"
    else
        rm -rf "$context/wheels"
        mv "$context/wheels.new" "$context/wheels"
    fi
}

# The root file system is rebuilt when its recipe changes, and only then.
RECIPE=$( (echo "$SUITE $PACKAGES"; declare -f build_rootfs) | sha256sum | cut -c1-12)
ROOTFS_TAG=source-analytics-standin-rootfs:$RECIPE

mkdir -p "$WORK"
if docker image inspect "$ROOTFS_TAG" >/dev/null 2>&1; then
    log "root file system $ROOTFS_TAG is in the engine already"
elif [ "$(id -u)" != 0 ]; then
    log "building the stand-in's root file system needs root (debootstrap, chroot): run make image as root once,"
    log "or give the engine Airbyte's base image (make image PULL_BASE=1 where the registry is reachable)"
    exit 1
else
    build_rootfs
    # Root file systems of earlier recipes are of no further use.
    docker image ls --format '{{.Repository}}:{{.Tag}}' source-analytics-standin-rootfs \
        | grep -vxF "$ROOTFS_TAG" | xargs -r docker image rm >/dev/null 2>&1 || true
fi

context=$WORK/standin
mkdir -p "$context"
build_wheelhouse "$context"
printf '[global]\nno-index = true\nfind-links = /wheels\ndisable-pip-version-check = true\n' > "$context/pip.conf"
printf 'FROM %s\nLABEL org.source-analytics.standin=%s\nCOPY wheels/ /wheels/\nCOPY pip.conf /etc/pip.conf\n' \
    "$ROOTFS_TAG" "$SUITE" > "$context/Dockerfile"
docker build --network none -t "$TAG" "$context" > "$WORK/standin-build.log" 2>&1 \
    || { tail -30 "$WORK/standin-build.log" >&2; exit 1; }
log "$TAG: $(ls "$context/wheels" | wc -l) wheels ($(du -sh "$context/wheels" | cut -f1)) on $ROOTFS_TAG"
echo "$TAG"
