#!/usr/bin/env bash
# Installs what Encore needs and is missing: ffmpeg and rabbitmq-server (from apt when we are root on
# Debian/Ubuntu, otherwise it prints the exact command), then the npm packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: Encore needs ${need[*]}. Install them, then run this again:" >&2
    echo "  sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Encore needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

npm ci --no-audit --no-fund
# Processes run compiled JavaScript (dist/); npm scripts rebuild it when a source changed.
node scripts/build.mjs
echo "setup: ready (ffmpeg $(ffmpeg -version | head -1 | cut -d' ' -f3), node $(node --version))"
