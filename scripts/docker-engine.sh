#!/usr/bin/env bash
# A private Docker engine for the container broker environment, for machines that have none running.
#   up    reuse an engine that already answers, or install docker.io and start our own dockerd; the last
#         line on stdout is `export DOCKER_HOST=...` (eval it) whenever DOCKER_HOST is needed.
#   down  stop the dockerd that `up` started (never somebody else's) with everything it spawned, and
#         remove the bridge, firewall rules and sysctl changes it made. The image cache is kept.
# Both are idempotent. Progress goes to stderr so stdout stays eval-able.
set -euo pipefail

SOCK=unix:///run/encore-docker.sock
DATA_ROOT=/var/lib/encore-docker
EXEC_ROOT=/run/encore-docker-exec
PIDFILE=/run/encore-docker.pid
MARKER=/run/encore-docker.started
LOG=/tmp/encore-dockerd.log

say() { echo "docker-engine: $*" >&2; }
answers() { timeout 10 docker "$@" info >/dev/null 2>&1; }
# A zombie counts as gone: orphans here are reaped late by pid 1.
alive() {
  local stat
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) } # the state follows the command name, which may contain spaces
  [ "${stat%% *}" != Z ]
}

install_docker() {
  command -v dockerd >/dev/null 2>&1 && return
  say "installing docker.io with apt-get"
  local t0=$SECONDS guard=""
  # Debian's postinst would start a system dockerd on /var/run/docker.sock: forbid service starts while
  # installing, unless the machine already has such a policy.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq docker.io >/dev/null
  if [ -n "$guard" ]; then rm -f "$guard" && trap - EXIT; fi
  say "docker.io installed in $((SECONDS - t0)) s"
}

# State `down` restores; what existed before is left alone.
record_host_state() {
  flag() {
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then echo "$name=1"; else echo "$name=0"; fi
  }
  {
    echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
    echo "forward_policy=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" { print $3 }')"
    echo "nft_tables=$(nft list tables 2>/dev/null | awk '{ printf "%s:%s,", $2, $3 }')"
    flag docker_chains sh -c "iptables -S | grep -q -- '-N DOCKER'"
    flag docker0 ip link show docker0
    flag run_docker test -e /run/docker
    flag run_containerd test -e /run/containerd
  } >"$MARKER"
}
before() { sed -n "s/^$1=//p" "$MARKER"; }

up() {
  if answers; then
    say "a Docker engine already answers${DOCKER_HOST:+ at $DOCKER_HOST}; using it"
    if [ -n "${DOCKER_HOST:-}" ]; then echo "export DOCKER_HOST=$DOCKER_HOST"; fi
    return
  fi
  if [ -e "$MARKER" ] && answers -H "$SOCK"; then
    say "our engine is already up"
    echo "export DOCKER_HOST=$SOCK"
    return
  fi
  # A marker without a live engine: a crash or a reboot. Tidy up as `down` would, then start afresh.
  if [ -e "$MARKER" ]; then down; fi
  install_docker
  local t0 pid
  t0=$(date +%s.%N)
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  record_host_state
  say "starting dockerd on $SOCK (log $LOG)"
  # setsid: its own session, so a Ctrl-C in the caller's terminal does not reach it.
  setsid dockerd -H "$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE" \
    >"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "pid=$pid" >>"$MARKER"
  local deadline=$((SECONDS + 60))
  until answers -H "$SOCK"; do
    if ! alive "$pid"; then
      say "dockerd exited during startup; last lines of $LOG:"
      tail -n 20 "$LOG" >&2
      down
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "dockerd did not answer within 60 s; last lines of $LOG:"
      tail -n 20 "$LOG" >&2
      down
      exit 1
    fi
    sleep 0.2
  done
  say "engine ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  echo "export DOCKER_HOST=$SOCK"
}

# Every process whose command line names our exec root (dockerd, containerd, the shims) and all their
# descendants: docker-proxy, and the containers' own processes, which outlive a killed shim otherwise.
our_processes() {
  local p cmd
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    # Read in bash, not with grep: a grep given the path would find itself.
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    if [[ $cmd == *"$EXEC_ROOT"* ]]; then
      echo "${p#/proc/}"
      descendants "${p#/proc/}"
    fi
  done
}

descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

wait_gone() {
  local deadline=$((SECONDS + $1)) p
  shift
  while [ "$SECONDS" -lt "$deadline" ]; do
    local left=0
    for p in "$@"; do if alive "$p"; then left=1; fi; done
    [ "$left" = 0 ] && return 0
    sleep 0.2
  done
  return 1
}

