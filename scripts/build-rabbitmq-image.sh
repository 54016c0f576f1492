#!/usr/bin/env bash
# Builds the RabbitMQ image for the container broker environment without a container registry: a Debian
# base made with debootstrap from this machine's own apt mirror, then rabbitmq-server from the same mirror.
# Uses the engine DOCKER_HOST points at (scripts/docker-engine.sh up). Exits at once if the image exists.
#   ENCORE_RABBITMQ_IMAGE  image to build (default encore/rabbitmq-offline:3.10)
#   ENCORE_DEBIAN_MIRROR   Debian mirror (default: the bookworm mirror in /etc/apt/sources.list.d/)
#   ENCORE_BUILD_NETWORK   network for `docker build` (default host, see below)
set -euo pipefail

IMAGE=${ENCORE_RABBITMQ_IMAGE:-encore/rabbitmq-offline:3.10}
BASE=encore/debian-minbase:bookworm
# The build only needs the apt mirror, exactly as this machine reaches it: the host network spares us
# depending on the bridge's NAT and DNS, which some sandboxes do not forward.
NETWORK=${ENCORE_BUILD_NETWORK:-host}

say() { echo "build-rabbitmq-image: $*" >&2; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }
elapsed() { echo "$((SECONDS - $1)) s"; }

if ! timeout 10 docker info >/dev/null 2>&1; then
  say "no Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}; start one: eval \"\$(bash scripts/docker-engine.sh up)\""
  exit 1
fi
if has_image "$IMAGE"; then
  say "$IMAGE already exists"
  exit 0
fi

# Prints "main URL" and "security URL" for the bookworm entries of apt's sources (deb822 and one-line).
apt_mirrors() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk 'function flush() {
           if (enabled && uris != "" && (" " suites " ") ~ / bookworm-security /) print "security", uris
           else if (enabled && uris != "" && (" " suites " ") ~ / bookworm /) print "main", uris
           uris = ""; suites = ""; enabled = 1
         }
         BEGIN { enabled = 1 }
         /^[ \t]*$/ { flush(); next }
         tolower($1) == "uris:" { uris = $2 }
         tolower($1) == "suites:" { $1 = ""; suites = $0 }
         tolower($1) == "enabled:" && tolower($2) == "no" { enabled = 0 }
         END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] || continue
    sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm-security" { print "security", $2 }
                                        $1 == "deb" && $3 == "bookworm" { print "main", $2 }'
  done
}

MIRROR=${ENCORE_DEBIAN_MIRROR:-$(apt_mirrors | awk '$1 == "main" { print $2; exit }')}
SECURITY=$(apt_mirrors | awk '$1 == "security" { print $2; exit }')
if [ -z "$MIRROR" ]; then
  say "no bookworm mirror found in /etc/apt/sources.list*; set ENCORE_DEBIAN_MIRROR"
  exit 1
fi
say "mirror $MIRROR${SECURITY:+ (security: $SECURITY)}"

WORK=$(mktemp -d /var/tmp/encore-image.XXXXXX)
cleanup() {
  # debootstrap mounts /proc and /sys inside the rootfs and may leave them after a failure: unmount
  # before deleting, and never cross into another file system.
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
started=$SECONDS

if ! has_image "$BASE"; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    t=$SECONDS
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq debootstrap >/dev/null
    say "debootstrap installed in $(elapsed "$t")"
  fi
  say "debootstrap bookworm (minbase) into $WORK/rootfs"
  t=$SECONDS
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
    tail -n 30 "$WORK/debootstrap.log" >&2
    exit 1
  }
  say "debootstrap done in $(elapsed "$t")"
  t=$SECONDS
  tar -C "$WORK/rootfs" --one-file-system -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  say "imported $BASE in $(elapsed "$t")"
  rm -rf --one-file-system "$WORK/rootfs"
else
  say "reusing $BASE"
fi

mkdir -p "$WORK/context"
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$MIRROR"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$SECURITY" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$SECURITY"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} >"$WORK/context/debian.sources"
cat >"$WORK/context/rabbitmq.conf" <<'EOF'
# All interfaces: the engine maps these ports to the host.
listeners.tcp.default = 5672
stomp.listeners.tcp.1 = 61613
management.tcp.port = 15672
# guest/guest from outside the container.
loopback_users = none
# Counters fresh enough for the harness to read at the end of a run.
collect_statistics_interval = 500
EOF
cat >"$WORK/context/Dockerfile" <<EOF
FROM $BASE
COPY debian.sources /etc/apt/sources.list.d/debian.sources
# policy-rc.d: the package's postinst must not start a broker inside the build.
RUN printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\
 && rm -f /etc/apt/sources.list \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && rabbitmq-plugins enable --offline rabbitmq_stomp rabbitmq_management \\
 && mkdir -p /etc/rabbitmq/conf.d
COPY rabbitmq.conf /etc/rabbitmq/rabbitmq.conf
# The /usr/sbin wrappers send the log to a file (or su to rabbitmq); the real scripts run in the foreground.
ENV LANG=C.UTF-8 HOME=/var/lib/rabbitmq RABBITMQ_LOGS=- \\
    PATH=/usr/lib/rabbitmq/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER rabbitmq
WORKDIR /var/lib/rabbitmq
EXPOSE 5672 15672 61613
CMD ["rabbitmq-server"]
EOF

say "building $IMAGE (network $NETWORK)"
t=$SECONDS
# The legacy builder: Debian's engine and a client without buildx both have it.
DOCKER_BUILDKIT=0 docker build --network "$NETWORK" -t "$IMAGE" "$WORK/context" >"$WORK/build.log" 2>&1 || {
  tail -n 40 "$WORK/build.log" >&2
  exit 1
}
say "built $IMAGE in $(elapsed "$t") (total $(elapsed "$started"))"
