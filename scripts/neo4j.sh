#!/usr/bin/env bash
# Local Neo4j 5.26 Community instance for development and integration tests,
# run without Docker through the embedded launcher in tools/neo4j-launcher.
#
#   scripts/neo4j.sh start [--fresh]   build the launcher if needed, start Neo4j in
#                                      the background, wait for Bolt, print the URI
#                                      (--fresh first deletes the store and logs)
#   scripts/neo4j.sh stop              SIGTERM and wait for a clean shutdown
#   scripts/neo4j.sh status            exit 0 if running and Bolt answers, else 1
#   scripts/neo4j.sh restart [--fresh]
#
# Environment:
#   KG_NEO4J_HOME           data/log directory        (default <repo>/.neo4j)
#   KG_NEO4J_PORT           Bolt port on 127.0.0.1    (default 7687)
#   KG_NEO4J_HEAP           JVM heap, -Xms and -Xmx   (default 2g)
#   KG_NEO4J_PAGECACHE      Neo4j page cache          (default 512m)
#   KG_NEO4J_START_TIMEOUT  seconds to wait for Bolt  (default 240)
#   KG_NEO4J_STOP_TIMEOUT   seconds to wait on stop   (default 60)
#   KG_NEO4J_JAVA_OPTS      extra JVM options
#   JAVA_HOME               optional; otherwise `java` from PATH
#
# Human-readable messages go to stderr; `start` prints only the Bolt URI on
# stdout, so `uri=$(scripts/neo4j.sh start)` works.
#
# Authentication is DISABLED and Bolt listens on 127.0.0.1 only: this is a
# throw-away test instance. Production uses docker-compose.yml.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER_DIR="$REPO_ROOT/tools/neo4j-launcher"
MAIN_CLASS="cn.xiaoqi.neo4j.Launcher"

