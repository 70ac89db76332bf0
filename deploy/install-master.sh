#!/bin/sh
# Installs the saltmq master on this machine (or under DESTDIR, for a package): the bundled program
# with its CLIs (saltmq, saltmq-key, saltmq-run), /etc/saltmq/master, and a systemd unit that is
# enabled and started. Needs only Node.js 20.
set -eu

PROGRAM=install-master.sh
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=install-common.sh
. "$HERE/install-common.sh"

usage() {
  cat <<EOF
Usage: $PROGRAM [options]

      --interface ADDR  the address the master listens on (default 0.0.0.0)
      --port N          its port (default 4506)
      --auto-accept     accept every new minion key (labs only; a reactor is the careful way)
EOF
  common_usage saltmq-master.mjs master
}

INTERFACE=0.0.0.0 PORT=4506 AUTO_ACCEPT=false
while [ "$#" -gt 0 ]; do
  case $1 in
    --interface) need_value "$@"; INTERFACE=$2; shift 2 ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --auto-accept) AUTO_ACCEPT=true; shift ;;
    *)
      common_option "$@"
      [ "$USED" -gt 0 ] || usage_error "unknown option '$1'"
      shift "$USED"
      ;;
  esac
done
check_paths
case $PORT in
  '' | *[!0-9]*) usage_error "--port must be a number, got '$PORT'" ;;
esac

find_artifact saltmq-master.mjs
find_node
install_file "$ARTIFACT" "$DESTDIR$PREFIX/lib/saltmq/saltmq-master.mjs" 755
# one bundle, four programs: it runs the tool it is called as
for tool in saltmq-master saltmq saltmq-key saltmq-run; do link_bin "$tool" saltmq-master.mjs; done

if config_wanted master; then
  cat >"$DESTDIR/etc/saltmq/master" <<EOF
# written by $PROGRAM; Salt's option names (see the saltmq README)
interface: $(yaml_quote "$INTERFACE")
port: $PORT
auto_accept: $AUTO_ACCEPT
# States and files are served from /srv/salt (file_roots). To provision machines as they join,
# add a reactor, e.g. the seed's (examples/compose/srv/reactor in the saltmq repository):
# reactor:
#   - 'salt/auth':
#     - /srv/reactor/Minion.sls
#   - 'salt/minion/Min*/start':
#     - /srv/reactor/auto.sls
EOF
  chmod 644 "$DESTDIR/etc/saltmq/master"
  say "wrote $DESTDIR/etc/saltmq/master (listening on $INTERFACE:$PORT)"
fi

install_unit saltmq-master.service
say "installed $DESTDIR$PREFIX/bin/saltmq-master, saltmq, saltmq-key, saltmq-run and $DESTDIR$UNITDIR/saltmq-master.service"
start_unit saltmq-master.service saltmq-master
say "then add machines with install-minion.sh --master <this host> on each, and saltmq-key -L here"
