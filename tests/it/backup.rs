//! Backup and restore of the embedded SQLite database, and the
//! configuration check: a backup taken while tickets are being written,
//! restored elsewhere, every ticket's event chain verified; a restore
//! refused while yekuo has the database open; `config check` and unknown
//! keys. On PostgreSQL the commands say to use pg_dump.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::common::{TestApp, local};
use serde_json::json;
use yekuo::backup::{self, BackupError};
use yekuo::config::{Config, ConfigError};

fn yekuo(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yekuo"));
    c.args(args)
        .env_remove("YEKUO__DATABASE__URL")
        .env("YEKUO__CALENDAR__DIR", "");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run yekuo");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first `n` tickets' ids.
async fn ticket_ids(app: &yekuo::app::App, n: u64) -> Vec<i64> {
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    use yekuo::tickets::entity::ticket;
    ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .order_by_asc(ticket::Column::Id)
        .limit(n)
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_writes_restores_with_every_chain_intact() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let target = t.dir.path().join("backup.db");
    if t.app.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        assert!(matches!(
            backup::backup(&t.app.db, &target).await,
            Err(BackupError::NotSqlite)
        ));
        t.stop().await;
        return;
    }
    for _ in 0..20 {
        t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    }
    // Writers go on while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (app, stop, written) = (t.app.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let actor = yekuo::tickets::Actor::system();
                let ids: Vec<i64> = ticket_ids(&app, 5).await;
                for id in ids {
                    let a = yekuo::tickets::actions::Action::Pause {
                        reason: Some("customer_design".into()),
                        note: None,
                    };
                    if yekuo::tickets::service::act(&app, &actor, id, a)
                        .await
                        .is_ok()
                    {
                        written.fetch_add(1, Ordering::Relaxed);
                    }
                    let a = yekuo::tickets::actions::Action::Resume { note: None };
                    let _ = yekuo::tickets::service::act(&app, &actor, id, a).await;
                }
            }
        })
    };
    // The writer is under way before the backup starts, and goes on.
    for _ in 0..1000 {
        if written.load(Ordering::Relaxed) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = written.load(Ordering::Relaxed);
    assert!(before > 0, "the writer writes");
    let bytes = backup::backup(&t.app.db, &target).await.unwrap();
    assert!(bytes > 0);
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    // Never over an existing file.
    assert!(matches!(
        backup::backup(&t.app.db, &target).await,
        Err(BackupError::Exists(_))
    ));
    // Not over the database yekuo has open.
    let url = t.app.config.raw.database.url.clone();
    assert!(matches!(
        backup::restore(&url, &target, t.app.now()).await,
        Err(BackupError::InUse(_))
    ));
    // Elsewhere: restored, and every ticket's chain verifies.
    let restored = t.dir.path().join("restored").join("yekuo.db");
    let restored_url = format!("sqlite://{}?mode=rwc", restored.display());
    std::fs::create_dir_all(restored.parent().unwrap()).unwrap();
    std::fs::write(&restored, b"an old database").unwrap();
    let kept = backup::restore(&restored_url, &target, t.app.now())
        .await
        .unwrap()
        .expect("the replaced file is kept");
    assert_eq!(std::fs::read(&kept).unwrap(), b"an old database");
    let app = t
        .sibling(&format!("[database]\nurl = \"{restored_url}\""))
        .await;
    let ids = ticket_ids(&app, 1000).await;
    assert_eq!(ids.len(), 20);
    for id in ids {
        let v = yekuo::tickets::service::verify_events(&app, id)
            .await
            .unwrap();
        assert!(v.ok, "ticket {id}: {v:?}");
    }
    // A file that is not a yekuo database is refused, nothing replaced.
    drop(app);
    let junk = t.dir.path().join("junk.db");
    std::fs::write(&junk, b"not sqlite").unwrap();
    assert!(matches!(
        backup::restore(&restored_url, &junk, t.app.now()).await,
        Err(BackupError::NotABackup { .. })
    ));
    t.stop().await;
}

#[test]
fn the_commands_name_pg_dump_on_postgresql_and_back_up_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let pg = [(
        "YEKUO__DATABASE__URL",
        "postgres://postgres@127.0.0.1:5432/none",
    )];
    let (code, _, err) = yekuo(&["backup", "x.db"], &pg);
    assert_eq!(code, 2);
    assert!(err.contains("pg_dump"), "{err}");
    let (code, _, err) = yekuo(&["restore", "x.db"], &pg);
    assert_eq!(code, 2);
    assert!(err.contains("pg_restore"), "{err}");
    let url = format!("sqlite://{}/y.db?mode=rwc", dir.path().display());
    let db = [("YEKUO__DATABASE__URL", url.as_str())];
    assert_eq!(yekuo(&["migrate"], &db).0, 0);
    let copy = dir.path().join("copy.db");
    let (code, out, err) = yekuo(&["backup", copy.to_str().unwrap()], &db);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("backed up to"), "{out}");
    let (code, _, err) = yekuo(&["backup", copy.to_str().unwrap()], &db);
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");
    let (code, out, err) = yekuo(&["restore", copy.to_str().unwrap()], &db);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("kept as"), "{out}");
}

#[test]
fn config_check_prints_the_configuration_and_refuses_unknown_keys() {
    let (code, out, err) = yekuo(
        &["config", "check"],
        &[("YEKUO__DATABASE__PASSWORD", "s3cret")],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["server"]["bind"], "127.0.0.1:8080");
    assert!(!out.contains("s3cret"), "secrets masked");
    // A typo in the environment and one in a file: each named.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("yekuo.toml");
    std::fs::write(&file, "[mail]\nsmtp_hots = \"mail.example.cn\"\n").unwrap();
    let (code, _, err) = yekuo(
        &["config", "check", "--config", file.to_str().unwrap()],
        &[("YEKUO__LOG__FORMT", "json")],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("log.formt") && err.contains("mail.smtp_hots"),
        "{err}"
    );
    // The same refusal in the library.
    match Config::from_toml_overrides("[server]\nbindd = \"x\"\n") {
        Err(ConfigError::Unknown(keys)) => assert_eq!(keys, ["server.bindd"]),
        other => panic!("{other:?}"),
    }
}
