#!/usr/bin/env bash
# Installs the tools the tests need that are not npm dependencies of the package itself:
# Bun (OMP's runtime) from npm's @oven/bun-linux-x64, into .tools/. Prints the bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
BUN_VERSION=1.4.5
bin=.tools/node_modules/@oven/bun-linux-x64/bin
if ! "$bin/bun" --version 2>/dev/null | grep -qx "$BUN_VERSION"; then
  npm install --silent --no-audit --no-fund --prefix .tools "@oven/bun-linux-x64@$BUN_VERSION" >&2
fi
echo "$PWD/$bin"
