//! Benchmark of the org chart import: a 2,000-person CSV (19 units, 2,019
//! role assignments; the shape of tests/it/org_import.rs) into a fresh SQLite
//! file per iteration, and into a fresh PostgreSQL database per iteration
//! when `YEKUO_TEST_DATABASE_URL` points at a server. Only the import is
//! timed (creating and migrating the database is not). Also: importing the
//! same file again (nothing to write: load, compare, report).
//!
//! Run: `cargo bench --bench org_import`. Target: well under 5 s for 2,000
//! people. Results: docs/benchmarks.md.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use yekuo::config::Config;
use yekuo::org::import::{Format, import_bytes};

const PEOPLE: usize = 2000;

/// 10 service centers, 2,000 people, 8 departments, then the bureau.
fn org_csv() -> Vec<u8> {
    let mut out =
        String::from("\u{feff}type,code,name,kind,parent,email,phone,unit,roles,lang,active\n");
    for c in 1..=10 {
        out.push_str(&format!(
            "unit,GZ-C{c:02},第{c}供电服务中心,service_center,GZ,,,,,,\n"
        ));
    }
    let surnames: Vec<char> = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗".chars().collect();
    let given: Vec<char> = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
        .chars()
        .collect();
    let mut managers = 0;
    for i in 0..PEOPLE {
        let (username, unit, roles) = match i {
            0 => (
                "head-chen".to_string(),
                "GZ".to_string(),
                "head".to_string(),
            ),
            1 => ("deputy-lin".into(), "GZ".into(), "deputy_head".into()),
            2..=5 => (
                format!("auditor-{}", i - 1),
                "GZ".into(),
                if i == 2 {
                    "auditor;department@GZ-D01".into()
                } else {
                    "auditor".into()
                },
            ),
            6 => ("root".into(), String::new(), "admin".into()),
            7..=16 => (
                format!("director-{:02}", i - 6),
                format!("GZ-C{:02}", i - 6),
                "center_director".into(),
            ),
            17..=176 => (
                format!("dept-{:03}", i - 16),
                format!("GZ-D{:02}", (i - 17) / 20 + 1),
                "department".into(),
            ),
            _ => {
                managers += 1;
                let roles = if managers % 100 == 0 {
                    "manager;department@GZ-D02"
                } else {
                    "manager"
                };
                (
                    format!("mgr-{managers:04}"),
                    format!("GZ-C{:02}", managers % 10 + 1),
                    roles.into(),
                )
            }
        };
        let name: String = [surnames[i % 20], given[(i / 20) % 24], given[(i / 7) % 24]]
            .iter()
            .collect();
        let phone = if i % 3 == 0 {
            String::new()
        } else {
            format!("138{:08}", i * 7919 % 100_000_000)
        };
        let lang = if i % 10 == 9 { "en" } else { "" };
        let active = if i % 7 == 3 { "是" } else { "" };
        out.push_str(&format!(
            "person,{username},{name},,,{username}@gz.example.cn,{phone},{unit},{roles},{lang},{active}\n"
        ));
    }
    for d in 1..=8 {
        out.push_str(&format!("unit,GZ-D{d:02},部门{d},department,GZ,,,,,,\n"));
    }
    out.push_str("unit,GZ,广州供电局,bureau,,,,,,,\n");
    out.into_bytes()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Where fresh databases come from.
#[derive(Clone)]
enum Backend {
    Sqlite,
    /// The server's admin URL.
    Postgres(String),
}

/// A fresh, migrated database; `drop_db` cleans it up afterwards.
struct Fresh {
    db: DatabaseConnection,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Backend {
    async fn fresh(&self) -> Fresh {
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg) = match self {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("yekuo.db").display()
                ),
                None,
            ),
            Backend::Postgres(admin) => {
                let name = format!(
                    "yekuo_bench_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    Utc::now().timestamp_micros() % 1_000_000
                );
                let server = Database::connect(admin)
                    .await
                    .expect("connect to YEKUO_TEST_DATABASE_URL");
                server
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                server.close().await.ok();
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                (format!("{base}/{name}"), Some((admin.clone(), name)))
            }
        };
        let config =
            Config::from_toml_overrides(&format!("[database]\nurl = \"{url}\"")).expect("config");
        let db = yekuo::db::connect(&config.raw.database)
            .await
            .expect("connect");
        yekuo::db::migrate(&db).await.expect("migrate");
        Fresh { db, pg, _dir: dir }
    }
}

impl Fresh {
    async fn drop_db(self) {
        self.db.close().await.ok();
        if let Some((admin, name)) = self.pg {
            let server = Database::connect(&admin).await.expect("connect");
            server
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
            server.close().await.ok();
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let csv = org_csv();
    let mut backends = vec![("sqlite", Backend::Sqlite)];
    if let Ok(admin) = std::env::var("YEKUO_TEST_DATABASE_URL")
        && admin.starts_with("postgres")
    {
        backends.push(("postgres", Backend::Postgres(admin)));
    }

    let mut group = c.benchmark_group("org_import");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(PEOPLE as u64));
    for (label, backend) in &backends {
        // Into an empty database: creates 19 units, 2,000 people, 2,019 roles.
        group.bench_function(format!("{label}/new_2000_people"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let fresh = backend.fresh().await;
                        let started = Instant::now();
                        let report = import_bytes(&fresh.db, &csv, Format::Csv, false, Utc::now())
                            .await
                            .expect("import");
                        total += started.elapsed();
                        assert_eq!(report.people_created, PEOPLE);
                        fresh.drop_db().await;
                    }
                    total
                })
            })
        });
        // The same file again: everything unchanged, nothing written.
        group.bench_function(format!("{label}/same_again_2000_people"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let fresh = backend.fresh().await;
                    import_bytes(&fresh.db, &csv, Format::Csv, false, Utc::now())
                        .await
                        .expect("import");
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let report = import_bytes(&fresh.db, &csv, Format::Csv, false, Utc::now())
                            .await
                            .expect("import");
                        total += started.elapsed();
                        assert_eq!(report.people_unchanged, PEOPLE);
                    }
                    fresh.drop_db().await;
                    total
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
