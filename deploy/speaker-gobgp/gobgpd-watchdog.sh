#!/bin/bash
# The gobgpd sidecar's entrypoint: gobgpd runs only while the speaker beside it is alive. A
# separate container's life is not tied to the speaker's, so a dead speaker's gobgpd would keep
# its sessions, and the routers its paths, until their hold timers expire (90 s by default) or the
# restarted speaker reconciled it. Here gobgpd is killed as soon as the speaker's metrics port
# refuses connections (its process is gone; a busy or paused JVM still accepts), which closes its
# sessions so the routers withdraw the paths at once, and started again when the speaker is back
# (the speaker's gobgp-bridge then adds every neighbor and path again).
set -u
port="${SPEAKER_METRICS_PORT:-7472}"
gobgpd="${GOBGPD_BINARY:-/usr/bin/gobgpd}"

speaker_alive() {
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

trap 'kill -TERM "${pid:-}" 2>/dev/null; exit 0' TERM INT
while true; do
    until speaker_alive; do sleep 0.2; done
    "$gobgpd" --api-hosts "$GOBGPD_API_HOSTS" -l "${GOBGPD_LOG_LEVEL:-info}" -p --pprof-disable &
    pid=$!
    echo "gobgpd-watchdog: speaker answers on 127.0.0.1:$port, gobgpd started (pid $pid)" >&2
    while kill -0 "$pid" 2>/dev/null && speaker_alive; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "gobgpd-watchdog: the speaker does not answer on 127.0.0.1:$port: gobgpd killed, its sessions closed" >&2
        kill -KILL "$pid"
    else
        echo "gobgpd-watchdog: gobgpd exited; starting it again" >&2
        sleep 1
    fi
    wait "$pid" 2>/dev/null
done
