#!/usr/bin/env bash
# A private Virtuoso Open Source 7 (Debian's virtuoso-opensource) for the remote-store
# tests and benchmark. It binds 127.0.0.1 only and keeps every file in one folder.
#
#   scripts/virtuoso.sh install
#       Install the package (apt-get update only when it is missing). Idempotent.
#   scripts/virtuoso.sh start DIR PORT [ISQL_PORT]
#       Write DIR/virtuoso.ini (a copy of the packaged one with the database, logs, lock,
#       transaction and temp files in DIR, both ServerPorts on 127.0.0.1, DIR in DirsAllowed),
#       start `virtuoso-t +configfile DIR/virtuoso.ini +foreground` in the background and wait
#       (at most VIRTUOSO_START_TIMEOUT s, default 180) until http://127.0.0.1:PORT/sparql
#       answers. The isql port (ISQL_PORT, default: a free one) is written to DIR/isql.port,
#       the pid to DIR/virtuoso.pid, the server's output to DIR/virtuoso.out.
#       Users: dba/dba. SPARQL: /sparql (read-only), /sparql-auth (digest auth, updates).
#   scripts/virtuoso.sh stop DIR
#       Stop that server (SIGTERM, then SIGKILL after VIRTUOSO_STOP_TIMEOUT s, default 20).
set -euo pipefail

PACKAGE=virtuoso-opensource
PACKAGED_INI=/etc/virtuoso-opensource-7/virtuoso.ini

die() { echo "virtuoso.sh: $*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_ok() {  # http_ok URL: does the SPARQL endpoint answer 200?
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 5 -H 'Accept: application/sparql-results+json' "$1" 2>/dev/null
    else
        python3 - "$1" <<'EOF' 2>/dev/null
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Accept": "application/sparql-results+json"})
sys.exit(0 if urllib.request.urlopen(req, timeout=5).status == 200 else 1)
EOF
    fi
}

cmd_install() {
    if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed" \
        && command -v virtuoso-t >/dev/null 2>&1; then
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$PACKAGE" >/dev/null
    # The package starts no server here; make sure none was left running on the default ports.
    command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t is missing after installing $PACKAGE"
}

write_ini() {  # write_ini DIR PORT ISQL_PORT
    local dir=$1 port=$2 isql=$3
    [[ -r $PACKAGED_INI ]] || die "$PACKAGED_INI not found: run '$0 install' first"
    awk -v dir="$dir" -v port="$port" -v isql="$isql" '
        function set(key, value) { printf "%-26s = %s\n", key, value; done = 1 }
        /^[[:space:]]*\[/ { section = $0; gsub(/[[:space:]\[\]]/, "", section); print; next }
        /^[[:space:]]*;/ || /^[[:space:]]*$/ { print; next }
        {
            key = $0; sub(/[[:space:]]*=.*/, "", key); gsub(/^[[:space:]]+/, "", key); done = 0
            if (section == "Database") {
                if (key == "DatabaseFile")       set(key, dir "/virtuoso.db")
                if (key == "ErrorLogFile")       set(key, dir "/virtuoso.log")
                if (key == "LockFile")           set(key, dir "/virtuoso.lck")
                if (key == "TransactionFile")    set(key, dir "/virtuoso.trx")
                if (key == "xa_persistent_file") set(key, dir "/virtuoso.pxa")
            }
            if (section == "TempDatabase") {
                if (key == "DatabaseFile")       set(key, dir "/virtuoso-temp.db")
                if (key == "TransactionFile")    set(key, dir "/virtuoso-temp.trx")
            }
            if (section == "Parameters") {
                if (key == "ServerPort")         set(key, "127.0.0.1:" isql)
                if (key == "DirsAllowed")        set(key, "., " dir ", /usr/share/virtuoso-opensource-7/vad")
            }
            if (section == "HTTPServer") {
                if (key == "ServerPort")         set(key, "127.0.0.1:" port)
            }
            if (section == "URIQA" && key == "DefaultHost")         set(key, "127.0.0.1:" port)
            if (section == "Replication" && key == "ServerEnable")  set(key, "0")
            if (section == "ZeroConfig") done = 1
            # Our result limit is applied by the app; do not let Virtuoso cut results at 10000 rows.
            if (section == "SPARQL" && key == "ResultSetMaxRows")   set(key, "1000000")
            if (!done) print
        }
    ' "$PACKAGED_INI" > "$dir/virtuoso.ini"
}

cmd_start() {
    [[ $# -ge 2 ]] || die "usage: $0 start DIR PORT [ISQL_PORT]"
    local dir port isql
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    port=$2
    isql=${3:-$(free_port)}
    [[ $port =~ ^[0-9]+$ && $isql =~ ^[0-9]+$ ]] || die "ports must be numbers"
    command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t not found: run '$0 install' first"
    if [[ -f $dir/virtuoso.pid ]] && kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
        die "a server already runs from $dir (pid $(cat "$dir/virtuoso.pid"))"
    fi
    write_ini "$dir" "$port" "$isql"
    echo "$isql" > "$dir/isql.port"
    # Started from DIR so that relative paths ("." in DirsAllowed) stay inside it.
    (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground \
        </dev/null >"$dir/virtuoso.out" 2>&1) &
    local pid=$!
    echo "$pid" > "$dir/virtuoso.pid"
    local deadline=$((SECONDS + ${VIRTUOSO_START_TIMEOUT:-180}))
    local url="http://127.0.0.1:$port/sparql?query=ASK%20%7B%7D"
    until http_ok "$url"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$dir/virtuoso.out" "$dir/virtuoso.log" >&2 2>/dev/null || true
            die "virtuoso-t exited during start-up (see $dir/virtuoso.log)"
        fi
        if (( SECONDS >= deadline )); then
            tail -n 30 "$dir/virtuoso.log" >&2 2>/dev/null || true
            cmd_stop "$dir"
            die "virtuoso-t did not answer on 127.0.0.1:$port within ${VIRTUOSO_START_TIMEOUT:-180} s"
        fi
        sleep 0.5
    done
    echo "virtuoso: pid $pid, http://127.0.0.1:$port/sparql, isql 127.0.0.1:$isql, folder $dir"
}

cmd_stop() {
    [[ $# -ge 1 ]] || die "usage: $0 stop DIR"
    local dir=$1 pid
    [[ -f $dir/virtuoso.pid ]] || return 0
    pid=$(cat "$dir/virtuoso.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + ${VIRTUOSO_STOP_TIMEOUT:-20}))
        while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$dir/virtuoso.pid"
}

case "${1:-}" in
    install) shift; cmd_install "$@" ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) die "usage: $0 install | start DIR PORT [ISQL_PORT] | stop DIR" ;;
esac
