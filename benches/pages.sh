#!/usr/bin/env bash
# Page latency at a million tickets (docs/benchmarks.md has the figures):
# `yekuo serve` on the realistic year of benches/reports.sh (seeded there
# if missing), one browser session of the customer manager with the most
# open tickets; in interleaved rounds, wrk with one connection for DURATION
# seconds each: /healthz (baseline), my work (/work), that manager's
# most-escalated ticket (/tickets/{id}). Prints p50 and p99 per case.
#
# Usage: benches/pages.sh   Environment: ROUNDS (3), DURATION (5),
#   WORK (/tmp/yekuo-reports).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WORK=${WORK:-/tmp/yekuo-reports}
PORT=18091
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yekuo-target}"
export YEKUO__SCHEDULER__ENABLED=false RUST_LOG=warn
export YEKUO__DATABASE__URL="sqlite://$WORK/year.db?mode=rwc" YEKUO__SERVER__BIND=127.0.0.1:$PORT
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
[[ -f $WORK/year.db ]] || ROUNDS=1 benches/reports.sh >/dev/null
cargo build --release --quiet
Y=$CARGO_TARGET_DIR/release/yekuo

read -r USER TICKET < <(python3 - "$WORK/year.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
user, mid = db.execute("""select p.username, p.id from tickets t join people p on p.id = t.manager_id
    where t.status = 'open' group by p.id order by count(*) desc limit 1""").fetchone()
tid = db.execute("""select id from tickets where manager_id = ? and status = 'open'
    order by escalation_level desc, id limit 1""", (mid,)).fetchone()[0]
print(user, tid)
PY
)
echo "bench password 1" | "$Y" user reset-password "$USER" --password-stdin >/dev/null
"$Y" serve >"$WORK/pages-serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
COOKIE=$(curl -s -o /dev/null -D - -X POST "http://127.0.0.1:$PORT/login" \
    --data-urlencode "username=$USER" --data-urlencode "password=bench password 1" --data-urlencode "next=/work" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
echo "manager $USER, ticket $TICKET" >&2

RESULTS=$WORK/pages.txt
: >"$RESULTS"
CASES=("healthz|/healthz" "my work|/work" "my work, searched|/work?q=%E5%85%AC%E5%8F%B8" "a ticket|/tickets/$TICKET")
for round in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        IFS='|' read -r name path <<<"$c"
        out=$(wrk -t1 -c1 -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
        echo "$name|$p50|$p99|$rps|${non2xx:-0}" >>"$RESULTS"
        echo "round $round: $name: p50 $p50, p99 $p99, $rps req/s, non-2xx ${non2xx:-0}" >&2
    done
done
echo "| case | p50 (rounds) | p99 (rounds) | req/s (rounds) |"
echo "|---|---|---|---|"
for c in "${CASES[@]}"; do
    IFS='|' read -r name _ <<<"$c"
    awk -F'|' -v n="$name" '$1 == n {p50 = p50 s $2; p99 = p99 s $3; r = r s $4; s = ", "} END {print "| " n " | " p50 " | " p99 " | " r " |"}' "$RESULTS"
done
