#!/usr/bin/env bash
# `make image`: build the connector image from the Dockerfile, as it is, and print the build time and size.
#
#   ci/image/build.sh [IMAGE]        default IMAGE: source-analytics:dev
#
# The base image is the Dockerfile's BASE_IMAGE (Airbyte's Python connector base, pinned by digest), or the
# BASE_IMAGE given in the environment:
#   - when the engine has it already, the build uses it, with the host's network (pip fetches the dependencies
#     from the package index);
#   - when it has not and PULL_BASE=1, it is pulled first;
#   - otherwise (no registry access, as on the project's machines and in CI: this script never tries the
#     registry unless told to) ci/image/standin.sh builds a stand-in from Debian packages that carries a
#     wheelhouse of the dependencies, and the build runs with no network at all (`--network none`).
# The Dockerfile is the same in all three cases; only its BASE_IMAGE differs.
#
# The legacy builder builds it (DOCKER_BUILDKIT=0): BuildKit would fetch the `docker/dockerfile` frontend that
# the Dockerfile's syntax line names from the registry, and Debian's docker.io has no buildx.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${1:-${IMAGE:-source-analytics:dev}}
AIRBYTE_BASE=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)
BASE_IMAGE=${BASE_IMAGE:-$AIRBYTE_BASE}
export DOCKER_BUILDKIT=0
LOG=build/image/docker-build.log

log() { echo "[image] $*"; }
megabytes() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

if ! docker info >/dev/null 2>&1; then
    log "no Docker engine answers (\`docker info\` failed): install one (Debian: apt-get install docker.io) and start it"
    log "as this machine allows (.ci/run does: dockerd --bridge=none --iptables=false)"
    exit 1
fi
mkdir -p build/image

started=$(date +%s)
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "base image $BASE_IMAGE: in the engine"
    network=host
elif [ "${PULL_BASE:-0}" = 1 ] && docker pull --quiet "$BASE_IMAGE" >/dev/null; then
    log "base image $BASE_IMAGE: pulled"
    network=host
else
    log "base image $BASE_IMAGE: not in the engine (PULL_BASE=1 would try the registry);"
    log "building a stand-in from Debian packages with a wheelhouse of the dependencies (ci/image/standin.sh)"
    BASE_IMAGE=$(bash ci/image/standin.sh)
    network=none
    log "stand-in $BASE_IMAGE ready in $(( $(date +%s) - started )) s ($(megabytes "$BASE_IMAGE"))"
fi

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
previous=$(image_id "$IMAGE")
build_started=$(date +%s)
if ! docker build --network "$network" --build-arg "BASE_IMAGE=$BASE_IMAGE" --tag "$IMAGE" . > "$LOG" 2>&1; then
    tail -40 "$LOG"
    log "docker build failed; its whole output is in $LOG"
    exit 1
fi
finished=$(date +%s)
# A rebuild leaves the images it replaced behind, untagged: the previous image, and on the stand-in (labelled
# org.source-analytics.standin, as is all that is built on it) the build stage's images of earlier builds.
# Those of this build stay, as the cache of the next one.
if [ -n "$previous" ] && [ "$previous" != "$(image_id "$IMAGE")" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
    docker image prune --force --filter label=org.source-analytics.standin --filter "until=$build_started" >/dev/null
fi

base_size=$(docker image inspect --format '{{.Size}}' "$BASE_IMAGE")
image_size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
log "built $IMAGE from the Dockerfile on $BASE_IMAGE (--network $network)"
log "build time: $(( finished - build_started )) s docker build, $(( finished - started )) s in all"
log "image size: $(megabytes "$IMAGE"): base $(awk "BEGIN {printf \"%.0f\", $base_size / 1e6}") MB +" \
    "connector $(awk "BEGIN {printf \"%.0f\", ($image_size - $base_size) / 1e6}") MB (the installed packages)"
