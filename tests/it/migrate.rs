//! Migrations: idempotent, and safe when several instances start together.

use crate::common;

use yekuo::config::Config;

#[tokio::test]
async fn concurrent_migrations_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg_admin) = common::fresh_database(dir.path()).await;
    let config = Config::from_toml_overrides(&format!("[database]\nurl = \"{url}\"")).unwrap();
    let mut pools = Vec::new();
    for _ in 0..3 {
        pools.push(yekuo::db::connect(&config.raw.database).await.unwrap());
    }
    let (a, b, c) = tokio::join!(
        yekuo::db::migrate(&pools[0]),
        yekuo::db::migrate(&pools[1]),
        yekuo::db::migrate(&pools[2]),
    );
    if pg_admin.is_some() {
        // PostgreSQL: the advisory lock serialises them; all succeed.
        a.unwrap();
        b.unwrap();
        c.unwrap();
    } else {
        // SQLite is the single-node default: at least one applies them.
        assert!(a.is_ok() || b.is_ok() || c.is_ok());
    }
    // Running again changes nothing.
    yekuo::db::migrate(&pools[0]).await.unwrap();
    for p in pools {
        p.close().await.ok();
    }
    if let Some((admin, name)) = pg_admin {
        common::drop_database(&admin, &name).await;
    }
}
