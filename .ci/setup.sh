#!/usr/bin/env bash
# Everything a fresh clone needs: npm dependencies, Bun (OMP's runtime) and the release addon.
# Source it: it puts Bun on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# `npm ci` refuses this lock file: @napi-rs/cli's lzma dependency lists platform packages the
# registry does not serve, which `npm install` skips as optional and `npm ci` counts as missing.
npm install --no-audit --no-fund --loglevel=error
export PATH="$(.ci/tools.sh):$PATH"
npx napi build --platform --release
npm run build:extension --silent
