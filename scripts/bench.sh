#!/usr/bin/env bash
# Lanes benchmarks, as docs/benchmarks.md reports them. Builds the bench module, then:
#   scripts/bench.sh               every benchmark, full size (about 45 minutes on 2 cores)
#   scripts/bench.sh jmh [ARGS]    the JMH hand-off benchmark; ARGS go to JMH (e.g. -p routing=key)
#   scripts/bench.sh slow [K=V...] the slow-handler Kafka workload (e.g. runs=5 workers=32)
#   scripts/bench.sh publish [SECONDS [CLIENTS...]]  HTTP publishing to the local queue through the
#                                  runner jar, 1 and 16 concurrent clients by default
#   scripts/bench.sh drain [broker=kafka|amqp|nsq|all] [K=V...]  no-op drain of a preloaded
#                                  backlog, Lanes against each broker's raw client (records=...,
#                                  runs=...; docs/benchmarks.md, goal 1)
#   scripts/bench.sh latency [transport=local|amqp|kafka|nsq|all] [K=V...]  the latency Lanes
#                                  adds, against each broker's raw client (e.g. rate=20000 runs=5)
#   scripts/bench.sh memory [transport=local,amqp,kafka,nsq|all] [backlog=N] [K=V...]
#                                  heap of a task with a stalled handler over a preloaded backlog
#                                  (1 M by default; the goal's 10 M takes about 40 minutes here),
#                                  per transport, in a consumer JVM with -Xmx256m (goal 5)
#   scripts/bench.sh tiny          every workload at a size of seconds: checks they still run; one cold
#                                  iteration, 400 records: the scores mean little (scripts/test.sh)
# The Kafka workloads need the broker of scripts/brokers.sh on 127.0.0.1:9092, drain also its
# RabbitMQ (127.0.0.1:5672) and NSQ (nsqd 127.0.0.1:4150/4151, nsqlookupd 127.0.0.1:4161). Extra
# Maven flags (e.g. -Dmaven.repo.local=...) go in MVN_FLAGS; BENCH_NO_BUILD=1 uses the module as
# last built.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  mvn -B -q ${MVN_FLAGS:-} -DskipTests package -pl bench,runner -am
fi
cp="bench/target/classes:$(cat bench/target/classpath.txt)"

jmh() {
  java -cp "$cp" org.openjdk.jmh.Main LaneHandoffBenchmark "$@"
}

slow() {
  java -cp "$cp" dev.lanes.bench.SlowHandlerWorkload "$@"
}

drain() {
  java -cp "$cp" dev.lanes.bench.BrokerDrainWorkload "$@"
}

publish() {
  java -cp "$cp" dev.lanes.bench.HttpPublishWorkload "$@"
}

latency() {
  java -cp "$cp" dev.lanes.bench.LatencyWorkload "$@"
}

memory() {
  # RabbitMQ 3.10 keeps a long classic queue in memory unless it is lazy: make the workload's
  # queues lazy (a policy on their name prefix only; needs rabbitmqctl, skipped without it)
  if [[ " $* " != *" tiny "* ]] && command -v rabbitmqctl >/dev/null; then
    rabbitmqctl -q set_policy lanes-bench-memory '^lanes-bench-mem-' '{"queue-mode":"lazy"}' \
      --apply-to queues >/dev/null 2>&1 || echo "note: no lazy-queue policy set" >&2
  fi
  java -cp "$cp" dev.lanes.bench.BacklogMemoryWorkload "$@"
}

what="${1:-all}"
[ $# -gt 0 ] && shift
case "$what" in
  all)
    jmh -foe true -f 3 -wi 3 -i 5 -w 2s -r 2s
    slow runs=5
    publish 10 1 16
    publish 10 1 16
    publish 10 1 16
    drain
    latency
    memory
    ;;
  jmh) jmh "$@" ;;
  slow) slow "$@" ;;
  publish) publish "$@" ;;
  drain) drain "$@" ;;
  latency) latency "$@" ;;
  memory) memory "$@" ;;
  tiny)
    jmh -foe true -f 0 -wi 0 -i 1 -r 100ms
    slow tiny
    publish 1 2
    # C1 only: a JVM of seconds otherwise spends its CPU compiling (12 s, not 16, when loaded)
    java -XX:TieredStopAtLevel=1 -cp "$cp" dev.lanes.bench.BrokerDrainWorkload tiny
    latency tiny
    memory tiny
    ;;
  *)
    echo "usage: scripts/bench.sh [all | jmh [JMH args] | slow [key=value...] | publish [seconds [clients...]] | drain [broker=kafka|amqp|nsq|all] [key=value...] | latency [transport=...] [key=value...] | memory [transport=...] [backlog=N] [key=value...] | tiny]" >&2
    exit 2
    ;;
esac
