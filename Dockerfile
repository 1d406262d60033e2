# syntax=docker/dockerfile:1
#
# Image for the source-analytics connector, following Airbyte's Python connector layout: build on Airbyte's
# Python connector base image (pinned by version and digest; keep in step with metadata.yaml's
# connectorBuildOptions.baseImage), install the package, run as the base image's non-root `airbyte` user.
#
#   docker build -t airbyte/source-analytics:dev .
#   docker run --rm airbyte/source-analytics:dev spec
#
# `make image` builds it as source-analytics:dev, on a stand-in of the base image built from Debian packages where
# the registry cannot be reached (ci/image/, README: Docker image); nothing here differs for it.
#
# ci/check_packaging.py does what this build does without Docker (wheel -> fresh venv -> spec and check).

ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

# Build stage: pip builds the wheel (manifest.yaml and schemas/ are package data, reached through the links
# in source_analytics/) and installs it, with its pinned CDK, into /usr/local.
FROM ${BASE_IMAGE} AS builder
WORKDIR /airbyte/integration_code
COPY pyproject.toml README.md manifest.yaml ./
COPY schemas ./schemas
COPY source_analytics ./source_analytics
RUN pip install --no-cache-dir --root-user-action=ignore . \
    && source-analytics spec > /dev/null

# Runtime stage: the installed packages only, no sources or build tools.
FROM ${BASE_IMAGE}
WORKDIR /airbyte/integration_code
COPY --from=builder /usr/local /usr/local

LABEL io.airbyte.name=airbyte/source-analytics \
      io.airbyte.version=0.5.0

ENV AIRBYTE_ENTRYPOINT="source-analytics"
# The base image creates the `airbyte` user (uid 1000); Airbyte's images refer to it by name.
# hadolint ignore=DL3066
USER airbyte
ENTRYPOINT ["source-analytics"]
