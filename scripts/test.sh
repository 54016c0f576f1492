#!/usr/bin/env bash
# The README's test command: installs what the tests need, brings up a Docker engine (its own, stopped again
# afterwards, unless one already runs) and the offline RabbitMQ image, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
engine=$(bash scripts/docker-engine.sh up)
eval "$engine"
trap 'bash scripts/docker-engine.sh down' EXIT
bash scripts/build-rabbitmq-image.sh
npm test
