#!/usr/bin/env bash
# The README's test command: installs what the tests need (setup, plus Chromium), brings up a Docker engine
# (its own, stopped again afterwards, unless one already runs) and the offline RabbitMQ image, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The report tests open report.html in a real headless Chromium (Debian's; no browser download).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing chromium with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "test: the report tests need Chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
engine=$(bash scripts/docker-engine.sh up)
eval "$engine"
trap 'bash scripts/docker-engine.sh down' EXIT
bash scripts/build-rabbitmq-image.sh
npm test
