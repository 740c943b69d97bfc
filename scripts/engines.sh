#!/usr/bin/env bash
# Private PostgreSQL and MariaDB servers for the dialect tests (tests/test_dialects.py).
#
# Installs the Debian packages when the server binaries are missing, then starts one server
# of each on loopback only, on a non-default port, with a fresh data directory under
# $SQLDRILLS_ENGINES_DIR (default /tmp/sqldrills-engines) and a passwordless local user
# `sqldrills` owning a database `sqldrills`. Idempotent: a server that already answers is
# left alone, an existing data directory is reused. Prints the settings the tests read.
set -euo pipefail

ROOT="${SQLDRILLS_ENGINES_DIR:-/tmp/sqldrills-engines}"
PG_PORT="${SQLDRILLS_PG_PORT:-55432}"
MY_PORT="${SQLDRILLS_MYSQL_PORT:-53306}"
USER_NAME=sqldrills

# Servers refuse to run as root: as root each runs as its package's system user, otherwise
# as whoever runs this script.
as_user() {
    local user="$1"
    shift
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

pg_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    echo "${found:-}"
}

install_missing() {
    local packages=()
    [ -n "$(pg_bin)" ] || packages+=(postgresql)
    command -v mariadbd >/dev/null || packages+=(mariadb-server)
    [ ${#packages[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        echo "engines: missing ${packages[*]}; run this script as root to install them" >&2
        exit 1
    fi
    apt-get update -q
    # policy-rc.d may stop the packages' own services from starting; we do not use them.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
}

start_postgres() {
    local bin data="$ROOT/postgres" owner=postgres
    bin=$(pg_bin)
    [ "$(id -u)" -eq 0 ] || owner=$(id -un)
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "engines: postgres already running on 127.0.0.1:$PG_PORT" >&2
    else
        launch_postgres "$bin" "$data" "$owner"
    fi
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$USER_NAME" -d postgres -tAq \
        -c "SELECT 1 FROM pg_database WHERE datname = '$USER_NAME'" | grep -q 1 \
        || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$USER_NAME" "$USER_NAME"
}

launch_postgres() {
    local bin="$1" data="$2" owner="$3"
    if [ ! -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        install -d -o "$owner" -m 700 "$data"
        # trust: a loopback-only test server, no password to configure or leak.
        as_user "$owner" "$bin/initdb" -D "$data" -U "$USER_NAME" --auth=trust \
            --encoding=UTF8 --locale=C >/dev/null
    fi
    as_user "$owner" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start \
        -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$data' -c fsync=off -c TimeZone=UTC" \
        >/dev/null
}

start_mariadb() {
    local data="$ROOT/mariadb" owner=mysql socket="$ROOT/mariadb.sock"
    [ "$(id -u)" -eq 0 ] || owner=$(id -un)
    if mariadb-admin --no-defaults --socket="$socket" ping >/dev/null 2>&1; then
        echo "engines: mariadb already running on 127.0.0.1:$MY_PORT" >&2
    else
        launch_mariadb "$data" "$owner" "$socket"
    fi
    # The tests load each session's world into a database of its own, sqldrills_<pid>.
    # mariadb-install-db makes root (and the installing user) log in over the socket as the
    # OS user of the same name (unix_socket authentication): no password anywhere.
    mariadb --no-defaults --socket="$socket" -u "$(id -un)" -e "
        CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1';
        CREATE DATABASE IF NOT EXISTS $USER_NAME;
        GRANT ALL ON \`$USER_NAME%\`.* TO '$USER_NAME'@'127.0.0.1';"
    # Named time zones (CONVERT_TZ(ts, '+00:00', 'America/New_York')) need the zone tables.
    if [ "$(mariadb --no-defaults --socket="$socket" -u "$(id -un)" -N -e \
            'SELECT count(*) FROM mysql.time_zone_name')" = 0 ]; then
        mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null \
            | mariadb --no-defaults --socket="$socket" -u "$(id -un)" mysql
    fi
}

launch_mariadb() {
    local data="$1" owner="$2" socket="$3"
    if [ ! -d "$data/mysql" ]; then
        rm -rf "$data"
        install -d -o "$owner" -m 700 "$data"
        as_user "$owner" mariadb-install-db --no-defaults --datadir="$data" \
            --auth-root-authentication-method=socket --skip-test-db >/dev/null
    fi
    as_user "$owner" mariadbd --no-defaults --datadir="$data" --bind-address=127.0.0.1 \
        --port="$MY_PORT" --socket="$socket" --pid-file="$data/mariadbd.pid" \
        --log-error="$data/server.log" --default-time-zone=+00:00 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
        --innodb-flush-log-at-trx-commit=0 --local-infile=1 </dev/null >/dev/null 2>&1 &
    for _ in $(seq 60); do
        mariadb-admin --no-defaults --socket="$socket" ping >/dev/null 2>&1 && return
        sleep 0.5
    done
    echo "engines: mariadb did not start; see $data/server.log" >&2
    exit 1
}

install_missing
# Like /tmp: each server (its own system user) creates its data directory and socket here.
mkdir -p "$ROOT"
chmod 1777 "$ROOT"
start_postgres
start_mariadb
cat <<EOF
export SQLDRILLS_PG_DSN="host=127.0.0.1 port=$PG_PORT user=$USER_NAME dbname=$USER_NAME"
export SQLDRILLS_MYSQL_URL="mysql://$USER_NAME@127.0.0.1:$MY_PORT/$USER_NAME"
EOF