NEO4J_DIR="${KG_NEO4J_HOME:-$REPO_ROOT/.neo4j}"
# Absolute: Neo4j is started from inside this directory, where a relative path would name a
# new, empty store nested inside the real one.
[[ "$NEO4J_DIR" = /* ]] || NEO4J_DIR="$PWD/$NEO4J_DIR"
PORT="${KG_NEO4J_PORT:-7687}"
HEAP="${KG_NEO4J_HEAP:-2g}"
PAGECACHE="${KG_NEO4J_PAGECACHE:-512m}"
START_TIMEOUT="${KG_NEO4J_START_TIMEOUT:-240}"
STOP_TIMEOUT="${KG_NEO4J_STOP_TIMEOUT:-60}"

PID_FILE="$NEO4J_DIR/neo4j.pid"
PORT_FILE="$NEO4J_DIR/neo4j.port"
LOG_FILE="$NEO4J_DIR/neo4j.log"
LOCK_FILE="$NEO4J_DIR/.lock"
# Marks a directory created by this script, so --fresh never wipes a
# directory that KG_NEO4J_HOME happens to point at by mistake.
MARKER_FILE="$NEO4J_DIR/.kg-neo4j-home"
BUILD_STAMP="$LAUNCHER_DIR/target/.build-ok"

INSTALL_HINT="install them with: apt-get install openjdk-17-jdk-headless maven"

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "$code"; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/neo4j.sh start [--fresh] | stop | status | restart [--fresh]
EOF
    exit 2
}

# --- prerequisites ----------------------------------------------------------

java_bin() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        printf '%s\n' "$JAVA_HOME/bin/java"
    else
        command -v java || true
    fi
}

require_java() {
    JAVA="$(java_bin)"
    [[ -n "$JAVA" ]] || die 3 "java not found (Neo4j 5.26 needs Java 17 or 21); $INSTALL_HINT"
    local version major
    version="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
    major="${version%%.*}"
    [[ "$major" == "1" ]] && major="$(cut -d. -f2 <<<"$version")"
    if ! [[ "$major" =~ ^[0-9]+$ ]] || (( major < 17 )); then
        die 3 "$JAVA is Java '${version:-unknown}', Neo4j 5.26 needs Java 17 or 21; $INSTALL_HINT"
    fi
}

validate_config() {
    if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
        die 2 "KG_NEO4J_PORT must be a port number, got '$PORT'"
    fi
    [[ "$HEAP" =~ ^[0-9]+[kKmMgG]?$ ]] || die 2 "KG_NEO4J_HEAP must look like 2g or 1536m, got '$HEAP'"
    [[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die 2 "KG_NEO4J_START_TIMEOUT must be seconds, got '$START_TIMEOUT'"
    [[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die 2 "KG_NEO4J_STOP_TIMEOUT must be seconds, got '$STOP_TIMEOUT'"
}

# --- build --------------------------------------------------------------------

build_is_current() {
    [[ -f "$BUILD_STAMP" \
        && -f "$LAUNCHER_DIR/target/classes/cn/xiaoqi/neo4j/Launcher.class" \
        && -d "$LAUNCHER_DIR/target/dependency" ]] || return 1
    # Any source or pom change since the last good build forces a rebuild.
    [[ -z "$(find "$LAUNCHER_DIR/pom.xml" "$LAUNCHER_DIR/src" -newer "$BUILD_STAMP" -print -quit)" ]]
}

build_launcher() {
    build_is_current && return 0
    # Rebuilding deletes jars that running instances (other data directories)
    # still load classes from, so keep a usable old build while any runs.
    if [[ -f "$LAUNCHER_DIR/target/classes/cn/xiaoqi/neo4j/Launcher.class" \
        && -d "$LAUNCHER_DIR/target/dependency" ]] \
        && pgrep -f -- "$LAUNCHER_DIR/target/classes" >/dev/null 2>&1; then
        log "warning: the launcher sources changed, but other Neo4j instances run from"
        log "  $LAUNCHER_DIR/target; using the existing build (stop them to rebuild)"
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die 3 "mvn (Maven) not found, needed to build the Neo4j launcher; $INSTALL_HINT"
    log "building the Neo4j launcher (first run downloads ~125 MB from Maven Central)..."
    local started out
    started=$SECONDS
    out="$(mktemp)"
    # Start from an empty target/ so jars of an older Neo4j version never
    # linger in target/dependency next to the new ones.
    rm -rf "$LAUNCHER_DIR/target"
    if ! mvn -q -B -f "$LAUNCHER_DIR/pom.xml" package >"$out" 2>&1; then
        tail -n 60 "$out" >&2
        rm -f "$out"
        die 1 "building the launcher failed (mvn -f $LAUNCHER_DIR/pom.xml package)"
    fi
    rm -f "$out"
    touch "$BUILD_STAMP"
    log "launcher built in $((SECONDS - started))s"
}

# --- process helpers -----------------------------------------------------------

# Prints the pid of our running launcher, or fails.
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: the process must be our launcher.
    grep -qaF "$MAIN_CLASS" "/proc/$pid/cmdline" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

recorded_port() {
    if [[ -f "$PORT_FILE" ]]; then cat "$PORT_FILE"; else printf '%s\n' "$PORT"; fi
}

# Prints the end of this run's part of the log (from line $1 on).
show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        log "last lines of $LOG_FILE (details in $NEO4J_DIR/logs/debug.log):"
        tail -n +"${1:-1}" "$LOG_FILE" | tail -n 40 >&2
    fi
}

# Serialise start/stop for one data directory (flock is in util-linux).
LOCKED=0
take_lock() {
    (( LOCKED )) && return 0
    LOCKED=1
    mkdir -p "$NEO4J_DIR"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$LOCK_FILE"
        if ! flock -n 9; then
            log "another neo4j.sh is working on $NEO4J_DIR; waiting for it (up to 5 min)..."
            flock -w 300 9 || die 1 "timed out waiting for the lock $LOCK_FILE"
        fi
    fi
}

wipe_data_dir() {
    # Remove only what Neo4j and this script write, never the whole
    # directory: other instances may keep their own KG_NEO4J_HOME inside it.
    if [[ ! -f "$MARKER_FILE" && ( -e "$NEO4J_DIR/data" || -e "$NEO4J_DIR/logs" ) ]]; then
        die 1 "refusing to wipe $NEO4J_DIR: it was not created by scripts/neo4j.sh"
    fi
    log "--fresh: wiping the store and logs in $NEO4J_DIR"
    rm -rf "$NEO4J_DIR/data" "$NEO4J_DIR/logs" "$LOG_FILE"
}

# --- commands ------------------------------------------------------------------

do_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE" "$PORT_FILE"
        log "not running"
        return 0
    fi
    log "stopping Neo4j (pid $pid)..."
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= STOP_TIMEOUT * 5 )); then
            log "warning: pid $pid still running after ${STOP_TIMEOUT}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    rm -f "$PID_FILE" "$PORT_FILE"
    log "stopped"
}

do_start() {
    local fresh="$1" pid
    validate_config
    require_java
    take_lock

    if pid="$(running_pid)"; then
        if [[ "$fresh" == 1 ]]; then
            do_stop
        else
            local p
            p="$(recorded_port)"
            log "already running (pid $pid)"
            printf 'bolt://127.0.0.1:%s\n' "$p"
            return 0
        fi
    fi
    rm -f "$PID_FILE" "$PORT_FILE"

    if port_open "$PORT"; then
        die 1 "port $PORT on 127.0.0.1 is already in use by another process (set KG_NEO4J_PORT)"
    fi

    [[ "$fresh" == 1 ]] && wipe_data_dir
    [[ -f "$MARKER_FILE" ]] || touch "$MARKER_FILE"

    build_launcher

    # JVM flags: a subset of what the Neo4j server distribution sets in its
    # neo4j.conf. The --add-opens lines let the page cache and Netty use
    # direct buffers without the "fallback mode" warning.
    local -a jvm_opts=(
        "-Xms$HEAP" "-Xmx$HEAP"
        -XX:+UseG1GC
        -XX:-OmitStackTraceInFastThrow
        -XX:+DisableExplicitGC
        -Djdk.nio.maxCachedBufferSize=1024
        -Dio.netty.tryReflectionSetAccessible=true
        -Dlog4j2.disable.jmx=true
        --add-opens=java.base/java.nio=ALL-UNNAMED
        --add-opens=java.base/java.io=ALL-UNNAMED
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
        -XX:+ExitOnOutOfMemoryError
    )
    if [[ -n "${KG_NEO4J_JAVA_OPTS:-}" ]]; then
        # Word splitting is intended here: several options in one variable.
        # shellcheck disable=SC2206
        jvm_opts+=($KG_NEO4J_JAVA_OPTS)
    fi

    local started=$SECONDS
    log "starting Neo4j 5.26 on bolt://127.0.0.1:$PORT (heap $HEAP, page cache $PAGECACHE, data $NEO4J_DIR)"
    printf '\n==== %s neo4j.sh start ====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG_FILE"
    local line_start
    line_start=$(( $(wc -l <"$LOG_FILE") + 1 ))

    # setsid: detach from the caller's session so a Ctrl-C or hang-up there
    # does not reach Neo4j; stdin/stdout/stderr are detached too. In a
    # non-interactive shell the subshell is not a group leader, so setsid
    # execs java in place and $! is java's pid.
    local -a detach=()
    command -v setsid >/dev/null 2>&1 && detach=(setsid)
    (
        cd "$NEO4J_DIR"
        # Do not hand the lock (fd 9) down to Neo4j: it would hold it until
        # it exits, and a later `stop` would wait for it forever.
        exec 9>&-
        exec "${detach[@]}" "$JAVA" "${jvm_opts[@]}" \
            -cp "$LAUNCHER_DIR/target/classes:$LAUNCHER_DIR/target/dependency/*" \
            "$MAIN_CLASS" --home "$NEO4J_DIR" --port "$PORT" --pagecache "$PAGECACHE"
    ) </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    printf '%s\n' "$PORT" >"$PORT_FILE"

    local deadline=$((SECONDS + START_TIMEOUT))
    while true; do
        # (process substitution, not a pipe: with pipefail, grep -q closing
        # the pipe early would make tail fail with SIGPIPE)
        if grep -q "^READY bolt://" <(tail -n +"$line_start" "$LOG_FILE") && port_open "$PORT"; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE" "$PORT_FILE"
            show_log_tail "$line_start"
            die 1 "Neo4j exited during startup"
        fi
        if (( SECONDS >= deadline )); then
            show_log_tail "$line_start"
            log "Neo4j did not open bolt port $PORT within ${START_TIMEOUT}s; stopping it"
            do_stop
            die 1 "startup timed out"
        fi
        sleep 0.5
    done
    log "Neo4j is up after $((SECONDS - started))s (pid $pid, log $LOG_FILE)"
    printf 'bolt://127.0.0.1:%s\n' "$PORT"
}

do_status() {
    local pid p
    if pid="$(running_pid)"; then
        p="$(recorded_port)"
        if port_open "$p"; then
            log "running (pid $pid) at bolt://127.0.0.1:$p"
            return 0
        fi
        log "process $pid is alive but bolt port $p is not open (starting or stuck?)"
        return 1
    fi
    log "not running"
    return 1
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
fresh=0
for arg in "$@"; do
    case "$arg" in
        --fresh) [[ "$cmd" == start || "$cmd" == restart ]] || usage; fresh=1 ;;
        *) usage ;;
    esac
done

case "$cmd" in
    start) do_start "$fresh" ;;
    stop)
        [[ -d "$NEO4J_DIR" ]] && take_lock
        do_stop
        ;;
    status) do_status ;;
    restart)
        take_lock
        do_stop
        do_start "$fresh"
        ;;
    -h|--help|help|"") usage ;;
    *) usage ;;
esac
