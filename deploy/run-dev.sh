#!/usr/bin/env bash
# `make run`: the Celery worker, beat and the development server together, until Ctrl-C (or any of the three
# ending) stops all three, each once, with one line each.
#
# Each child runs in its own process group (`set -m`), so the terminal's Ctrl-C reaches this script alone, not
# the children as well: the script sends each child one SIGTERM, waits for it and says so. (The old
# `trap 'kill 0' INT TERM EXIT` signalled its own group, itself included, re-entered its trap, and flooded the
# worker with signals until bash crashed.)
#
# Environment: PY (the interpreter, default .venv/bin/python), HRPORTAL_ADDR (default 127.0.0.1:8000),
# HRPORTAL_VAR_DIR (default ./var, as in the settings); the rest (DATABASE_URL, CELERY_BROKER_URL…) is the
# settings' own.
set -u
set -m

PY=${PY:-.venv/bin/python}
ADDR=${HRPORTAL_ADDR:-127.0.0.1:8000}
VAR=${HRPORTAL_VAR_DIR:-var}

names=()
pids=()
start() {
    local name=$1
    shift
    "$@" &
    pids+=("$!")
    names+=("$name")
}

stopping=0
stop() {
    ((stopping)) && return
    stopping=1
    trap '' INT TERM  # a second Ctrl-C while we wait changes nothing
    local i
    for i in "${!pids[@]}"; do
        kill -TERM "${pids[$i]}" 2>/dev/null
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" 2>/dev/null
        echo "hrportal: ${names[$i]} stopped"
    done
}
trap 'stop; exit 0' INT TERM

start worker env PROMETHEUS_MULTIPROC_DIR="$VAR/prometheus/worker" \
    "$PY" -m celery -A hrportal worker -Q default,mail,reports -c 2 --loglevel=INFO
start beat "$PY" -m celery -A hrportal beat --loglevel=INFO --schedule "$VAR/celerybeat-schedule"
start web "$PY" manage.py runserver "$ADDR" --noreload

# Any of the three ending ends the others. (The trap runs while `wait` waits.)
wait -n
stop
exit 0
