//! Backing up and restoring the embedded SQLite database.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is the
//! database as it stood at one instant, taken while `serve` runs and
//! writes. A restore replaces the database file with a checked backup,
//! and only when no yekuo process has the database open: every process
//! that opens it holds a shared lock on a file beside it
//! (`<database>.lock`, [`hold`]), and a restore takes that lock
//! exclusively. The database it replaces is kept beside it
//! (`<database>.before-restore-<time>`). On PostgreSQL, `pg_dump` and
//! `pg_restore` do this (README, "Operating yekuo").

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement};

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "the database is PostgreSQL: back it up with `pg_dump -Fc -f FILE URL` and restore it with `pg_restore --clean -d URL FILE` (README, \"Operating yekuo\")"
    )]
    NotSqlite,
    #[error("{0} exists already: choose a new file (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("{0} is in use by a running yekuo (serve or another command): stop it, then restore")]
    InUse(PathBuf),
    #[error("{path} is not a yekuo database: {why}")]
    NotABackup { path: PathBuf, why: String },
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The lock file beside the SQLite database of `url` (`None` for other
/// databases and in-memory SQLite).
fn lock_path(url: &str) -> Option<PathBuf> {
    crate::db::sqlite_path(url).map(|p| PathBuf::from(format!("{p}.lock")))
}

/// A shared lock on the database of `url`, held as long as the file is
/// (a restore waits for none to be held). `None` when there is nothing
/// to lock (PostgreSQL, in-memory SQLite).
pub fn hold(url: &str) -> Result<Option<File>, BackupError> {
    let Some(path) = lock_path(url) else {
        return Ok(None);
    };
    let f = open_lock(&path)?;
    match f.try_lock_shared() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(BackupError::Io(format!(
            "{} is being restored",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(BackupError::Io(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

fn open_lock(path: &Path) -> Result<File, BackupError> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", path.display())))
}

/// Writes a consistent copy of the database `db` reads to `target` (a new
/// file), while other connections go on writing.
pub async fn backup(db: &DatabaseConnection, target: &Path) -> Result<u64, BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if target.exists() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    let path = target
        .to_str()
        .ok_or_else(|| BackupError::Io(format!("{} is not a UTF-8 path", target.display())))?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    ))
    .await?;
    std::fs::metadata(target)
        .map(|m| m.len())
        .map_err(|e| BackupError::Io(format!("the backup {} is missing: {e}", target.display())))
}

/// Checks that `file` is a sound yekuo database: SQLite's integrity check
/// passes and it has yekuo's migrations.
async fn check(file: &Path) -> Result<(), BackupError> {
    let bad = |why: String| BackupError::NotABackup {
        path: file.to_path_buf(),
        why,
    };
    if !file.is_file() {
        return Err(bad("no such file".into()));
    }
    let url = format!("sqlite://{}?mode=ro", file.display());
    let db = Database::connect(&url)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let one = |sql: &str| {
        let db = &db;
        let sql = sql.to_string();
        async move {
            db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await
                .map_err(|e| bad(e.to_string()))
        }
    };
    let integrity = one("PRAGMA integrity_check")
        .await?
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    let migrated = one("SELECT count(*) FROM seaql_migrations")
        .await?
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    db.close().await.ok();
    if integrity != "ok" {
        return Err(bad(format!("integrity check: {integrity}")));
    }
    if migrated == 0 {
        return Err(bad("it has no yekuo migrations".into()));
    }
    Ok(())
}

/// Replaces the SQLite database of `url` with the backup `file`, when no
/// yekuo process has it open. Returns where the replaced database was
/// kept (if there was one).
pub async fn restore(
    url: &str,
    file: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<PathBuf>, BackupError> {
    let (Some(db), Some(lock)) = (crate::db::sqlite_path(url), lock_path(url)) else {
        return Err(BackupError::NotSqlite);
    };
    let db = PathBuf::from(db);
    let guard = open_lock(&lock)?;
    match guard.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(BackupError::InUse(db)),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(BackupError::Io(format!(
                "cannot lock {}: {e}",
                lock.display()
            )));
        }
    }
    check(file).await?;
    let io = |what: &str, e: std::io::Error| BackupError::Io(format!("{what}: {e}"));
    let incoming = PathBuf::from(format!("{}.restoring", db.display()));
    std::fs::copy(file, &incoming).map_err(|e| io("cannot copy the backup", e))?;
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot sync the copy", e))?;
    let kept = if db.exists() {
        let kept = PathBuf::from(format!(
            "{}.before-restore-{}",
            db.display(),
            now.format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(&db, &kept).map_err(|e| io("cannot keep the replaced database", e))?;
        Some(kept)
    } else {
        None
    };
    // The replaced database's log belongs to it, not to the backup.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            let to = kept
                .as_ref()
                .map(|k| PathBuf::from(format!("{}{suffix}", k.display())));
            match to {
                Some(to) => std::fs::rename(&side, to),
                None => std::fs::remove_file(&side),
            }
            .map_err(|e| io("cannot move the old write-ahead log", e))?;
        }
    }
    std::fs::rename(&incoming, &db).map_err(|e| io("cannot put the backup in place", e))?;
    drop(guard);
    Ok(kept)
}
