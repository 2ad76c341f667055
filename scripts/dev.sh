#!/usr/bin/env bash
# One entry point for a fresh machine (Node >= 20.19 and npm; pnpm optional).
#   bash scripts/dev.sh demo   -> install, build, run the demo
#   bash scripts/dev.sh test   -> install, build, run the whole test suite
#   bash scripts/dev.sh <script> [args...] -> install, build, run any root script
# pnpm is taken from PATH when it has the pinned major version; otherwise the pinned version is
# installed into .tools/ (inside the repository, no root needed).
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
major=${pinned%%.*}

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "$major" ]; then
  if [ ! -x ".tools/node_modules/.bin/pnpm" ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$pinned" ]; then
    echo "[dev] installing pnpm@$pinned into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$pinned" >&2
  fi
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
fi

# The fleet tests start a real redis-server: install it with apt-get when it is missing and we
# may (root); otherwise say how.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[dev] installing redis-server (apt-get)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  else
    echo "[dev] redis-server is not installed; the fleet tests need it (apt-get install redis-server)" >&2
  fi
fi

task=${1:-test}
shift || true

if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile >&2
else
  pnpm install --prefer-offline >&2
fi
pnpm run build >&2
exec pnpm run "$task" "$@"
