#!/usr/bin/env bash
# What a /metrics scrape costs at 10 tickets and at 1,000,000 (the year of
# benches/reports.sh): two `yekuo serve` (release) side by side, only the
# `gauges` job scheduled; once each has set its gauges, wrk with one
# connection scrapes each for DURATION seconds, in interleaved rounds.
# Prints p50/p99 per case, the number of series, and how long the
# gauges job took on each database (docs/benchmarks.md).
#
# Usage: benches/metrics.sh   Environment: ROUNDS (3), DURATION (5),
#   WORK (/tmp/yekuo-reports).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WORK=${WORK:-/tmp/yekuo-reports}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yekuo-target}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
[[ -f $WORK/year.db ]] || ROUNDS=1 benches/reports.sh >/dev/null
cargo build --release --quiet
Y=$CARGO_TARGET_DIR/release/yekuo
SMALL=$WORK/small.db
rm -f "$SMALL" "$SMALL"-wal "$SMALL"-shm "$SMALL".lock
YEKUO__DATABASE__URL="sqlite://$SMALL?mode=rwc" "$Y" demo --tickets 10 --due 0 >/dev/null

# Only the gauges job runs (the others once a year, at 03:00 on 1 January).
export RUST_LOG=warn YEKUO__METRICS__TOKEN=bench-token
export YEKUO__SCHEDULER__SWEEP_CRON="0 0 3 1 1 *" YEKUO__SCHEDULER__DELIVERY_CRON="0 0 3 1 1 *"
export YEKUO__SCHEDULER__DIGEST_CRON="0 0 3 1 1 *" YEKUO__SCHEDULER__SNAPSHOT_CRON="0 0 3 1 1 *"
export YEKUO__SCHEDULER__GAUGES_CRON="*/5 * * * * *"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start() { # name db port
    YEKUO__DATABASE__URL="sqlite://$2?mode=rwc" YEKUO__SERVER__BIND="127.0.0.1:$3" \
        "$Y" serve >"$WORK/metrics-$1.log" 2>&1 &
    PIDS+=($!)
}
start small "$SMALL" 18101
start year "$WORK/year.db" 18102
scrape() { curl -sf -H "Authorization: Bearer bench-token" "http://127.0.0.1:$1/metrics"; }
for port in 18101 18102; do
    for _ in $(seq 1 300); do
        scrape $port 2>/dev/null | grep -q '^yekuo_job_runs_total{job="gauges"}' && break
        sleep 1
    done
done

RESULTS=$WORK/metrics.txt
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    for c in "10 tickets|18101" "1,000,000 tickets|18102"; do
        IFS='|' read -r name port <<<"$c"
        out=$(wrk -t1 -c1 -d"${DURATION}s" --latency -H "Authorization: Bearer bench-token" "http://127.0.0.1:$port/metrics")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
        echo "$name|$p50|$p99|$rps" >>"$RESULTS"
        echo "round $round: $name: p50 $p50, p99 $p99, $rps scrapes/s" >&2
    done
done
for c in "10 tickets|18101" "1,000,000 tickets|18102"; do
    IFS='|' read -r name port <<<"$c"
    text=$(scrape "$port")
    series=$(grep -vc '^#' <<<"$text")
    gauges=$(awk '/^yekuo_job_duration_seconds_sum\{job="gauges"\}/ {s=$2} /^yekuo_job_duration_seconds_count\{job="gauges"\}/ {n=$2} END {if (n) printf "%.3f s mean over %d runs", s/n, n}' <<<"$text")
    echo "$name: $series series; the gauges job: $gauges"
done
echo "| case | p50 (rounds) | p99 (rounds) | scrapes/s (rounds) |"
echo "|---|---|---|---|"
for name in "10 tickets" "1,000,000 tickets"; do
    awk -F'|' -v n="$name" '$1 == n {p50 = p50 sep $2; p99 = p99 sep $3; r = r sep $4; sep = ", "}
        END {printf "| %s | %s | %s | %s |\n", n, p50, p99, r}' "$RESULTS"
done
