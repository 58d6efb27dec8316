#!/usr/bin/env bash
# Real brokers on loopback for Lanes' integration tests and benchmarks.
#
#   scripts/brokers.sh start   [rabbitmq|nsq|kafka|toxiproxy ...]   (default: all four)
#   scripts/brokers.sh stop    [rabbitmq|nsq|kafka|toxiproxy ...]
#   scripts/brokers.sh restart [rabbitmq|nsq|kafka|toxiproxy ...]
#   scripts/brokers.sh status  [rabbitmq|nsq|kafka|toxiproxy ...]
#
# start installs whatever is missing (Debian packages, NSQ 1.3.0 and Toxiproxy
# 2.12.0 built from the Go module proxy, Kafka 4.1.1 jars from Maven Central),
# starts whatever is not
# running and returns only once each broker accepts client calls. It is
# idempotent: when everything is up it is a fast no-op. Any broker that cannot
# be installed or started makes it exit non-zero with a one-line reason and the
# tail of that broker's log on stderr.
#
#   RabbitMQ 3.10  127.0.0.1:5672  guest/guest   (Debian rabbitmq-server; data in
#                  /var/lib/rabbitmq/lanes-brokers, emptied on every cold start;
#                  plugin rabbitmq_consistent_hash_exchange enabled)
#   NSQ 1.3.0      nsqd 127.0.0.1:4150 (http 4151), nsqlookupd 127.0.0.1:4160 (http 4161)
#                  (nsqd's data emptied when both start cold)
#   Kafka 4.1.1    127.0.0.1:9092 (KRaft, single node; controller on 127.0.0.1:9093;
#                  log emptied on every cold start)
#   Toxiproxy 2.12 API on 127.0.0.1:8474 (toxiproxy-server, no proxies of its own:
#                  the fault tests create theirs between a runner and a broker)
#
# Everything built, downloaded or stored by this script (apart from the Debian
# packages and Go's shared module and build caches) lives under
#   ${LANES_BROKERS_HOME:-$HOME/.cache/lanes-brokers}/{bin,kafka-libs,conf,data,logs,pids,build}
# Also installed: amqp-tools (amqp-publish, amqp-get, ...), kcat, and
# $LANES_BROKERS_HOME/bin/{to_nsq,nsq_tail} as foreign clients for tests.
# The Kafka CLI tools run from the same jars:
#   java -cp "$LANES_BROKERS_HOME/kafka-libs/*" org.apache.kafka.tools.TopicCommand ...
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BROKERS_HOME=${LANES_BROKERS_HOME:-$HOME/.cache/lanes-brokers}
BIN=$BROKERS_HOME/bin
LIBS=$BROKERS_HOME/kafka-libs
CONF=$BROKERS_HOME/conf
DATA=$BROKERS_HOME/data
LOGS=$BROKERS_HOME/logs
PIDS=$BROKERS_HOME/pids
BUILD=$BROKERS_HOME/build

ALL_BROKERS=(rabbitmq nsq kafka toxiproxy)
APT_PACKAGES_rabbitmq=(rabbitmq-server amqp-tools)
APT_PACKAGES_kafka=(kcat)
NSQ_TOOLS=(nsqd nsqlookupd to_nsq nsq_tail)
KAFKA_HEAP=${LANES_KAFKA_HEAP:--Xmx768m}
WAIT_SECONDS=${LANES_BROKERS_WAIT:-120}
# The test node's own mnesia base, apart from Debian's default node data. It is
# emptied whenever the node is started cold: queues left behind by earlier runs
# would otherwise pile up and slow every later boot (each durable queue is
# recovered, with one file handle each).
RABBIT_DATA=/var/lib/rabbitmq/lanes-brokers
# Open files for the broker processes (RabbitMQ wants one per queue).
OPEN_FILES=65536

prog=brokers.sh

# ---------------------------------------------------------------- helpers

usage() {
  echo "usage: $prog start|stop|restart|status [rabbitmq|nsq|kafka|toxiproxy ...]" >&2
  exit 2
}

