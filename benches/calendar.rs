//! Benchmark of the working-day calendar's O(1) queries.
//!
//! Run: `cargo bench --bench calendar`. Each iteration answers 10,000
//! precomputed pseudo-random queries inside the embedded 2024–2026 calendar,
//! so criterion's throughput figure is queries per second. Target: at least
//! 10 million `add` per second on one core. Results: docs/benchmarks.md.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use yekuo::calendar::Calendar;

/// Queries per iteration.
const QUERIES: usize = 10_000;

/// Small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// `(start, n)` with n in 1..=250 and starts from 2024-01-01 to 2025-10-31,
/// so that every answer lies inside the calendar (no error path measured).
fn add_queries() -> Vec<(NaiveDate, u32)> {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..QUERIES)
        .map(|_| {
            let start = first + Days::new(rng.below(670));
            let n = 1 + rng.below(250) as u32;
            (start, n)
        })
        .collect()
}

/// `(a, b)` anywhere in 2024–2026, in either order.
fn between_queries() -> Vec<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    (0..QUERIES)
        .map(|_| {
            let a = first + Days::new(rng.below(1096));
            let b = first + Days::new(rng.below(1096));
            (a, b)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::builtin();
    let adds = add_queries();
    let betweens = between_queries();
    // Sanity: every query is answerable exactly.
    assert!(adds.iter().all(|&(s, n)| cal.add(s, n).is_ok()));
    assert!(betweens.iter().all(|&(a, b)| cal.between(a, b).is_ok()));

    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(QUERIES as u64));
    group.bench_function("add", |b| {
        b.iter(|| {
            for &(s, n) in black_box(&adds) {
                black_box(cal.add(s, n).ok());
            }
        })
    });
    group.bench_function("between", |b| {
        b.iter(|| {
            for &(a, d) in black_box(&betweens) {
                black_box(cal.between(a, d).ok());
            }
        })
    });
    group.bench_function("add_provisional", |b| {
        b.iter(|| {
            for &(s, n) in black_box(&adds) {
                black_box(cal.add_provisional(s, n));
            }
        })
    });
    group.bench_function("is_working_day", |b| {
        b.iter(|| {
            for &(s, _) in black_box(&adds) {
                black_box(cal.is_working_day(s).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
