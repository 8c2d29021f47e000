#!/usr/bin/env bash
# kill -9 of a real allocator process (embedded Kafka, SQLite, the local API keeping its objects in
# the data folder) at random moments during Service churn, restarted on the same folder each time;
# counts forks, acknowledged decisions lost, IPs held twice, IPs changed across a restart.
# CI runs 10 kills (KillNineChaosTest); this runs KILLS (default 50). SEED replays a run's timing.
#   bench/chaos-kill9.sh            # 50 kills
#   KILLS=100 SEED=42 bench/chaos-kill9.sh
# BROKERS=3: against three Kafka nodes in JVMs of their own (--kafka-bootstrap, replication 3, min ISR 2)
# instead of the embedded broker; the events partition's leader is killed (and restarted) once too.
#   BROKERS=3 KILLS=50 bench/chaos-kill9.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-50}
SEED_ARG=${SEED:+-Dledgerlb.chaos.seed=$SEED}
BROKERS_ARG=${BROKERS:+-Dledgerlb.chaos.brokers=$BROKERS}
./mvnw -B -q -pl allocator -am verify -Dtest=KillNineChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dledgerlb.chaos.kills="$KILLS" $SEED_ARG $BROKERS_ARG | grep '^chaos' || true
grep -h '^chaos' allocator/target/surefire-reports/*KillNineChaosTest*.txt 2>/dev/null || true
