#!/usr/bin/env bash
# Starts a throwaway RabbitMQ node on loopback for the tests and prints the
# variables to export: OOPS_TEST_AMQP_URL (the broker) and OOPS_TEST_AMQP_CTL
# (a script running rabbitmqctl against this node, which the fault tests use
# to stop and start the broker: "$OOPS_TEST_AMQP_CTL stop_app", "start_app").
# Stop the node with "$OOPS_TEST_AMQP_CTL shutdown", then "$OOPS_AMQP_STOP".
#
# The node is the machine's Debian rabbitmq-server (installed when missing),
# run by the calling user with everything of its own: a data directory under
# /tmp, free ports for AMQP, Erlang distribution and epmd, a unique node
# name, an Erlang cookie of mode 400, no plugins, and the distribution bound
# to loopback, so that it collides neither with a system node nor with
# another test run. Usage: eval "$(bash .ci/rabbitmq.sh)"
set -euo pipefail

free_port() { # free_port FROM TO [EXCEPT...]: the first port nobody listens on
  local from=$1 to=$2 p; shift 2
  for p in $(seq "$from" "$to"); do
    case " $* " in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port in $from-$to" >&2; return 1
}

if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq rabbitmq-server >&2
fi
# The package's service may have started a system node; ours is separate.

amqp_port=${OOPS_AMQP_PORT:-$(free_port 56720 56790)}
dist_port=$(free_port 56800 56870)
epmd_port=$(free_port 56880 56950)
data=$(mktemp -d /tmp/oops-rabbitmq.XXXXXX)
chmod 700 "$data"
node="oops-test-$amqp_port@localhost"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$data/.erlang.cookie"
chmod 400 "$data/.erlang.cookie"
echo '[].' >"$data/enabled_plugins"
: >"$data/rabbitmq-env.conf"
cat >"$data/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$amqp_port
loopback_users.guest = true
log.file.level = warning
log.console = false
EOF

# env.sh is what both the server and rabbitmqctl need to find each other.
cat >"$data/env.sh" <<EOF
export HOME='$data'
export RABBITMQ_NODENAME='$node'
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_PORT=$epmd_port
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_CONF_ENV_FILE='$data/rabbitmq-env.conf'
export RABBITMQ_CONFIG_FILE='$data/rabbitmq.conf'
export RABBITMQ_ENABLED_PLUGINS_FILE='$data/enabled_plugins'
export RABBITMQ_MNESIA_BASE='$data/mnesia'
export RABBITMQ_LOG_BASE='$data/log'
export RABBITMQ_PID_FILE='$data/pid'
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
EOF
cat >"$data/ctl" <<EOF
#!/bin/sh
# rabbitmqctl against the test node in $data.
. '$data/env.sh'
exec /usr/lib/rabbitmq/bin/rabbitmqctl -q -n '$node' "\$@"
EOF
cat >"$data/stop" <<EOF
#!/bin/sh
# Stops the test node in $data, its epmd, and removes the directory.
. '$data/env.sh'
/usr/lib/rabbitmq/bin/rabbitmqctl -q -n '$node' shutdown >/dev/null 2>&1 || {
  [ -f '$data/pid' ] && kill "\$(cat '$data/pid')" 2>/dev/null || true; }
epmd -port $epmd_port -kill >/dev/null 2>&1 || true
rm -rf '$data'
EOF
chmod 700 "$data/ctl" "$data/stop"
mkdir -p "$data/log" "$data/mnesia"

(
  . "$data/env.sh"
  cd "$data"
  setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$data/log/startup.log" 2>&1 </dev/null &
  # rabbitmq-server writes the pid file itself; until it does, keep the
  # shell's pid so that "ctl wait" has something to watch.
  echo $! >"$data/pid.launch"
)
if ! timeout 90 "$data/ctl" wait --timeout 60 "$data/pid" >/dev/null 2>&1; then
  echo "RabbitMQ did not start; its log:" >&2
  tail -n 40 "$data/log/startup.log" >&2 || true
  "$data/stop" || true
  exit 1
fi
echo "export OOPS_TEST_AMQP_URL='amqp://guest:guest@127.0.0.1:$amqp_port/'"
echo "export OOPS_TEST_AMQP_CTL='$data/ctl'"
echo "export OOPS_AMQP_STOP='$data/stop'"
