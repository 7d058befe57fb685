//! Database connection: SQLite (embedded default; WAL, foreign keys on) or
//! PostgreSQL, chosen by the URL; migrations from the `migrations` crate.
//!
//! SQLite has one writer at a time. A transaction that starts as a reader
//! (`BEGIN DEFERRED`) and writes later fails at once with `SQLITE_BUSY`
//! when another connection committed in between: the busy timeout cannot
//! help it. So on SQLite every write goes through one writer connection
//! (writers of this process queue for it in order, and readers keep the
//! other connections), and its transactions begin `IMMEDIATE`, taking the
//! write lock at their start, so a writer of another process (a CLI
//! command) waits for the busy timeout instead of failing. On PostgreSQL
//! the writer is the same pool; row locks order writers.

use std::fmt;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::Deserialize;

use crate::config::Secret;

/// `[database]`: where the data is and how many connections read it.
#[derive(Clone, Deserialize)]
pub struct DatabaseConfig {
    pub url: String,
    #[serde(default)]
    pub password: Secret,
    pub migrate_on_start: bool,
    pub max_connections: u32,
    /// SQLite: how long a writer waits for another process's write lock.
    pub busy_timeout_seconds: u64,
    /// SQLite: page cache per connection, in KiB (bounds memory).
    pub cache_kib: u32,
    /// SQLite: read connections (`max_connections` is PostgreSQL's pool).
    pub sqlite_readers: u32,
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("password", &self.password)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("max_connections", &self.max_connections)
            .field("busy_timeout_seconds", &self.busy_timeout_seconds)
            .field("cache_kib", &self.cache_kib)
            .field("sqlite_readers", &self.sqlite_readers)
            .finish()
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Opens the pool described by `cfg`. For SQLite, creates the file's folder.
pub async fn connect(cfg: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_path(&cfg.url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    tracing::info!(url = %redact_url(&cfg.url), "connecting to the database");
    let size = if cfg.url.starts_with("sqlite:") {
        cfg.sqlite_readers
    } else {
        cfg.max_connections
    };
    Database::connect(options(cfg, size)).await
}

/// The connection writes go through: on SQLite a pool of one connection
/// beside `read` (see the module comment), on PostgreSQL `read` itself.
pub async fn connect_writer(
    cfg: &DatabaseConfig,
    read: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    if read.get_database_backend() == DbBackend::Sqlite {
        Database::connect(options(cfg, 1)).await
    } else {
        Ok(read.clone())
    }
}

fn options(cfg: &DatabaseConfig, max: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(cfg.url.clone());
    opts.max_connections(max)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(cfg.busy_timeout_seconds.max(30)))
        .sqlx_logging(false);
    let busy = Duration::from_secs(cfg.busy_timeout_seconds);
    let cache = format!("-{}", cfg.cache_kib);
    opts.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(busy)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            // Memory per connection stays bounded: a page cache of
            // `cache_kib`, no memory-mapped file.
            .pragma("cache_size", cache.clone())
            .pragma("mmap_size", "0")
    });
    if !cfg.password.is_empty() {
        let password = cfg.password.expose().to_string();
        opts.map_sqlx_postgres_opts(move |o| o.password(&password));
    }
    opts
}

/// Begins a write transaction on `writer` (the connection from
/// [`connect_writer`]): `BEGIN IMMEDIATE` on SQLite, a plain `BEGIN` on
/// PostgreSQL.
pub async fn begin_write(writer: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    writer
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
}

/// Writes the SQLite write-ahead log into the database file, so that the
/// file alone is a complete copy (after `yekuo demo`, before a copy).
/// Nothing to do on PostgreSQL.
pub async fn checkpoint(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    Ok(())
}

/// Applies pending migrations. On PostgreSQL, inside one transaction
/// holding an advisory lock, so instances starting together take turns.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        Migrator::up(db, None).await?;
        // A migration may write much (new indexes): into the file at once.
        return checkpoint(db).await;
    }
    let txn = begin_write(db).await?;
    txn.execute_unprepared("SELECT pg_advisory_xact_lock(7946330001)")
        .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The file path of a `sqlite:` URL (`None` for in-memory or other databases).
pub(crate) fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_paths() {
        assert_eq!(
            super::sqlite_path("sqlite://data/y.db?mode=rwc").as_deref(),
            Some("data/y.db")
        );
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
        assert_eq!(super::sqlite_path("postgres://x/y"), None);
    }
}