# fail NAME REASON [LOG...]: one-line reason, then the tail of each log, exit 1.
fail() {
  local name=$1 reason=$2 log
  shift 2
  echo "$prog: $name: $reason" >&2
  for log in "$@"; do
    if [[ -s $log ]]; then
      echo "---- last 40 lines of $log ----" >&2
      tail -n 40 "$log" >&2
    fi
  done
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_of NAME PATTERN: print the pid recorded for NAME if that process is alive
# (not a zombie) and its command line contains PATTERN.
pid_of() {
  local file=$PIDS/$1.pid pid state
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# launch NAME LOG CMD...: run CMD as a daemon in its own session, output to LOG
# (the previous LOG is kept as LOG.1), pid in $PIDS/NAME.pid. The lock fd 9 is
# closed so a daemon never holds this script's lock.
launch() {
  local name=$1 log=$2 pidfile=$PIDS/$1.pid i
  shift 2
  [[ -f $log ]] && mv -f "$log" "$log.1"
  rm -f "$pidfile"
  setsid bash -c 'echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
    </dev/null >"$log" 2>&1 9>&- &
  for ((i = 0; i < 100; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.05
  done
  fail "$name" "could not launch $1" "$log"
}

# stop_pid NAME PATTERN: TERM the recorded process, KILL it after 30 s.
stop_pid() {
  local name=$1 pid i
  if pid=$(pid_of "$1" "$2"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      pid_of "$1" "$2" >/dev/null || break
      sleep 0.1
    done
    if pid_of "$1" "$2" >/dev/null; then
      echo "$prog: $name: did not stop within 30 s, killing pid $pid" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$PIDS/$name.pid"
}

have() { command -v "$1" >/dev/null 2>&1; }

# Raises this shell's open-file limit (inherited by the brokers it starts) to
# OPEN_FILES, or as far as the hard limit allows.
raise_open_files() {
  ulimit -n "$OPEN_FILES" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif have sudo; then sudo -n "$@"
  else echo "$prog: need root to run: $*" >&2; return 1
  fi
}

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

go_cmd() {
  if have go; then echo go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else return 1
  fi
}

# ---------------------------------------------------------------- readiness

rabbitmq_ready() { port_open 5672; }

nsqlookupd_ready() { curl -fsS -m 2 http://127.0.0.1:4161/ping >/dev/null 2>&1; }
nsqd_ready() { curl -fsS -m 2 http://127.0.0.1:4151/ping >/dev/null 2>&1; }
nsq_ready() { nsqlookupd_ready && nsqd_ready; }

# A port check, then a real metadata request through librdkafka.
kafka_ready() {
  port_open 9092 || return 1
  if have kcat; then
    kcat -b 127.0.0.1:9092 -L -m 3 2>/dev/null | grep -q '^ *1 brokers:' || return 1
  fi
}

toxiproxy_ready() { curl -fsS -m 2 http://127.0.0.1:8474/version >/dev/null 2>&1; }

ready() { "${1}_ready"; }

# ---------------------------------------------------------------- install

missing_apt_packages() {
  local b p
  local -a want=()
  for b in "$@"; do
    case $b in
      rabbitmq) want+=("${APT_PACKAGES_rabbitmq[@]}") ;;
      kafka) want+=("${APT_PACKAGES_kafka[@]}") ;;
    esac
  done
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

install_apt() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq -o DPkg::Lock::Timeout=300
  as_root apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
}

nsq_stamp() { stamp_of "$SCRIPT_DIR"/nsq-build/go.mod "$SCRIPT_DIR"/nsq-build/go.sum "$SCRIPT_DIR"/nsq-build/tools.go; }

nsq_installed() {
  local t
  for t in "${NSQ_TOOLS[@]}"; do [[ -x $BIN/$t ]] || return 1; done
  [[ -f $BIN/.nsq-stamp && $(<"$BIN/.nsq-stamp") == "$(nsq_stamp)" ]]
}

install_nsq() {
  local go dir=$BUILD/nsq t
  go=$(go_cmd) || { echo "no Go toolchain found (need go >= 1.22 on PATH)"; return 1; }
  rm -rf "$dir"
  mkdir -p "$dir/out"
  cp "$SCRIPT_DIR"/nsq-build/{go.mod,go.sum,tools.go} "$dir/"
  (
    cd "$dir"
    export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=mod" GOBIN="$dir/out"
    "$go" install -ldflags='-s -w' \
      github.com/nsqio/nsq/apps/nsqd github.com/nsqio/nsq/apps/nsqlookupd \
      github.com/nsqio/nsq/apps/to_nsq github.com/nsqio/nsq/apps/nsq_tail
  )
  for t in "${NSQ_TOOLS[@]}"; do mv -f "$dir/out/$t" "$BIN/$t"; done
  nsq_stamp >"$BIN/.nsq-stamp"
  rm -rf "$dir"
}

toxiproxy_stamp() { stamp_of "$SCRIPT_DIR"/toxiproxy-build/{go.mod,go.sum,tools.go}; }

toxiproxy_installed() {
  [[ -x $BIN/toxiproxy-server && -f $BIN/.toxiproxy-stamp &&
    $(<"$BIN/.toxiproxy-stamp") == "$(toxiproxy_stamp)" ]]
}

# The package is .../cmd/server, so go install would name the binary "server".
install_toxiproxy() {
  local go dir=$BUILD/toxiproxy
  go=$(go_cmd) || { echo "no Go toolchain found (need go >= 1.23 on PATH)"; return 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$SCRIPT_DIR"/toxiproxy-build/{go.mod,go.sum,tools.go} "$dir/"
  (
    cd "$dir"
    export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=mod"
    "$go" build -ldflags='-s -w' -o toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server
  )
  mv -f "$dir/toxiproxy-server" "$BIN/toxiproxy-server"
  toxiproxy_stamp >"$BIN/.toxiproxy-stamp"
  rm -rf "$dir"
}

kafka_stamp() { stamp_of "$SCRIPT_DIR/kafka-broker/pom.xml"; }

kafka_installed() {
  [[ -f $LIBS/.stamp && $(<"$LIBS/.stamp") == "$(kafka_stamp)" ]] && have java
}

install_kafka() {
  have java || { echo "no java on PATH (need Java 17)"; return 1; }
  have mvn || { echo "no mvn on PATH"; return 1; }
  local -a mvn_args=(-B -q -f "$SCRIPT_DIR/kafka-broker/pom.xml" -Dmaven.repo.local="$BUILD/m2"
    dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp" -DincludeScope=runtime)
  rm -rf "$LIBS.tmp"
  if ! mvn "${mvn_args[@]}"; then
    echo "retrying once"
    rm -rf "$LIBS.tmp"
    mvn "${mvn_args[@]}"
  fi
  ls "$LIBS.tmp"/kafka_2.13-*.jar "$LIBS.tmp"/kafka-tools-*.jar >/dev/null
  kafka_stamp >"$LIBS.tmp/.stamp"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
}

# install_missing "REQUESTED..." "DOWN...": installs, in parallel, the Debian
# packages of every requested broker (the foreign clients are wanted even when
# the brokers already run) and the builds the brokers that are down need.
# Notes in INSTALLED_FOR which brokers needed something.
declare -A INSTALLED_FOR=()
install_missing() {
  local -a requested=($1) down=($2) apt_missing=() jobs=() names=() logs=()
  local b i failed=0
  mapfile -t apt_missing < <(missing_apt_packages "${requested[@]}")
  if ((${#apt_missing[@]})); then
    (install_apt "${apt_missing[@]}") >"$LOGS/install-apt.log" 2>&1 &
    jobs+=($!) names+=("apt-get install ${apt_missing[*]}") logs+=("$LOGS/install-apt.log")
    for b in "${requested[@]}"; do [[ $b != nsq ]] && INSTALLED_FOR[$b]=1; done
  fi
  for b in "${down[@]}"; do
    if [[ $b == nsq ]] && ! nsq_installed; then
      (set -e; install_nsq) >"$LOGS/install-nsq.log" 2>&1 &
      jobs+=($!) names+=("build of NSQ 1.3.0 from the Go module proxy") logs+=("$LOGS/install-nsq.log")
      INSTALLED_FOR[nsq]=1
    elif [[ $b == kafka ]] && ! kafka_installed; then
      (set -e; install_kafka) >"$LOGS/install-kafka.log" 2>&1 &
      jobs+=($!) names+=("Kafka jars from Maven Central") logs+=("$LOGS/install-kafka.log")
      INSTALLED_FOR[kafka]=1
    elif [[ $b == toxiproxy ]] && ! toxiproxy_installed; then
      (set -e; install_toxiproxy) >"$LOGS/install-toxiproxy.log" 2>&1 &
      jobs+=($!) names+=("build of Toxiproxy 2.12.0 from the Go module proxy") logs+=("$LOGS/install-toxiproxy.log")
      INSTALLED_FOR[toxiproxy]=1
    fi
  done
  for i in "${!jobs[@]}"; do
    if ! wait "${jobs[$i]}"; then
      echo "$prog: install failed: ${names[$i]}" >&2
      echo "---- last 40 lines of ${logs[$i]} ----" >&2
      tail -n 40 "${logs[$i]}" >&2
      failed=1
    fi
  done
  ((failed == 0)) || exit 1
  mapfile -t apt_missing < <(missing_apt_packages "${requested[@]}")
  ((${#apt_missing[@]} == 0)) || fail apt "still not installed: ${apt_missing[*]}" "$LOGS/install-apt.log"
}

# ---------------------------------------------------------------- wait

# wait_until NAME WHAT PIDNAME PATTERN LOG CHECK...: poll CHECK until it
# succeeds; fail if the recorded process dies or WAIT_SECONDS pass.
wait_until() {
  local name=$1 what=$2 pidname=$3 pattern=$4 log=$5 deadline
  shift 5
  deadline=$((SECONDS + WAIT_SECONDS))
  until "$@"; do
    if ! pid_of "$pidname" "$pattern" >/dev/null; then
      sleep 0.2
      "$@" && return 0
      fail "$name" "$what exited during startup" "$log"
    fi
    ((SECONDS < deadline)) || fail "$name" "$what not accepting connections after ${WAIT_SECONDS}s" "$log"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- RabbitMQ

# Erlang CLI tools may start epmd, which must not inherit the lock fd 9.
rmqctl() { rabbitmqctl "$@" </dev/null 9>&-; }
rmqdiag() { rabbitmq-diagnostics "$@" </dev/null 9>&-; }
rmqplugins() { rabbitmq-plugins "$@" </dev/null 9>&-; }

rabbitmq_logs() {
  local host
  host=$(hostname -s 2>/dev/null || hostname)
  echo "$LOGS/rabbitmq-start.log"
  echo "/var/log/rabbitmq/rabbit@$host.log"
  echo "/var/log/rabbitmq/startup_err"
  echo "/var/log/rabbitmq/startup_log"
}

guest_works() {
  amqp-publish --server=127.0.0.1 --port=5672 --vhost=/ --username=guest --password=guest \
    --routing-key=lanes.brokers.probe --body=probe >/dev/null 2>&1
}

# Debian's rabbitmq-server wrapper switches user with su, whose pam_limits
# puts the node back to 1024 open files whatever this shell allows: give the
# rabbitmq user this shell's (raised) hard limit in limits.d.
allow_rabbitmq_open_files() {
  local file=/etc/security/limits.d/lanes-rabbitmq.conf n line
  n=$(ulimit -Hn)
  [[ $n == unlimited ]] && n=$OPEN_FILES
  line="rabbitmq - nofile $n"
  [[ -f $file && $(<"$file") == "$line" ]] && return 0
  echo "$line" | as_root tee "$file" >/dev/null ||
    echo "$prog: rabbitmq: could not write $file; the node keeps su's default open-file limit" >&2
}

rabbitmq_node_alive() { pgrep -u rabbitmq -f -- '-s rabbit boot' >/dev/null 2>&1; }

start_rabbitmq() {
  local -a logs
  local t0=$SECONDS
  mapfile -t logs < <(rabbitmq_logs)
  have rabbitmq-server || fail rabbitmq "rabbitmq-server is not installed" "$LOGS/install-apt.log"
  # A node process that does not answer the CLI yet is booting or halting:
  # give it time to do either before deciding what to do.
  while rabbitmq_node_alive && ! rabbitmq_ready && ! rmqdiag -q ping >/dev/null 2>&1 &&
    ((SECONDS - t0 < 30)); do
    sleep 0.5
  done
  if rabbitmq_ready; then
    :
  elif rabbitmq_node_alive; then
    # The node runs but its app is stopped (rabbitmqctl stop_app) or booting;
    # start_app is a no-op on a running app.
    rmqctl -q start_app >"$LOGS/rabbitmq-start.log" 2>&1 ||
      fail rabbitmq "rabbitmqctl start_app failed" "${logs[@]}"
  else
    [[ -f $LOGS/rabbitmq-start.log ]] && mv -f "$LOGS/rabbitmq-start.log" "$LOGS/rabbitmq-start.log.1"
    as_root rm -rf "$RABBIT_DATA" &&
      as_root install -d -o rabbitmq -g rabbitmq -m 750 "$RABBIT_DATA" ||
      fail rabbitmq "cannot prepare an empty data directory $RABBIT_DATA"
    allow_rabbitmq_open_files
    # AMQP on loopback only; the rest of the node's settings are Debian's.
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_MNESIA_BASE=$RABBIT_DATA \
      rabbitmq-server -detached </dev/null >"$LOGS/rabbitmq-start.log" 2>&1 9>&- ||
      fail rabbitmq "rabbitmq-server -detached failed" "${logs[@]}"
  fi
  # await_startup fails at once while the new node is not yet registered with
  # epmd, so wait for the AMQP port first (the listener opens late in boot).
  local t1=$SECONDS
  until rabbitmq_ready; do
    if ((SECONDS - t1 > 5)) && ! rabbitmq_node_alive; then
      fail rabbitmq "the node exited during startup" "${logs[@]}"
    fi
    ((SECONDS - t0 < WAIT_SECONDS)) ||
      fail rabbitmq "nothing listens on 127.0.0.1:5672 after ${WAIT_SECONDS}s" "${logs[@]}"
    sleep 0.3
  done
  timeout 60 rabbitmqctl -q await_startup </dev/null >>"$LOGS/rabbitmq-start.log" 2>&1 9>&- ||
    fail rabbitmq "rabbitmqctl await_startup failed" "${logs[@]}"
  if ! guest_works; then
    {
      rmqctl -q add_user guest guest || rmqctl -q change_password guest guest
      rmqctl -q set_permissions -p / guest '.*' '.*' '.*'
    } >>"$LOGS/rabbitmq-start.log" 2>&1 || true
    guest_works || fail rabbitmq "guest/guest cannot publish on 127.0.0.1:5672" "${logs[@]}"
  fi
  # amqp.partitions routes through a consistent-hash exchange; the plugin ships with the
  # broker. Enabling it on a running node does not restart the node.
  if ! rmqplugins -q is_enabled rabbitmq_consistent_hash_exchange >/dev/null 2>&1; then
    rmqplugins -q enable rabbitmq_consistent_hash_exchange >>"$LOGS/rabbitmq-start.log" 2>&1 ||
      fail rabbitmq "cannot enable the plugin rabbitmq_consistent_hash_exchange" \
        "$LOGS/rabbitmq-start.log"
  fi
}

stop_rabbitmq() {
  have rabbitmqctl || return 0
  local i
  if rabbitmq_node_alive; then
    rmqctl -q stop >>"$LOGS/rabbitmq-start.log" 2>&1 ||
      fail rabbitmq "rabbitmqctl stop failed" "$LOGS/rabbitmq-start.log"
    # rabbitmqctl stop returns before the VM has exited.
    for ((i = 0; i < 300; i++)); do
      rabbitmq_node_alive || return 0
      sleep 0.1
    done
    fail rabbitmq "the node is still running 30 s after rabbitmqctl stop" "$(rabbitmq_logs | sed -n 2p)"
  fi
}

# ---------------------------------------------------------------- NSQ

start_nsq() {
  # A cold start (neither daemon up) begins with no topics; a restart of nsqd
  # alone, as the NSQ fault tests do, keeps its messages.
  if ! nsqlookupd_ready && ! pid_of nsqd "$BIN/nsqd" >/dev/null; then
    rm -rf "$DATA/nsqd"
  fi
  mkdir -p "$DATA/nsqd"
  if ! nsqlookupd_ready; then
    pid_of nsqlookupd "$BIN/nsqlookupd" >/dev/null ||
      launch nsqlookupd "$LOGS/nsqlookupd.log" "$BIN/nsqlookupd" \
        -tcp-address 127.0.0.1:4160 -http-address 127.0.0.1:4161 -broadcast-address 127.0.0.1
    wait_until nsq nsqlookupd nsqlookupd "$BIN/nsqlookupd" "$LOGS/nsqlookupd.log" nsqlookupd_ready
  fi
  if ! nsqd_ready; then
    pid_of nsqd "$BIN/nsqd" >/dev/null ||
      launch nsqd "$LOGS/nsqd.log" "$BIN/nsqd" -data-path "$DATA/nsqd" \
        -tcp-address 127.0.0.1:4150 -http-address 127.0.0.1:4151 \
        -lookupd-tcp-address 127.0.0.1:4160 -broadcast-address 127.0.0.1
    wait_until nsq nsqd nsqd "$BIN/nsqd" "$LOGS/nsqd.log" nsqd_ready
  fi
}

stop_nsq() {
  stop_pid nsqd "$BIN/nsqd"
  stop_pid nsqlookupd "$BIN/nsqlookupd"
}

# ---------------------------------------------------------------- Kafka

kafka_cluster_id() {
  # A Kafka Uuid: 16 random bytes, base64url without padding, not starting with '-'.
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

write_kafka_conf() {
  cat >"$CONF/kafka-server.properties" <<EOF
# Generated by scripts/brokers.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA/kafka
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$CONF/kafka-log4j.properties" <<'EOF'
# reload4j (via slf4j-reload4j) for the broker; written by scripts/brokers.sh.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
EOF
  # log4j-core comes along with the Kafka jars and only backs Kafka's log-level
  # MBean; give it a configuration so it does not complain at startup.
  cat >"$CONF/kafka-log4j2.properties" <<'EOF'
status = error
rootLogger.level = off
EOF
}

start_kafka() {
  local cp="$LIBS/*"
  local -a log_opts=(-Dlog4j.configuration="file:$CONF/kafka-log4j.properties"
    -Dlog4j2.configurationFile="$CONF/kafka-log4j2.properties")
  kafka_installed || fail kafka "Kafka jars are missing from $LIBS" "$LOGS/install-kafka.log"
  if pid_of kafka kafka.Kafka >/dev/null; then
    wait_until kafka "the Kafka broker" kafka kafka.Kafka "$LOGS/kafka.log" kafka_ready
    return
  fi
  port_open 9092 && fail kafka "127.0.0.1:9092 is taken by a process that is not a working Kafka broker"
  mkdir -p "$CONF"
  write_kafka_conf
  # A cold start begins with an empty log: topics of earlier runs would pile up.
  rm -rf "$DATA/kafka"
  mkdir -p "$DATA/kafka"
  java "${log_opts[@]}" -cp "$cp" kafka.tools.StorageTool \
    format -t "$(kafka_cluster_id)" -c "$CONF/kafka-server.properties" \
    </dev/null >"$LOGS/kafka-format.log" 2>&1 9>&- ||
    { rm -rf "$DATA/kafka"; fail kafka "formatting the KRaft storage failed" "$LOGS/kafka-format.log"; }
  launch kafka "$LOGS/kafka.log" java "$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "${log_opts[@]}" -cp "$cp" kafka.Kafka "$CONF/kafka-server.properties"
  wait_until kafka "the Kafka broker" kafka kafka.Kafka "$LOGS/kafka.log" kafka_ready
}

stop_kafka() { stop_pid kafka kafka.Kafka; }

# ---------------------------------------------------------------- Toxiproxy

start_toxiproxy() {
  toxiproxy_installed || fail toxiproxy "toxiproxy-server is missing from $BIN" "$LOGS/install-toxiproxy.log"
  if ! pid_of toxiproxy "$BIN/toxiproxy-server" >/dev/null; then
    port_open 8474 && fail toxiproxy "127.0.0.1:8474 is taken by a process that is not a working toxiproxy-server"
    launch toxiproxy "$LOGS/toxiproxy.log" "$BIN/toxiproxy-server" -host 127.0.0.1 -port 8474
  fi
  wait_until toxiproxy toxiproxy-server toxiproxy "$BIN/toxiproxy-server" "$LOGS/toxiproxy.log" toxiproxy_ready
}

stop_toxiproxy() { stop_pid toxiproxy "$BIN/toxiproxy-server"; }

# ---------------------------------------------------------------- commands

describe() {
  case $1 in
    rabbitmq) echo "127.0.0.1:5672" ;;
    nsq) echo "nsqd 127.0.0.1:4150 (http 4151), nsqlookupd 127.0.0.1:4160 (http 4161)" ;;
    kafka) echo "127.0.0.1:9092" ;;
    toxiproxy) echo "API 127.0.0.1:8474" ;;
  esac
}

status_line() {
  local b=$1
  if ready "$b"; then
    echo "$b up $(describe "$b")"
  elif [[ $b == nsq ]]; then
    echo "nsq down (nsqlookupd $(nsqlookupd_ready && echo up || echo down), nsqd $(nsqd_ready && echo up || echo down)) $(describe nsq)"
    return 1
  else
    echo "$b down $(describe "$b")"
    return 1
  fi
}

cmd_status() {
  local b rc=0
  for b in "$@"; do status_line "$b" || rc=1; done
  return $rc
}

lock() {
  mkdir -p "$BROKERS_HOME"
  exec 9>"$BROKERS_HOME/.lock"
  flock -w 900 9 || { echo "$prog: another brokers.sh holds $BROKERS_HOME/.lock" >&2; exit 1; }
}

cmd_start() {
  local b t0=$SECONDS rc=0
  local -a down=()
  local -A job=()
  lock
  mkdir -p "$BIN" "$CONF" "$DATA" "$LOGS" "$PIDS" "$BUILD"
  for b in "$@"; do ready "$b" || down+=("$b"); done
  install_missing "$*" "${down[*]}"
  raise_open_files
  tmp=$(mktemp -d)  # global: the EXIT trap runs after this function returns
  trap 'rm -rf "$tmp"' EXIT
  # Start the brokers that are down side by side; report in a fixed order.
  for b in "${down[@]}"; do
    ("start_$b") >"$tmp/$b.out" 2>"$tmp/$b.err" &
    job[$b]=$!
  done
  for b in "$@"; do
    if [[ -z ${job[$b]:-} ]]; then
      echo "$b up $(describe "$b") (already running)"
    elif wait "${job[$b]}" && ready "$b"; then
      cat "$tmp/$b.err" >&2
      echo "$b up $(describe "$b") (${INSTALLED_FOR[$b]:+installed and }started in $((SECONDS - t0))s)"
    else
      if [[ -s $tmp/$b.err ]]; then cat "$tmp/$b.err" >&2
      else echo "$prog: $b: not accepting connections after start" >&2
      fi
      rc=1
    fi
  done
  return $rc
}

cmd_stop() {
  local b
  lock
  mkdir -p "$PIDS" "$LOGS"
  # Reverse order: toxiproxy, kafka, nsq, rabbitmq.
  for ((i = $# ; i > 0; i--)); do
    b=${!i}
    "stop_$b"
    echo "$b stopped"
  done
}

main() {
  (($#)) || usage
  local cmd=$1
  shift
  local -a brokers=()
  local b
  if (($#)); then
    for b in "$@"; do
      case $b in rabbitmq | nsq | kafka | toxiproxy) brokers+=("$b") ;; *) usage ;; esac
    done
  else
    brokers=("${ALL_BROKERS[@]}")
  fi
  # Keep a canonical order (rabbitmq, nsq, kafka, toxiproxy) without duplicates.
  local -a ordered=()
  for b in "${ALL_BROKERS[@]}"; do
    [[ " ${brokers[*]} " == *" $b "* ]] && ordered+=("$b")
  done
  case $cmd in
    start) cmd_start "${ordered[@]}" ;;
    stop) cmd_stop "${ordered[@]}" ;;
    restart) cmd_stop "${ordered[@]}" >/dev/null && cmd_start "${ordered[@]}" ;;
    status) cmd_status "${ordered[@]}" ;;
    *) usage ;;
  esac
}

main "$@"
