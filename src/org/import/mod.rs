//! Bulk import of the org chart (units and people with their roles) from one
//! CSV or XLSX file, all or nothing: every row is checked first and every bad
//! row reported with its line; only a clean file is written, in one
//! transaction, or just reported (dry run). Format: docs/org-import.md.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Cursor;
use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity::{person, role_assignment, unit};
use super::model::{Role, UnitKind};
use super::words::{self, EmailAddress, Phone, RoleGrant, UnitCode, Username};
use crate::mail::Lang;

/// The columns of an import file, in the order of the documentation. The
/// header names them, in any order; `type`, `code` and `name` are required,
/// a missing other column reads as empty in every row.
pub const COLUMNS: [&str; 11] = [
    "type", "code", "name", "kind", "parent", "email", "phone", "unit", "roles", "lang", "active",
];
const REQUIRED: [&str; 3] = ["type", "code", "name"];

/// Rows per multi-row INSERT (well under SQLite's and PostgreSQL's limits
/// on bound parameters).
const CHUNK: usize = 200;

/// The kind of file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, UTF-8 with or without BOM, first line the header.
    Csv,
    /// Excel 2007+ workbook: the first worksheet, its first row the header.
    Xlsx,
}

impl Format {
    /// `csv` or `xlsx` (any case, without the dot).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The format of `path` by its extension; any other → [`ImportError::Format`].
    pub fn from_path(path: &Path) -> Result<Format, ImportError> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            .ok_or_else(|| {
                ImportError::Format(format!(
                    "{}: unknown file type (expected .csv or .xlsx)",
                    path.display()
                ))
            })
    }
}

/// One problem of one row. `line` is the 1-based line of the file (the
/// header is line 1, the first data row line 2); for XLSX the sheet's row
/// number. A row with several problems has several errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Every bad row of the file, in line order.
    #[error("{}", list_rows(.0))]
    Rows(Vec<RowError>),
    /// The file cannot be read at all (unknown type, not XLSX, empty …).
    #[error("unreadable file: {0}")]
    Format(String),
    /// The database failed; the transaction was rolled back.
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn list_rows(rows: &[RowError]) -> String {
    let list: Vec<String> = rows.iter().map(RowError::to_string).collect();
    format!(
        "{} error{} in the file: {}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        list.join("; ")
    )
}

/// What an import did, or would do (`dry_run`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub units_created: usize,
    pub units_updated: usize,
    pub units_unchanged: usize,
    pub people_created: usize,
    /// People whose fields or roles changed (deactivations included).
    pub people_updated: usize,
    pub people_unchanged: usize,
    /// Existing, active people that the file deactivates (`active = false`).
    pub people_deactivated: usize,
    pub roles_added: usize,
    pub roles_removed: usize,
    /// One entry per created or updated unit or person, in line order.
    pub changes: Vec<Change>,
}

/// One created or changed unit or person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Change {
    pub line: usize,
    /// E.g. `person mgr-li: email a@x → b@x; roles +manager@GZ-TH`.
    pub what: String,
}

/// Imports `bytes` (a file of `format`): validates every row, then in one
/// transaction creates or updates units by code and people by username, and
/// makes each listed person's role assignments exactly those of the file.
/// Units and people not in the file are left alone. With `dry_run`, nothing
/// is written and the report says what would change. New people get no
/// password (`yekuo user reset-password` gives one).
pub async fn import_bytes(
    db: &sea_orm::DatabaseConnection,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let table = match format {
        Format::Csv => read_csv(bytes)?,
        Format::Xlsx => read_xlsx(bytes)?,
    };
    let parsed = parse_table(&table);
    let txn = crate::db::begin_write(db).await?;
    let mut existing = Existing::load(&txn).await?;
    let moved = moved_units(&parsed, &existing);
    if !moved.is_empty() {
        existing.tickets = ticket_counts(&txn, &moved).await?;
    }
    let mut errors = parsed.errors.clone();
    errors.extend(check_refs(&parsed, &existing));
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    let mut plan = plan(&parsed, &existing, now);
    plan.report.dry_run = dry_run;
    if dry_run {
        txn.rollback().await?;
    } else {
        write(&txn, &plan, &existing, now).await?;
        txn.commit().await?;
    }
    Ok(plan.report)
}

mod check;
mod plan;
mod read;
mod rows;
#[cfg(test)]
mod tests;
mod write;

use check::*;
use plan::*;
use read::*;
use rows::*;
use write::*;
