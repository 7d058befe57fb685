#!/usr/bin/env bash
# Reports at a million tickets (docs/benchmarks.md has the figures). Two
# SQLite databases, seeded once and kept under $WORK:
# - year: `yekuo demo --year` with TICKETS tickets (a realistic year of
#   history ending at AS_OF);
# - due: `yekuo demo --tickets TICKETS --due 100000` (100,000 overdue, for
#   the 100,000-row workbook).
# Compliance is measured twice: with no outcome of a closed ticket kept yet
# (the first report of a period computes and keeps them), and then (kept).
# In interleaved rounds, each case is one run of the release binary timed
# by /usr/bin/time (seconds, peak RSS); the baseline is the same binary
# starting, opening the database and printing the calendar (`calendar
# info`). Prints per case the median time and RSS, and the median minus the
# baseline's.
#
# Usage: benches/reports.sh   Environment: ROUNDS (5), TICKETS (1000000),
#   WORK (/tmp/yekuo-reports), RESEED=1 to seed again.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
TICKETS=${TICKETS:-1000000}
AS_OF=2026-11-27T09:00:00+08:00
WORK=${WORK:-/tmp/yekuo-reports}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yekuo-target}"
export YEKUO__SCHEDULER__ENABLED=false RUST_LOG=warn
cargo build --release --quiet
Y=$CARGO_TARGET_DIR/release/yekuo
mkdir -p "$WORK"

seed() { # name, demo arguments…
    local name=$1; shift
    if [[ -n "${RESEED:-}" || ! -f "$WORK/$name.db" ]]; then
        rm -f "$WORK/$name.db"*
        YEKUO__DATABASE__URL="sqlite://$WORK/$name.db?mode=rwc" "$Y" demo "$@" --as-of "$AS_OF" >&2
    fi
}
seed year --year --tickets "$TICKETS"
seed due --tickets "$TICKETS" --due 100000

# name | database | arguments
CASES=(
    "baseline|year|calendar info"
    "overdue now (bureau, JSON)|year|report overdue --unit DEMO --format json --output $WORK/now.json"
    "overdue a month ago (bureau, JSON)|year|report overdue --unit DEMO --as-of 2026-10-27T09:00:00+08:00 --format json --output $WORK/past.json"
    "compliance of October, first report (bureau, JSON)|year-cold|report compliance --unit DEMO --from 2026-10-01 --to 2026-10-31 --format json --output $WORK/compliance.json"
    "compliance of October (bureau, JSON)|year|report compliance --unit DEMO --from 2026-10-01 --to 2026-10-31 --format json --output $WORK/compliance.json"
    "durations of October (bureau, JSON)|year|report durations --unit DEMO --from 2026-10-01 --to 2026-10-31 --format json --output $WORK/durations.json"
    "overdue now, 100,000 rows (XLSX)|due|report overdue --unit DEMO --format xlsx --output $WORK/now.xlsx"
)
RESULTS=$WORK/results.txt
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        IFS='|' read -r name db args <<<"$c"
        if [[ $db == year-cold ]]; then
            # No outcome kept yet: the report computes and keeps them all
            # (reports::closings), as the first report of a period does.
            db=year
            python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM ticket_closings'); c.commit()" "$WORK/year.db" 2>/dev/null || true
        fi
        # The reports run on the real clock: "now" is some time after the
        # year's end.
        m=$(YEKUO__DATABASE__URL="sqlite://$WORK/$db.db?mode=rwc" \
            /usr/bin/time -f "%e %M" "$Y" $args 2>&1 >/dev/null | tail -n1)
        echo "$name|$m" >>"$RESULTS"
        echo "round $round: $name: $m" >&2
    done
done
python3 - "$RESULTS" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    name, m = line.rstrip("\n").split("|")
    t, kb = m.split()
    rows.setdefault(name, []).append((float(t), int(kb)))
base = statistics.median(t for t, _ in rows["baseline"])
print(f"| case | median s | median − baseline s | peak RSS MB (median) | runs |")
print(f"|---|---|---|---|---|")
for name, v in rows.items():
    t = statistics.median(x for x, _ in v); kb = statistics.median(k for _, k in v)
    print(f"| {name} | {t:.2f} | {t - base:.2f} | {kb / 1024:.0f} | {', '.join(f'{x:.2f}' for x, _ in v)} |")
PY
