#!/bin/sh
# Installs the saltmq minion on this machine (or under DESTDIR, for a package): the bundled
# program, /etc/saltmq/minion, and a systemd unit that is enabled and started. Needs only Node.js 20.
set -eu

PROGRAM=install-minion.sh
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=install-common.sh
. "$HERE/install-common.sh"

usage() {
  cat <<EOF
Usage: $PROGRAM --master HOST [--id ID] [options]

  -A, --master HOST     the master's name or address (required unless /etc/saltmq/minion exists)
  -i, --id ID           this minion's id (default: the FQDN, from hostname -f)
      --master-port N   the master's port (default 4506)
EOF
  common_usage saltmq-minion.mjs minion
}

MASTER='' ID='' MASTER_PORT=''
while [ "$#" -gt 0 ]; do
  case $1 in
    -A | --master) need_value "$@"; MASTER=$2; shift 2 ;;
    -i | --id) need_value "$@"; ID=$2; shift 2 ;;
    --master-port) need_value "$@"; MASTER_PORT=$2; shift 2 ;;
    *)
      common_option "$@"
      [ "$USED" -gt 0 ] || usage_error "unknown option '$1'"
      shift "$USED"
      ;;
  esac
done
check_paths

if [ -z "$ID" ]; then
  # Salt's default id is the FQDN; a host without one falls back to its short name
  ID=$(hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n)
fi
# the id becomes an MQTT topic level: '/', '+', '#' or spaces would change what it matches
case $ID in
  '' | *[!A-Za-z0-9._-]*) usage_error "'$ID' is not a valid minion id (letters, digits, '.', '_' and '-' only); pass --id" ;;
esac
case $MASTER_PORT in
  '') ;;
  *[!0-9]*) usage_error "--master-port must be a number, got '$MASTER_PORT'" ;;
esac

find_artifact saltmq-minion.mjs
find_node
install_file "$ARTIFACT" "$DESTDIR$PREFIX/lib/saltmq/saltmq-minion.mjs" 755
link_bin saltmq-minion saltmq-minion.mjs
link_bin saltmq-call saltmq-minion.mjs

if config_wanted minion; then
  [ -n "$MASTER" ] || usage_error "--master is required: which master should this minion join?"
  {
    echo "# written by $PROGRAM; Salt's option names (see the saltmq README)"
    echo "master: $(yaml_quote "$MASTER")"
    [ -z "$MASTER_PORT" ] || echo "master_port: $MASTER_PORT"
    echo "id: $(yaml_quote "$ID")"
  } >"$DESTDIR/etc/saltmq/minion"
  chmod 644 "$DESTDIR/etc/saltmq/minion"
  say "wrote $DESTDIR/etc/saltmq/minion (master $MASTER, id $ID)"
  ACCEPT="saltmq-key -a $ID"
else
  ACCEPT="saltmq-key -L lists it, saltmq-key -a ID accepts it"
fi

install_unit saltmq-minion.service
say "installed $DESTDIR$PREFIX/bin/saltmq-minion and $DESTDIR$UNITDIR/saltmq-minion.service"
start_unit saltmq-minion.service saltmq-minion
say "on the master, accept this minion unless a reactor or auto_accept does: $ACCEPT"
