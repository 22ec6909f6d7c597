#!/usr/bin/env bash
# Create .venv and install XiaoQi Graph with its dev tools; idempotent and quiet on re-runs.
#   KG_WITH_SYSTEM_DEPS=1  also install missing system packages (Java 17 + Maven for the test
#                          Neo4j, Debian chromium for the browser test) with apt-get, as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "bootstrap: Python 3.11+ is required (found: $("$PY" --version 2>&1))" >&2
    exit 1
fi

if [ "${KG_WITH_SYSTEM_DEPS:-0}" = "1" ]; then
    missing=()
    command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    # CJK fonts, so the browser test's screenshots show Chinese, not boxes.
    [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            echo "bootstrap: installing ${missing[*]} with apt-get" >&2
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "bootstrap: missing system packages: ${missing[*]} (install them as root)" >&2
        fi
    fi
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    touch "$stamp"
fi