stop_processes() {
  local pid
  pid=$(sed -n 's/^pid=//p' "$MARKER" 2>/dev/null || true)
  [ -z "$pid" ] && pid=$(cat "$PIDFILE" 2>/dev/null || true)
  # Only if that pid is still a dockerd: a reused pid belongs to somebody else.
  if alive "$pid" && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") != *"--exec-root $EXEC_ROOT"* ]]; then pid=""; fi
  local -a others
  mapfile -t others < <(our_processes | sort -u)
  if alive "$pid"; then
    say "stopping dockerd ($pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if wait_gone 20 "$pid"; then
      others=() # a clean exit took its children along; their pids may be somebody else's by now
    else
      say "dockerd still running after 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone 5 "$pid" || true
    fi
  fi
  # After a SIGKILL or a crash, containerd, the shims, docker-proxy and the containers live on.
  mapfile -t -O "${#others[@]}" others < <(our_processes | sort -u)
  local p
  for p in "${others[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  if [ "${#others[@]}" -gt 0 ] && ! wait_gone 10 "${others[@]}"; then
    for p in "${others[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait_gone 5 "${others[@]}" || true
  fi
}

unmount_leftovers() {
  local m
  # Deepest first; only mounts under our own roots.
  awk -v a="$EXEC_ROOT" -v b="$DATA_ROOT" 'index($2, a) == 1 || index($2, b "/") == 1 { print $2 }' /proc/mounts |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # dockerd bind-mounts its data root onto itself to make it private, and undoes that only on a clean exit
  # of the dockerd that made it. A disk mounted there on purpose has FSROOT "/" and is left alone.
  local root
  while root=$(findmnt -n -o FSROOT --mountpoint "$DATA_ROOT" 2>/dev/null | tail -n 1) && [ -n "$root" ] && [ "$root" != / ]; do
    umount "$DATA_ROOT" 2>/dev/null || break
  done
}

# Prints the rules dockerd added outside its own chains: those that jump to a DOCKER* chain or name docker0,
# and the per-port hairpin MASQUERADE rules of containers on the bridge's subnet ($2, a.b.c.d/n), which stay
# behind when dockerd is killed.
docker_rules() {
  iptables -t "$1" -S 2>/dev/null | awk -v subnet="${2:-}" '
    function ip2n(ip, p) { split(ip, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
    function in_subnet(addr, net, bits, size) {
      if (subnet == "") return 0
      split(subnet, net, "/"); bits = net[2]; size = 2 ^ (32 - bits)
      sub("/32$", "", addr)
      return int(ip2n(addr) / size) == int(ip2n(net[1]) / size)
    }
    $1 != "-A" || $2 ~ /^DOCKER/ { next }
    /-j DOCKER|docker0/ { print; next }
    $2 == "POSTROUTING" && $3 == "-s" && $5 == "-d" && $4 == $6 && /-j MASQUERADE/ && in_subnet($4) { print }'
}

# Removes the rules dockerd added (see docker_rules), then its chains.
clean_firewall() {
  command -v iptables >/dev/null 2>&1 || return 0
  local table rule chain
  for table in filter nat; do
    docker_rules "$table" "$1" |
      while read -r rule; do
        # shellcheck disable=SC2086 # the rule is iptables' own word list
        iptables -t "$table" ${rule/#-A/-D} 2>/dev/null || true
      done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ { print $2 }'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ { print $2 }'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

# iptables-nft leaves the tables it created behind, empty: drop those that did not exist before `up`.
drop_empty_tables() {
  command -v nft >/dev/null 2>&1 && command -v iptables >/dev/null 2>&1 || return 0
  local table
  for table in filter nat; do
    [[ $(before nft_tables) == *"ip:$table,"* ]] && continue
    nft list table ip "$table" >/dev/null 2>&1 || continue
    if iptables -t "$table" -S 2>/dev/null | grep -q -v -E '^-P [A-Z]+ ACCEPT$'; then continue; fi
    nft delete table ip "$table" 2>/dev/null || true
  done
}

restore_host_state() {
  local subnet
  subnet=$(ip -4 -o addr show docker0 2>/dev/null | awk '{ print $4; exit }')
  if [ "$(before docker0)" = 0 ] && ip link show docker0 >/dev/null 2>&1; then ip link delete docker0 || true; fi
  if [ "$(before docker_chains)" = 0 ]; then clean_firewall "$subnet"; fi
  if [ -n "$(before forward_policy)" ] && command -v iptables >/dev/null 2>&1; then
    iptables -P FORWARD "$(before forward_policy)" 2>/dev/null || true
  fi
  drop_empty_tables
  local forward
  forward=$(before ip_forward)
  if [ -n "$forward" ]; then echo "$forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null || true; fi
  # dockerd makes /run/docker/plugins and the shims /run/containerd/s whatever the exec root; rmdir keeps
  # them if anything else is inside.
  if [ "$(before run_docker)" = 0 ]; then rmdir /run/docker/plugins /run/docker 2>/dev/null || true; fi
  if [ "$(before run_containerd)" = 0 ]; then rmdir /run/containerd/s /run/containerd 2>/dev/null || true; fi
}

down() {
  if [ ! -e "$MARKER" ]; then
    say "no engine of ours is running; nothing to stop"
    return
  fi
  stop_processes
  unmount_leftovers
  restore_host_state
  rm -rf "$EXEC_ROOT"
  rm -f "$PIDFILE" "${SOCK#unix://}" "$MARKER"
  say "engine stopped and cleaned (image cache kept in $DATA_ROOT)"
}

case "${1:-}" in
up) up ;;
down) down ;;
*)
  echo "usage: $0 up|down" >&2
  exit 2
  ;;
esac
