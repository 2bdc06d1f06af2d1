#!/bin/sh
# run.sh TEMPLATE COMMAND...: renders TEMPLATE (one of deploy/patroni/*.yml) with envsubst and
# runs COMMAND with the rendered file as its last argument, e.g.
#   run.sh pg1.yml patroni               run.sh etcd.yml etcd --config-file
# (docker-compose.yml's `ha` profile; on a machine, render once into /etc instead).
set -eu
template=$1
shift
rendered=$(mktemp --suffix=.yml)
envsubst < "$template" > "$rendered"
exec "$@" "$rendered"
