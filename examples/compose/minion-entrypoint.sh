#!/bin/sh
# Entrypoint of the compose lab's minions. Every replica of the `minion` service is a new machine:
# it names itself after its container's hostname (unique per replica), so
# `docker compose up --scale minion=5` gives five ids starting with Min, which the seed reactor
# accepts and provisions. SALTMQ_ID sets a fixed id instead (the `web` service); SALTMQ_MASTER,
# SALTMQ_LOG_LEVEL and SALTMQ_CONFIG_DIR (a test's temp folder) change the rest.
set -eu

id=${SALTMQ_ID:-${SALTMQ_ID_PREFIX:-Minion}-$(hostname)}
conf=${SALTMQ_CONFIG_DIR:-/etc/saltmq}
mkdir -p "$conf"
cat >"$conf/minion" <<CONFIG
master: '${SALTMQ_MASTER:-master}'
id: '$id'
log_level: ${SALTMQ_LOG_LEVEL:-info}
# ask again soon while pending: the reactor accepts within a second
acceptance_wait_time: 2
CONFIG
echo "saltmq-minion: starting as $id, master ${SALTMQ_MASTER:-master}" >&2
exec saltmq-minion -c "$conf"
