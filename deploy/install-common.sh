# Shared by install-master.sh and install-minion.sh (sourced, not run). Plain POSIX sh.
# The caller sets HERE (its own folder) and PROGRAM, and defines usage; the shared options are parsed here.
# shellcheck shell=sh disable=SC2034,SC2153  # the variables are the caller's, both ways

say() { printf '%s: %s\n' "$PROGRAM" "$*"; }
die() { printf '%s: error: %s\n' "$PROGRAM" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\n(see %s --help)\n' "$PROGRAM" "$*" "$PROGRAM" >&2; exit 2; }

# An option's value, or a usage error when it is missing ("--id" at the end of the line).
need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

# The options both installers take: their defaults, their help lines and their parsing.
PREFIX=/usr/local FROM='' UNITDIR=/etc/systemd/system NO_START=0 FORCE_CONFIG=0
DESTDIR=${DESTDIR:-}

common_usage() {
  cat <<EOF
      --prefix DIR      where the programs go: DIR/lib/saltmq and DIR/bin (default /usr/local)
      --from DIR        the folder holding $1 (default: beside this script, or ../dist)
      --unitdir DIR     where the systemd unit goes (default /etc/systemd/system)
      --force-config    rewrite /etc/saltmq/$2 even if it exists
      --no-start        install only; do not enable or start the service
  -h, --help            show this help

Environment: DESTDIR stages every file under that folder (for packaging) and starts nothing;
NODE is the node binary the unit runs (default: the one on PATH).
EOF
}

# Takes one shared option from "$@"; sets USED to how many words it took (0: not a shared option).
common_option() {
  USED=1
  case $1 in
    --prefix) need_value "$@"; PREFIX=$2; USED=2 ;;
    --from) need_value "$@"; FROM=$2; USED=2 ;;
    --unitdir) need_value "$@"; UNITDIR=$2; USED=2 ;;
    --destdir) need_value "$@"; DESTDIR=$2; USED=2 ;;
    --force-config) FORCE_CONFIG=1 ;;
    --no-start) NO_START=1 ;;
    -h | --help) usage; exit 0 ;;
    *) USED=0 ;;
  esac
}

# The paths go into the unit through sed, and systemd splits ExecStart on spaces: refuse what would break.
check_paths() {
  for value in "$PREFIX" "$UNITDIR" "${NODE:-/}"; do
    case $value in
      /*) ;;
      *) usage_error "'$value' must be an absolute path" ;;
    esac
    case $value in
      *' '* | *'|'* | *'&'* | *\\*) usage_error "'$value' holds a space, '|', '&' or '\\': use a plainer path" ;;
    esac
  done
}

# Ids and host names go into YAML: quote them so '0123' stays a string and ': ' cannot break the file.
yaml_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

# The release folder holds the bundles next to this script; a source checkout has them in ../dist.
find_artifact() {
  name=$1
  if [ -z "$FROM" ]; then
    if [ -f "$HERE/$name" ]; then FROM=$HERE; else FROM=$HERE/../dist; fi
  fi
  [ -f "$FROM/$name" ] || die "$FROM/$name not found: build it with 'npm run build:dist', or pass --from DIR"
  ARTIFACT=$FROM/$name
}

# The unit runs node by absolute path: systemd's PATH may not hold the node a user installed.
find_node() {
  NODE=${NODE:-$(command -v node || true)}
  if [ -z "$NODE" ]; then
    [ -n "$DESTDIR" ] || die "Node.js 20 or later is needed on this machine (set NODE=/path/to/node if it is not on PATH)"
    NODE=/usr/bin/node
    say "warning: node not found here; the unit will run $NODE (set NODE= to change it)"
    return
  fi
  if ! "$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
    [ -n "$DESTDIR" ] || die "$NODE is older than Node.js 20 (or does not run)"
    say "warning: $NODE is older than Node.js 20; the target machine needs 20 or later"
  fi
}

# Copy then rename, so a running service never reads a half-written file.
install_file() {
  src=$1 dest=$2 mode=$3
  mkdir -p "$(dirname "$dest")"
  cp "$src" "$dest.new.$$"
  chmod "$mode" "$dest.new.$$"
  mv -f "$dest.new.$$" "$dest"
}

# bin/NAME -> ../lib/saltmq/FILE, relative so the tree works under DESTDIR and after it is moved.
link_bin() {
  mkdir -p "$DESTDIR$PREFIX/bin"
  ln -sf "../lib/saltmq/$2" "$DESTDIR$PREFIX/bin/$1"
}

install_unit() {
  unit=$1
  [ -f "$HERE/systemd/$unit" ] || die "$HERE/systemd/$unit not found"
  mkdir -p "$DESTDIR$UNITDIR"
  sed -e "s|@NODE@|$NODE|g" -e "s|@LIBDIR@|$PREFIX/lib/saltmq|g" "$HERE/systemd/$unit" >"$DESTDIR$UNITDIR/$unit.new.$$"
  chmod 644 "$DESTDIR$UNITDIR/$unit.new.$$"
  mv -f "$DESTDIR$UNITDIR/$unit.new.$$" "$DESTDIR$UNITDIR/$unit"
}

# Enable and (re)start the unit where that makes sense; otherwise say what to run.
start_unit() {
  unit=$1 program=$2
  if [ -n "$DESTDIR" ]; then
    say "DESTDIR is set: nothing started. On the target machine run:"
    say "  systemctl daemon-reload && systemctl enable --now $unit"
  elif [ "$NO_START" = 1 ]; then
    say "not started (--no-start). To start it: systemctl daemon-reload && systemctl enable --now $unit"
  elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
    systemctl enable "$unit"
    # restart, not start: after an upgrade the running process must pick up the new bundle
    systemctl restart "$unit"
    say "$unit enabled and started (journalctl -u $unit to follow it)"
  else
    say "systemd is not running here: start it yourself, e.g."
    say "  $PREFIX/bin/$program -c /etc/saltmq"
  fi
}

# Rewrite the config only when asked: re-running the installer to upgrade must keep the admin's edits.
config_wanted() {
  file=$DESTDIR/etc/saltmq/$1
  if [ -f "$file" ] && [ "$FORCE_CONFIG" != 1 ]; then
    say "kept the existing $file (--force-config rewrites it)"
    return 1
  fi
  mkdir -p "$DESTDIR/etc/saltmq"
  return 0
}
