#!/usr/bin/env bash
# `make run`: the Celery worker, beat and the development server together, until Ctrl-C (or any of the three
# ending) stops all three, each once, with one line each.
#
# Each child runs in its own process group (`set -m`), so the terminal's Ctrl-C reaches this script alone, not
# the children as well: the script sends each child one SIGTERM, waits for it and says so. (The old
# `trap 'kill 0' INT TERM EXIT` signalled its own group, itself included, re-entered its trap, and flooded the
# worker with signals until bash crashed.)
#
# A child still running (any process of its group) HRPORTAL_STOP_GRACE seconds (default 15, whole seconds) after
# the SIGTERM is killed, with its process group, and the script says so. Celery beat is such a child when the
# SIGTERM lands while it is still building its database schedule (before hrportal/celery.py's "beat: ready"):
# celery's signal handler syncs the schedule, which starts building a second scheduler over the first one's
# connection, the error that follows is caught and logged by django-celery-beat's own `except Exception`, and the
# SystemExit never comes; beat runs on, and without the grace `make run` would wait for it forever.
#
# Environment: PY (the interpreter, default .venv/bin/python), HRPORTAL_ADDR (default 127.0.0.1:8000),
# HRPORTAL_VAR_DIR (default ./var, as in the settings), HRPORTAL_STOP_GRACE (above); the rest (DATABASE_URL,
# CELERY_BROKER_URL…) is the settings' own.
set -u
set -m

PY=${PY:-.venv/bin/python}
ADDR=${HRPORTAL_ADDR:-127.0.0.1:8000}
VAR=${HRPORTAL_VAR_DIR:-var}
GRACE=${HRPORTAL_STOP_GRACE:-15}
if [[ ! $GRACE =~ ^[0-9]+$ ]]; then
    echo "hrportal: HRPORTAL_STOP_GRACE must be a whole number of seconds, not '$GRACE'" >&2
    exit 2
fi

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
    trap '' INT TERM  # a second Ctrl-C while we wait changes nothing
    ((stopping)) && return
    stopping=1
    local i pid ticks=0
    for i in "${!pids[@]}"; do
        kill -TERM "${pids[$i]}" 2>/dev/null
    done
    # One clock for all three, in tenths of a second, from the SIGTERM.
    for i in "${!pids[@]}"; do
        pid=${pids[$i]}
        while kill -0 -- "-$pid" 2>/dev/null && ((ticks < GRACE * 10)); do
            sleep 0.1
            ((ticks += 1))
        done
        if kill -0 -- "-$pid" 2>/dev/null; then
            kill -KILL -- "-$pid" 2>/dev/null  # its process group: the worker's pool with it
            wait "$pid" 2>/dev/null
            echo "hrportal: ${names[$i]} killed (still running ${GRACE} s after SIGTERM)"
        else
            wait "$pid" 2>/dev/null
            echo "hrportal: ${names[$i]} stopped"
        fi
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
