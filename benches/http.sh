#!/usr/bin/env bash
# HTTP, start-up, memory and sweep benchmarks at a million tickets, on
# SQLite and PostgreSQL (docs/benchmarks.md has the figures and how to read
# them). Against one `yekuo serve` per database, in interleaved rounds:
# /healthz (no database) as the baseline, GET /api/v1/tickets/{random id}
# and GET /api/v1/tickets?limit=50 with the head's token, 2 wrk threads, 16
# and 64 connections; then every list shape one request at a time (page 1
# and a cursor 900,000 tickets deep); /readyz after start; RSS after the
# runs; one sweep over the 10,000 due tickets (on fresh copies).
#
# Usage: benches/http.sh [sqlite|pg|both]
# Environment: ROUNDS (3), DURATION (5 s per run), SEQ_DURATION (3 s),
#   TICKETS (1000000), WORK (/tmp/yekuo-bench), PG_URL (postgres admin URL),
#   RESEED=1 to seed again although a seeded copy exists.
set -euo pipefail
cd "$(dirname "$0")/.."

WHICH=${1:-both}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
SEQ_DURATION=${SEQ_DURATION:-3}
TICKETS=${TICKETS:-1000000}
DUE=10000
AS_OF=2026-11-27T09:00:00+08:00
WORK=${WORK:-/tmp/yekuo-bench}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BASE=${PG_URL%/*}
PORT=18080
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yekuo-target}"
export YEKUO__SCHEDULER__ENABLED=false RUST_LOG=warn
export YEKUO__SERVER__BIND=127.0.0.1:$PORT

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
cargo build --release --quiet
Y=$CARGO_TARGET_DIR/release/yekuo
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

note() { printf '%s\n' "$*" >&2; }
record() { # label json
    printf '{"db":"%s","what":"%s",%s\n' "$DB" "$1" "${2#\{}" >>"$RESULTS"
}

seed() {
    if [ "$DB" = sqlite ]; then
        if [ -f "$WORK/sqlite/pristine.db" ] && [ -z "${RESEED:-}" ]; then return; fi
        rm -rf "$WORK/sqlite" && mkdir -p "$WORK/sqlite" && cd "$WORK/sqlite"
        note "seeding SQLite with $TICKETS tickets…"
        "$Y" demo --tickets "$TICKETS" --due "$DUE" --as-of "$AS_OF"
        cp data/yekuo.db pristine.db
        cd - >/dev/null
    else
        if psql "$PG_URL" -Atc "select 1 from pg_database where datname='yekuo_bench_seed'" | grep -q 1 && [ -z "${RESEED:-}" ]; then return; fi
        psql "$PG_URL" -qc "drop database if exists yekuo_bench_seed" -c "create database yekuo_bench_seed"
        note "seeding PostgreSQL with $TICKETS tickets…"
        YEKUO__DATABASE__URL=$PG_BASE/yekuo_bench_seed "$Y" demo --tickets "$TICKETS" --due "$DUE" --as-of "$AS_OF"
        psql "$PG_BASE/yekuo_bench_seed" -qc "vacuum analyze"
    fi
}

fresh() { # a fresh copy of the seeded database; sets YEKUO__DATABASE__URL
    if [ "$DB" = sqlite ]; then
        rm -rf "$WORK/sqlite/data" && mkdir -p "$WORK/sqlite/data"
        cp "$WORK/sqlite/pristine.db" "$WORK/sqlite/data/yekuo.db"
        sync # the copy written out, not competing with what is measured
        export YEKUO__DATABASE__URL="sqlite://$WORK/sqlite/data/yekuo.db?mode=rwc"
    else
        psql "$PG_URL" -qc "drop database if exists yekuo_bench_run" -c "create database yekuo_bench_run template yekuo_bench_seed"
        export YEKUO__DATABASE__URL=$PG_BASE/yekuo_bench_run
    fi
}

sql() { # one value from the fresh database
    if [ "$DB" = sqlite ]; then sqlite3 "$WORK/sqlite/data/yekuo.db" "$1"; else psql "$YEKUO__DATABASE__URL" -Atc "$1"; fi
}

start() {
    "$Y" serve >"$WORK/serve-$DB.log" 2>&1 &
    PID=$!
    local t0 t1
    t0=$(date +%s%N)
    until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
        kill -0 $PID 2>/dev/null || { cat "$WORK/serve-$DB.log"; exit 1; }
        sleep 0.005
    done
    t1=$(date +%s%N)
    record readyz "{\"ms\":$(((t1 - t0) / 1000000))}"
}

run() { # label path threads connections duration
    local out
    out=$(WRK_PATH=$2 wrk -t"$3" -c"$4" -d"$5"s -s benches/http.lua "http://127.0.0.1:$PORT" | tail -n 1)
    record "$1" "$out"
}

bench_db() {
    DB=$1
    seed
    fresh
    export MAX_ID=$TICKETS
    start
    TOKEN=$("$Y" user token demo-head --name "bench $(date +%s)" | grep -o 'ykt_[A-Za-z0-9_-]*' | head -n 1)
    export TOKEN
    # The head's list in due order, 900,000 tickets deep.
    local deep
    if [ "$DB" = sqlite ]; then
        deep=$(sql "select strftime('%s', due_at) || '_' || id from tickets where status = 'open' order by due_at, id limit 1 offset 899999")
    else
        deep=$(sql "select extract(epoch from due_at)::bigint || '_' || id from tickets where status = 'open' order by due_at, id limit 1 offset 899999")
    fi
    for round in $(seq 1 "$ROUNDS"); do
        for c in 16 64; do
            note "$DB round $round, $c connections"
            run "healthz c$c" /healthz 2 $c "$DURATION"
            run "ticket c$c" '/api/v1/tickets/{id}' 2 $c "$DURATION"
            run "list c$c" '/api/v1/tickets?limit=50' 2 $c "$DURATION"
        done
    done
    for shape in \
        "no filter|" \
        "owner|&owner=demo-mgr-03" \
        "service center|&service_center=DEMO-04" \
        "overdue as of|&overdue_as_of=2027-01-15" \
        "due before|&due_before=2027-02-01" \
        "status + sort|&status=open&sort=-due"; do
        local name=${shape%%|*} q=${shape#*|}
        note "$DB sequential: $name"
        run "seq $name, page 1" "/api/v1/tickets?limit=50$q" 1 1 "$SEQ_DURATION"
        if [ "$name" = "status + sort" ]; then
            run "seq $name, deep" "/api/v1/tickets?limit=50&status=open&cursor=$deep" 1 1 "$SEQ_DURATION"
        else
            run "seq $name, deep" "/api/v1/tickets?limit=50$q&cursor=$deep" 1 1 "$SEQ_DURATION"
        fi
    done
    record rss "{\"rss_kb\":$(awk '/VmRSS/ {print $2}' /proc/$PID/status),\"peak_kb\":$(awk '/VmHWM/ {print $2}' /proc/$PID/status)}"
    kill $PID && wait $PID 2>/dev/null || true
    for run in 1 2 3; do
        fresh
        local s
        s=$("$Y" sweep --as-of "$AS_OF" | tail -n 1 | grep -o '[0-9.]* s$' | tr -d ' s')
        record sweep "{\"s\":$s}"
    done
}

case $WHICH in
    sqlite) bench_db sqlite ;;
    pg) bench_db pg ;;
    both) bench_db sqlite; bench_db pg ;;
    *) echo "usage: $0 [sqlite|pg|both]" >&2; exit 2 ;;
esac

python3 - "$RESULTS" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    by[(r["db"], r["what"])].append(r)
med = lambda xs: statistics.median(xs) if xs else float("nan")
print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
for db in sorted({r["db"] for r in rows}):
    print(f"\n== {db}")
    for c in (16, 64):
        base = by[(db, f"healthz c{c}")]
        for what in ("healthz", "ticket", "list"):
            rs = by[(db, f"{what} c{c}")]
            if not rs:
                continue
            ratios = [r["rps"] / b["rps"] for r, b in zip(rs, base)]
            bad = sum(r["non2xx"] + r["errors"] for r in rs)
            print(f"{what:8} c{c:<3} {med([r['rps'] for r in rs]):>10.0f} req/s  p50 {med([r['p50_ms'] for r in rs]):7.2f} ms"
                  f"  p99 {med([r['p99_ms'] for r in rs]):7.2f} ms  {100*med(ratios):6.1f} % of /healthz"
                  f"  (rounds {', '.join(f'{100*x:.1f}' for x in ratios)})  non-2xx/errors {bad}")
    for (d, what), rs in sorted(by.items()):
        if d == db and what.startswith("seq "):
            r = rs[0]
            print(f"{what[4:]:34} p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  {r['rps']:7.0f} req/s  non-2xx {r['non2xx']}")
    for what, key, unit in (("readyz", "ms", "ms"), ("sweep", "s", "s")):
        vals = [r[key] for r in by[(db, what)]]
        if vals:
            print(f"{what}: {', '.join(str(v) for v in vals)} {unit} (median {med(vals)})")
    for r in by[(db, "rss")]:
        print(f"RSS after the runs: {r['rss_kb']/1024:.0f} MB (peak {r['peak_kb']/1024:.0f} MB)")
PY
