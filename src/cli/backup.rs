//! `yekuo backup FILE`, `yekuo restore FILE` (the embedded SQLite
//! database; `crate::backup`) and `yekuo config check`.

use std::path::Path;
use std::process::ExitCode;

use yekuo::backup::{self, BackupError};
use yekuo::config::Config;

/// A consistent copy of the database while yekuo runs.
pub(super) async fn backup_cmd(config: Config, file: &Path) -> anyhow::Result<ExitCode> {
    if !config.raw.database.url.starts_with("sqlite:") {
        eprintln!("yekuo: {}", BackupError::NotSqlite);
        return Ok(ExitCode::from(2));
    }
    let _held = backup::hold(&config.raw.database.url)?;
    let db = yekuo::db::connect(&config.raw.database).await?;
    match backup::backup(&db, file).await {
        Ok(bytes) => {
            println!("backed up to {} ({bytes} bytes)", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (BackupError::Exists(_) | BackupError::NotSqlite)) => {
            eprintln!("yekuo: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

/// Puts a backup in place of the database, yekuo stopped.
pub(super) async fn restore_cmd(config: Config, file: &Path) -> anyhow::Result<ExitCode> {
    match backup::restore(&config.raw.database.url, file, chrono::Utc::now()).await {
        Ok(kept) => {
            println!("restored {}", file.display());
            if let Some(k) = kept {
                println!("the replaced database is kept as {}", k.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (BackupError::NotSqlite | BackupError::InUse(_) | BackupError::NotABackup { .. }),
        ) => {
            eprintln!("yekuo: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

/// The configuration in force, secrets masked (reaching here, it is valid:
/// an invalid one stops `yekuo` before, with exit status 2).
pub(super) fn config_check(config: &Config) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&config.public_view())?);
    eprintln!("the configuration is valid");
    Ok(ExitCode::SUCCESS)
}
