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

// ---------------------------------------------------------------- reading

/// The cells of a file: the header and the data rows, with their lines.
#[derive(Debug, Default)]
struct Table {
    header_line: usize,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    /// Rows that could not be read (e.g. not UTF-8).
    errors: Vec<RowError>,
}

fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Format(
            "the CSV file is UTF-16: save it as “CSV UTF-8”".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table::default();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter {
        bytes,
        pos: 0,
        line: 1,
    };
    let mut header_seen = false;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| ImportError::Format(format!("CSV: {e}")))?
    {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.line_at(start);
        let cells: Result<Vec<String>, _> = record
            .iter()
            .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
            .collect();
        let Ok(cells) = cells else {
            if !header_seen {
                return Err(ImportError::Format(
                    "the header is not UTF-8 text: save the file as “CSV UTF-8”".into(),
                ));
            }
            table.errors.push(RowError {
                line,
                message: "not UTF-8 text: save the file as “CSV UTF-8”".into(),
            });
            continue;
        };
        if header_seen {
            table.rows.push((line, cells));
        } else {
            header_seen = true;
            table.header_line = line;
            table.header = cells;
        }
    }
    if !header_seen {
        return Err(ImportError::Format("the file is empty".into()));
    }
    Ok(table)
}

/// 1-based line numbers of byte offsets, counted by the import itself: the
/// csv crate's own count is one short after a CRLF line end.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The line of the first byte at or after `start` that is not a line
    /// end (a record's start offset may point at the end of the line before).
    /// Offsets must not decrease from call to call.
    fn line_at(&mut self, start: usize) -> usize {
        let mut start = start.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.pos {
            self.line += self.bytes[self.pos..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = start;
        }
        self.line
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Format(format!("not a readable XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Format("the workbook has no worksheet".into()))?
        .map_err(|e| ImportError::Format(format!("the first worksheet cannot be read: {e}")))?;
    let Some((first_row, _)) = range.start() else {
        return Err(ImportError::Format("the first worksheet is empty".into()));
    };
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        let line = first_row as usize + i + 1;
        let mut cells = Vec::with_capacity(row.len());
        for (col, data) in row.iter().enumerate() {
            match cell_text(data) {
                Ok(text) => cells.push(text),
                Err(e) => {
                    table.errors.push(RowError {
                        line,
                        message: format!("cell {} holds the error {e}", column_letters(col)),
                    });
                    cells.push(String::new());
                }
            }
        }
        if i == 0 {
            table.header_line = line;
            table.header = cells;
        } else {
            table.rows.push((line, cells));
        }
    }
    Ok(table)
}

/// A cell as text: whole numbers without `.0` (phone numbers typed as
/// numbers), booleans as `true`/`false`.
fn cell_text(data: &calamine::Data) -> Result<String, String> {
    use calamine::Data;
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => return Err(e.to_string()),
        other => other.to_string(),
    })
}

/// Column letters of a 0-based column index relative to the sheet (`A`, `AB`).
fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

// ---------------------------------------------------------------- parsing

/// A unit row of the file.
#[derive(Debug, Clone, PartialEq)]
struct UnitRow {
    line: usize,
    code: String,
    name: String,
    kind: UnitKind,
    parent: Option<String>,
}

/// A person row of the file. `roles` holds each role with the code of the
/// unit it is held in (`None`: an installation-wide admin).
#[derive(Debug, Clone, PartialEq)]
struct PersonRow {
    line: usize,
    username: String,
    name: String,
    email: String,
    phone: Option<String>,
    unit: Option<String>,
    roles: BTreeSet<(Role, Option<String>)>,
    lang: String,
    active: bool,
}

/// The rows that passed the per-row checks, and the errors of the others.
#[derive(Debug, Default)]
struct Parsed {
    units: Vec<UnitRow>,
    people: Vec<PersonRow>,
    /// Codes of unit rows with errors: references to them are not reported
    /// again as unknown units.
    bad_units: HashSet<String>,
    errors: Vec<RowError>,
}

/// Per-row checks that need no database: the header, each row's fields,
/// duplicates within the file.
fn parse_table(table: &Table) -> Parsed {
    let mut out = Parsed {
        errors: table.errors.clone(),
        ..Parsed::default()
    };
    let Some(cols) = header_columns(table, &mut out.errors) else {
        return out;
    };
    let mut unit_lines: HashMap<String, usize> = HashMap::new();
    let mut person_lines: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &table.rows {
        let line = *line;
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if cells.len() != table.header.len() {
            out.errors.push(RowError {
                line,
                message: format!(
                    "has {} fields, the header has {}",
                    cells.len(),
                    table.header.len()
                ),
            });
            continue;
        }
        let row = RowView { cols: &cols, cells };
        let mut errs = Vec::new();
        match row.get("type").to_ascii_lowercase().as_str() {
            "unit" => {
                let code = row.get("code");
                if let Some(u) = parse_unit(line, &row, &mut errs) {
                    if let Some(first) = unit_lines.get(&u.code) {
                        errs.push(format!(
                            "code: unit `{}` is already defined on line {first}",
                            u.code
                        ));
                    } else {
                        unit_lines.insert(u.code.clone(), line);
                        out.units.push(u);
                    }
                } else if !code.is_empty() {
                    out.bad_units.insert(code.to_string());
                }
            }
            "person" => {
                if let Some(p) = parse_person(line, &row, &mut errs) {
                    if let Some(first) = person_lines.get(&p.username) {
                        errs.push(format!(
                            "code: username `{}` is already used on line {first}",
                            p.username
                        ));
                    } else {
                        person_lines.insert(p.username.clone(), line);
                        out.people.push(p);
                    }
                }
            }
            "" => errs.push("type: is required (unit or person)".into()),
            other => errs.push(format!("type: `{other}` is not unit or person")),
        }
        out.errors
            .extend(errs.into_iter().map(|message| RowError { line, message }));
    }
    out
}

/// Column positions by name; header problems are errors on the header line.
/// `None` when a required column is missing (rows cannot be read then).
fn header_columns(
    table: &Table,
    errors: &mut Vec<RowError>,
) -> Option<HashMap<&'static str, usize>> {
    let line = table.header_line;
    let mut cols = HashMap::new();
    let mut unknown = Vec::new();
    for (i, raw) in table.header.iter().enumerate() {
        let name = raw
            .trim_start_matches('\u{feff}')
            .trim()
            .to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) => {
                if cols.insert(*c, i).is_some() {
                    errors.push(RowError {
                        line,
                        message: format!("column `{c}` appears twice in the header"),
                    });
                }
            }
            None if name.is_empty() => unknown.push(format!("(unnamed column {})", i + 1)),
            None => unknown.push(format!("`{}`", raw.trim())),
        }
    }
    if !unknown.is_empty() {
        errors.push(RowError {
            line,
            message: format!(
                "unknown column{} {} (the columns are {})",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                COLUMNS.join(", ")
            ),
        });
    }
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|c| !cols.contains_key(c))
        .collect();
    if !missing.is_empty() {
        errors.push(RowError {
            line,
            message: format!(
                "the header lacks the column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        });
        return None;
    }
    Some(cols)
}

/// One data row, read by column name.
struct RowView<'a> {
    cols: &'a HashMap<&'static str, usize>,
    cells: &'a [String],
}

impl RowView<'_> {
    /// The trimmed cell of `col`, empty when the file has no such column.
    fn get(&self, col: &str) -> &str {
        self.cols
            .get(col)
            .and_then(|&i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }

    /// Errors for the columns of `cols` that are not empty.
    fn must_be_empty(&self, cols: &[&str], what: &str, errs: &mut Vec<String>) {
        let filled: Vec<&str> = cols
            .iter()
            .copied()
            .filter(|c| !self.get(c).is_empty())
            .collect();
        if !filled.is_empty() {
            errs.push(format!("{}: must be empty for a {what}", filled.join(", ")));
        }
    }
}

/// The word in `r`, or `None` with the error recorded against column `col`.
fn check<T>(col: &str, r: Result<T, String>, errs: &mut Vec<String>) -> Option<T> {
    r.map_err(|m| errs.push(format!("{col}: {m}"))).ok()
}

fn parse_unit(line: usize, row: &RowView<'_>, errs: &mut Vec<String>) -> Option<UnitRow> {
    let before = errs.len();
    let code = check("code", UnitCode::parse(row.get("code")), errs);
    let name = check("name", words::name(row.get("name")), errs);
    let kind = match UnitKind::parse(row.get("kind")) {
        Ok(k) => Some(k),
        Err(_) if row.get("kind").is_empty() => {
            errs.push("kind: is required (bureau, service_center or department)".into());
            None
        }
        Err(e) => {
            errs.push(format!("kind: {e}"));
            None
        }
    };
    let raw_parent = row.get("parent");
    let mut parent = None;
    match kind {
        Some(UnitKind::Bureau) if !raw_parent.is_empty() => {
            errs.push("parent: a bureau has no parent unit".into())
        }
        Some(k) if k != UnitKind::Bureau && raw_parent.is_empty() => {
            errs.push(format!(
                "parent: a {} needs its bureau as parent",
                k.as_str()
            ));
        }
        _ if !raw_parent.is_empty() => parent = check("parent", UnitCode::parse(raw_parent), errs),
        _ => {}
    }
    if parent.is_some() && parent == code {
        errs.push("parent: a unit cannot be its own parent".into());
    }
    row.must_be_empty(
        &["email", "phone", "unit", "roles", "lang", "active"],
        "unit",
        errs,
    );
    if errs.len() != before {
        return None;
    }
    Some(UnitRow {
        line,
        code: code?.into_string(),
        name: name?,
        kind: kind.unwrap_or(UnitKind::Bureau),
        parent: parent.map(UnitCode::into_string),
    })
}

fn parse_person(line: usize, row: &RowView<'_>, errs: &mut Vec<String>) -> Option<PersonRow> {
    let before = errs.len();
    let username = check("code", Username::parse(row.get("code")), errs);
    let name = check("name", words::name(row.get("name")), errs);
    let email = check("email", EmailAddress::parse(row.get("email")), errs);
    let phone = match row.get("phone") {
        "" => None,
        p => check("phone", Phone::parse(p), errs),
    };
    let unit = match row.get("unit") {
        "" => None,
        u => check("unit", UnitCode::parse(u), errs),
    };
    let mut roles = BTreeSet::new();
    for piece in row
        .get("roles")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some(RoleGrant { role, unit: at }) = check("roles", RoleGrant::parse(piece), errs)
        else {
            continue;
        };
        let held_in = match at {
            Some(code) => Some(code.into_string()),
            None if unit.is_none() && role != Role::Admin => {
                errs.push(format!(
                    "roles: `{}` needs a unit: fill in the person's unit or write {}@UNIT",
                    role.as_str(),
                    role.as_str()
                ));
                continue;
            }
            None => unit.as_ref().map(|u| u.to_string()),
        };
        roles.insert((role, held_in));
    }
    if unit.is_none() && !roles.contains(&(Role::Admin, None)) {
        errs.push(
            "unit: is required (only an installation-wide admin, with the role `admin`, has none)"
                .into(),
        );
    }
    let lang = match row.get("lang") {
        "" => Lang::ZhCn,
        l => check("lang", Lang::parse(l), errs).unwrap_or_default(),
    };
    let active = match parse_active(row.get("active")) {
        Some(a) => a,
        None => {
            errs.push(format!(
                "active: `{}` is not true, false, 1, 0, 是 or 否",
                row.get("active")
            ));
            true
        }
    };
    row.must_be_empty(&["kind", "parent"], "person", errs);
    if errs.len() != before {
        return None;
    }
    Some(PersonRow {
        line,
        username: username?.into_string(),
        name: name?,
        email: email?.into_string(),
        phone: phone.map(Phone::into_string),
        unit: unit.map(UnitCode::into_string),
        roles,
        lang: lang.as_str().to_string(),
        active,
    })
}

fn parse_active(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "是" => Some(true),
        "false" | "0" | "否" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------- the database

/// What the database holds now, loaded in a few queries.
#[derive(Debug, Default)]
struct Existing {
    units: HashMap<String, unit::Model>,
    unit_codes: HashMap<i64, String>,
    people: HashMap<String, person::Model>,
    /// Role assignments by person id, oldest first.
    roles: HashMap<i64, Vec<role_assignment::Model>>,
    /// Tickets per unit id (as service center, as bureau), loaded only for
    /// units whose kind or parent the file changes.
    tickets: HashMap<i64, (i64, i64)>,
}

impl Existing {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Existing, DbErr> {
        let mut e = Existing::default();
        for u in unit::Entity::find().all(db).await? {
            e.unit_codes.insert(u.id, u.code.clone());
            e.units.insert(u.code.clone(), u);
        }
        for p in person::Entity::find().all(db).await? {
            e.people.insert(p.username.clone(), p);
        }
        let mut assignments = role_assignment::Entity::find().all(db).await?;
        assignments.sort_by_key(|r| r.id);
        for r in assignments {
            e.roles.entry(r.person_id).or_default().push(r);
        }
        Ok(e)
    }

    fn kind_of(&self, code: &str) -> Option<UnitKind> {
        self.units
            .get(code)
            .and_then(|u| UnitKind::parse(&u.kind).ok())
    }

    fn code_of(&self, id: Option<i64>) -> Option<String> {
        id.map(|id| {
            self.unit_codes
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("#{id}"))
        })
    }
}

/// Ids of existing units whose kind or parent the file changes.
fn moved_units(parsed: &Parsed, existing: &Existing) -> Vec<i64> {
    parsed
        .units
        .iter()
        .filter_map(|u| {
            let old = existing.units.get(&u.code)?;
            let moved = old.kind != u.kind.as_str() || existing.code_of(old.parent_id) != u.parent;
            moved.then_some(old.id)
        })
        .collect()
}

/// Tickets filed under each of `ids`, as service center and as bureau.
async fn ticket_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>, DbErr> {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let list = list.join(",");
    let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
    for (col, center) in [("service_center_id", true), ("bureau_id", false)] {
        let sql = format!(
            "SELECT {col} AS unit_id, COUNT(*) AS n FROM tickets WHERE {col} IN ({list}) GROUP BY {col}"
        );
        for row in db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await?
        {
            let id: i64 = row.try_get("", "unit_id")?;
            let n: i64 = row.try_get("", "n")?;
            let entry = counts.entry(id).or_default();
            if center {
                entry.0 = n;
            } else {
                entry.1 = n;
            }
        }
    }
    Ok(counts)
}

/// Checks across rows and against the database: units that exist, parents
/// that are bureaus, roles held in the right kind of unit, kind changes
/// that would strand what is not in the file.
fn check_refs(parsed: &Parsed, existing: &Existing) -> Vec<RowError> {
    let file_units: HashMap<&str, &UnitRow> =
        parsed.units.iter().map(|u| (u.code.as_str(), u)).collect();
    // Some(kind) for a known unit; Err(()) when the code is unknown; Ok(None)
    // when it is a unit row with errors of its own (not reported again).
    let kind_of = |code: &str| -> Result<Option<UnitKind>, ()> {
        if let Some(u) = file_units.get(code) {
            Ok(Some(u.kind))
        } else if parsed.bad_units.contains(code) {
            Ok(None)
        } else if let Some(k) = existing.kind_of(code) {
            Ok(Some(k))
        } else if existing.units.contains_key(code) {
            Ok(None)
        } else {
            Err(())
        }
    };
    let mut errors = Vec::new();
    let mut err = |line: usize, message: String| errors.push(RowError { line, message });

    for u in &parsed.units {
        if let Some(parent) = &u.parent {
            match kind_of(parent) {
                Err(()) => err(
                    u.line,
                    format!("parent: unit `{parent}` is neither in the file nor in the database"),
                ),
                Ok(Some(k)) if k != UnitKind::Bureau => {
                    err(
                        u.line,
                        format!("parent: `{parent}` is a {}, not a bureau", k.as_str()),
                    );
                }
                _ => {}
            }
        }
        let Some(old) = existing.units.get(&u.code) else {
            continue;
        };
        let (as_center, as_bureau) = existing.tickets.get(&old.id).copied().unwrap_or_default();
        if old.kind != u.kind.as_str() {
            let stranded_units: Vec<&str> = existing
                .units
                .values()
                .filter(|c| {
                    c.parent_id == Some(old.id) && !file_units.contains_key(c.code.as_str())
                })
                .map(|c| c.code.as_str())
                .collect();
            if !stranded_units.is_empty() {
                err(
                    u.line,
                    format!(
                        "kind: cannot change from {} to {}: {} not in the file still sit under it",
                        old.kind,
                        u.kind.as_str(),
                        sample(&stranded_units)
                    ),
                );
            }
            let in_file: HashSet<&str> =
                parsed.people.iter().map(|p| p.username.as_str()).collect();
            let mut holders: Vec<&str> = existing
                .people
                .values()
                .filter(|p| !in_file.contains(p.username.as_str()))
                .filter(|p| {
                    existing
                        .roles
                        .get(&p.id)
                        .is_some_and(|rs| rs.iter().any(|r| r.unit_id == Some(old.id)))
                })
                .map(|p| p.username.as_str())
                .collect();
            holders.sort_unstable();
            if !holders.is_empty() {
                err(
                    u.line,
                    format!(
                        "kind: cannot change from {} to {}: people not in the file hold roles in it ({})",
                        old.kind,
                        u.kind.as_str(),
                        sample(&holders)
                    ),
                );
            }
            if as_center + as_bureau > 0 {
                err(
                    u.line,
                    format!(
                        "kind: cannot change from {} to {}: {} tickets are filed under it",
                        old.kind,
                        u.kind.as_str(),
                        as_center + as_bureau
                    ),
                );
            }
        } else if as_center > 0 && existing.code_of(old.parent_id) != u.parent {
            err(
                u.line,
                format!(
                    "parent: cannot move this service center to another bureau: {as_center} tickets are filed under it and its current bureau"
                ),
            );
        }
    }

    for p in &parsed.people {
        if let Some(code) = &p.unit
            && kind_of(code).is_err()
        {
            err(
                p.line,
                format!("unit: `{code}` is neither in the file nor in the database"),
            );
        }
        for (role, held_in) in &p.roles {
            let Some(code) = held_in else { continue };
            let kind = match kind_of(code) {
                Err(()) => {
                    if p.unit.as_ref() != Some(code) {
                        err(
                            p.line,
                            format!(
                                "roles: unit `{code}` of {} is neither in the file nor in the database",
                                role.as_str()
                            ),
                        );
                    }
                    continue;
                }
                Ok(None) => continue,
                Ok(Some(k)) => k,
            };
            match role.unit_kind() {
                None if kind != UnitKind::Bureau => err(
                    p.line,
                    format!(
                        "roles: admin is held in a bureau or installation-wide, and `{code}` is a {}",
                        kind.as_str()
                    ),
                ),
                Some(want) if want != kind => err(
                    p.line,
                    format!(
                        "roles: {} is held in a {}, and `{code}` is a {}",
                        role.as_str(),
                        want.as_str(),
                        kind.as_str()
                    ),
                ),
                _ => {}
            }
        }
    }
    errors
}

/// Up to five names, then “and N more”.
fn sample(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    if names.len() > 5 {
        format!("{} and {} more", shown.join(", "), names.len() - 5)
    } else {
        shown.join(", ")
    }
}

// ---------------------------------------------------------------- the plan

/// A unit to create (`id: None`) or update.
#[derive(Debug)]
struct UnitWrite {
    id: Option<i64>,
    code: String,
    name: String,
    kind: UnitKind,
    parent: Option<String>,
}

/// A person to create (`id: None`) or update.
#[derive(Debug)]
struct PersonWrite {
    id: Option<i64>,
    username: String,
    name: String,
    email: String,
    phone: Option<String>,
    unit: Option<String>,
    lang: String,
    active: bool,
    deactivated_at: Option<DateTime<Utc>>,
}

/// Everything to write, and the report.
#[derive(Debug, Default)]
struct Plan {
    report: ImportReport,
    units: Vec<UnitWrite>,
    people: Vec<PersonWrite>,
    role_removes: Vec<i64>,
    /// (username, role, unit code held in)
    role_adds: Vec<(String, Role, Option<String>)>,
}

fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(none)")
}

fn role_label(role: &str, unit: &Option<String>) -> String {
    match unit {
        Some(code) => format!("{role}@{code}"),
        None => role.to_string(),
    }
}

fn plan(parsed: &Parsed, existing: &Existing, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    let r = &mut plan.report;
    for u in &parsed.units {
        let Some(old) = existing.units.get(&u.code) else {
            r.units_created += 1;
            let parent = u
                .parent
                .as_ref()
                .map(|p| format!(" under {p}"))
                .unwrap_or_default();
            r.changes.push(Change {
                line: u.line,
                what: format!(
                    "unit {}: created, {} {}{parent}",
                    u.code,
                    u.kind.as_str(),
                    u.name
                ),
            });
            plan.units.push(UnitWrite {
                id: None,
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind,
                parent: u.parent.clone(),
            });
            continue;
        };
        let mut diffs = Vec::new();
        if old.name != u.name {
            diffs.push(format!("name {} → {}", old.name, u.name));
        }
        if old.kind != u.kind.as_str() {
            diffs.push(format!("kind {} → {}", old.kind, u.kind.as_str()));
        }
        let old_parent = existing.code_of(old.parent_id);
        if old_parent != u.parent {
            diffs.push(format!(
                "parent {} → {}",
                show(&old_parent),
                show(&u.parent)
            ));
        }
        if diffs.is_empty() {
            r.units_unchanged += 1;
        } else {
            r.units_updated += 1;
            r.changes.push(Change {
                line: u.line,
                what: format!("unit {}: {}", u.code, diffs.join("; ")),
            });
            plan.units.push(UnitWrite {
                id: Some(old.id),
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind,
                parent: u.parent.clone(),
            });
        }
    }

    for p in &parsed.people {
        let old = existing.people.get(&p.username);
        // Roles: the file's set against the current assignments.
        let current: Vec<(&role_assignment::Model, Option<String>)> = old
            .and_then(|o| existing.roles.get(&o.id))
            .map(|rs| {
                rs.iter()
                    .map(|ra| (ra, existing.code_of(ra.unit_id)))
                    .collect()
            })
            .unwrap_or_default();
        let mut kept: HashSet<(&str, &Option<String>)> = HashSet::new();
        let mut role_diffs = Vec::new();
        for (ra, code) in &current {
            let wanted =
                Role::parse(&ra.role).is_ok_and(|role| p.roles.contains(&(role, code.clone())));
            if wanted && kept.insert((ra.role.as_str(), code)) {
                continue;
            }
            plan.role_removes.push(ra.id);
            r.roles_removed += 1;
            role_diffs.push(format!("-{}", role_label(&ra.role, code)));
        }
        for (role, code) in &p.roles {
            if !kept.contains(&(role.as_str(), code)) {
                plan.role_adds
                    .push((p.username.clone(), *role, code.clone()));
                r.roles_added += 1;
                role_diffs.push(format!("+{}", role_label(role.as_str(), code)));
            }
        }
        let roles_text =
            (!role_diffs.is_empty()).then(|| format!("roles {}", role_diffs.join(" ")));

        let Some(old) = old else {
            r.people_created += 1;
            let mut what = format!("person {}: created, {} <{}>", p.username, p.name, p.email);
            if let Some(u) = &p.unit {
                what.push_str(&format!(" in {u}"));
            }
            if !p.active {
                what.push_str(", inactive");
            }
            if let Some(t) = roles_text {
                what.push_str("; ");
                what.push_str(&t);
            }
            r.changes.push(Change { line: p.line, what });
            plan.people.push(PersonWrite {
                id: None,
                username: p.username.clone(),
                name: p.name.clone(),
                email: p.email.clone(),
                phone: p.phone.clone(),
                unit: p.unit.clone(),
                lang: p.lang.clone(),
                active: p.active,
                deactivated_at: (!p.active).then_some(now),
            });
            continue;
        };
        let mut diffs = Vec::new();
        if old.name != p.name {
            diffs.push(format!("name {} → {}", old.name, p.name));
        }
        if old.email != p.email {
            diffs.push(format!("email {} → {}", old.email, p.email));
        }
        if old.phone != p.phone {
            diffs.push(format!("phone {} → {}", show(&old.phone), show(&p.phone)));
        }
        let old_unit = existing.code_of(old.unit_id);
        if old_unit != p.unit {
            diffs.push(format!("unit {} → {}", show(&old_unit), show(&p.unit)));
        }
        if old.lang != p.lang {
            diffs.push(format!("lang {} → {}", old.lang, p.lang));
        }
        let deactivated_at = match (old.active, p.active) {
            (_, true) => None,
            (true, false) => Some(now),
            (false, false) => old.deactivated_at.or(Some(now)),
        };
        if old.active != p.active {
            diffs.push(if p.active {
                "reactivated".into()
            } else {
                "deactivated".into()
            });
            if !p.active {
                r.people_deactivated += 1;
            }
        }
        if let Some(t) = roles_text {
            diffs.push(t);
        }
        if diffs.is_empty() {
            r.people_unchanged += 1;
            continue;
        }
        r.people_updated += 1;
        r.changes.push(Change {
            line: p.line,
            what: format!("person {}: {}", p.username, diffs.join("; ")),
        });
        plan.people.push(PersonWrite {
            id: Some(old.id),
            username: p.username.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            unit: p.unit.clone(),
            lang: p.lang.clone(),
            active: p.active,
            deactivated_at,
        });
    }
    r.changes.sort_by_key(|c| c.line);
    plan
}

// ---------------------------------------------------------------- writing

/// Carries out `plan` (inside the caller's transaction): bureaus first, then
/// the units under them; removed roles; people in multi-row inserts; added
/// roles in multi-row inserts.
async fn write<C: ConnectionTrait>(
    db: &C,
    plan: &Plan,
    existing: &Existing,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut unit_ids: HashMap<String, i64> = existing
        .units
        .iter()
        .map(|(c, u)| (c.clone(), u.id))
        .collect();
    let id_of = |ids: &HashMap<String, i64>, code: &Option<String>| -> Result<Option<i64>, DbErr> {
        code.as_ref()
            .map(|c| {
                ids.get(c)
                    .copied()
                    .ok_or_else(|| DbErr::Custom(format!("import: unit `{c}` has no id")))
            })
            .transpose()
    };
    for bureaus in [true, false] {
        for u in plan
            .units
            .iter()
            .filter(|u| (u.kind == UnitKind::Bureau) == bureaus)
        {
            let parent_id = id_of(&unit_ids, &u.parent)?;
            match u.id {
                None => {
                    let created = unit::ActiveModel {
                        id: NotSet,
                        code: Set(u.code.clone()),
                        name: Set(u.name.clone()),
                        kind: Set(u.kind.as_str().into()),
                        parent_id: Set(parent_id),
                        created_at: Set(now),
                    }
                    .insert(db)
                    .await?;
                    unit_ids.insert(u.code.clone(), created.id);
                }
                Some(id) => {
                    unit::Entity::update_many()
                        .set(unit::ActiveModel {
                            name: Set(u.name.clone()),
                            kind: Set(u.kind.as_str().into()),
                            parent_id: Set(parent_id),
                            ..Default::default()
                        })
                        .filter(unit::Column::Id.eq(id))
                        .exec(db)
                        .await?;
                }
            }
        }
    }

    for ids in plan.role_removes.chunks(CHUNK) {
        role_assignment::Entity::delete_many()
            .filter(role_assignment::Column::Id.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
    }

    let mut person_ids: HashMap<String, i64> = existing
        .people
        .iter()
        .map(|(u, p)| (u.clone(), p.id))
        .collect();
    let mut new_people = Vec::new();
    for p in &plan.people {
        let model = person::ActiveModel {
            name: Set(p.name.clone()),
            email: Set(p.email.clone()),
            phone: Set(p.phone.clone()),
            unit_id: Set(id_of(&unit_ids, &p.unit)?),
            lang: Set(p.lang.clone()),
            active: Set(p.active),
            updated_at: Set(now),
            deactivated_at: Set(p.deactivated_at),
            ..Default::default()
        };
        match p.id {
            Some(id) => {
                person::Entity::update_many()
                    .set(model)
                    .filter(person::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
            None => new_people.push(person::ActiveModel {
                username: Set(p.username.clone()),
                password_hash: Set(None),
                created_at: Set(now),
                ..model
            }),
        }
    }
    let new_names: Vec<String> = plan
        .people
        .iter()
        .filter(|p| p.id.is_none())
        .map(|p| p.username.clone())
        .collect();
    let mut new_people = new_people.into_iter().peekable();
    while new_people.peek().is_some() {
        let chunk: Vec<_> = new_people.by_ref().take(CHUNK).collect();
        person::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    for names in new_names.chunks(CHUNK * 2) {
        let rows: Vec<(i64, String)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Username)
            .filter(person::Column::Username.is_in(names.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        person_ids.extend(rows.into_iter().map(|(id, name)| (name, id)));
    }

    let mut adds = Vec::with_capacity(plan.role_adds.len());
    for (username, role, code) in &plan.role_adds {
        let person_id = *person_ids
            .get(username)
            .ok_or_else(|| DbErr::Custom(format!("import: person `{username}` has no id")))?;
        adds.push(role_assignment::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            role: Set(role.as_str().into()),
            unit_id: Set(id_of(&unit_ids, code)?),
        });
    }
    for chunk in adds.chunks(CHUNK * 2) {
        role_assignment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "type,code,name,kind,parent,email,phone,unit,roles,lang,active";

    fn parse_csv(text: &str) -> Parsed {
        parse_table(&read_csv(text.as_bytes()).expect("readable"))
    }

    /// Parsed and checked against an empty database: every error, in line order.
    fn errors(text: &str) -> Vec<RowError> {
        let parsed = parse_csv(text);
        let mut errs = parsed.errors.clone();
        errs.extend(check_refs(&parsed, &Existing::default()));
        errs.sort_by_key(|e| e.line);
        errs
    }

    fn lines(errs: &[RowError]) -> Vec<usize> {
        errs.iter().map(|e| e.line).collect()
    }

    fn sample_file() -> String {
        [
            HEADER,
            "unit,GZ-TH,天河供电服务中心,service_center,GZ,,,,,,",
            "unit,GZ,广州供电局,bureau,,,,,,,",
            "unit,GZ-SC,市场部,department,GZ,,,,,,",
            "person,mgr-li,李明,,,li@example.cn,13800138000,GZ-TH,manager,,",
            "person,dir.wang,王芳,,,wang@example.cn,,GZ-TH,center_director;auditor@GZ,en,是",
            "person,root,管理员,,,root@example.cn,,,admin,,",
            "person,zhang,张伟,,,zhang@example.cn,,GZ-SC,department,zh-cn,否",
        ]
        .join("\n")
    }

    #[test]
    fn a_good_file_parses_with_bom_and_any_column_order() {
        let parsed = parse_csv(&format!("\u{feff}{}", sample_file()));
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(check_refs(&parsed, &Existing::default()), vec![]);
        assert_eq!(parsed.units.len(), 3);
        assert_eq!(
            parsed.units[0].parent.as_deref(),
            Some("GZ"),
            "parent defined after its child"
        );
        let wang = &parsed.people[1];
        assert_eq!(wang.line, 6);
        assert_eq!(wang.lang, "en");
        assert!(wang.active);
        assert_eq!(
            wang.roles.iter().cloned().collect::<Vec<_>>(),
            vec![
                (Role::CenterDirector, Some("GZ-TH".into())),
                (Role::Auditor, Some("GZ".into()))
            ]
        );
        assert_eq!(
            parsed.people[2].roles.iter().next(),
            Some(&(Role::Admin, None))
        );
        assert_eq!(parsed.people[3].lang, "zh-CN");
        assert!(!parsed.people[3].active);

        // Columns in another order, some optional ones left out.
        let parsed = parse_csv("name,type,code,kind,parent\r\n广州供电局,unit,GZ,bureau,\r\n");
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.units[0].name, "广州供电局");
        assert_eq!(parsed.units[0].line, 2);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = [
            HEADER,
            "unit,GZ,广州供电局,bureau,,,,,,,",            // 2 ok
            "team,X,x,,,,,,,,",                            // 3 unknown type
            "person,bad name,某人,,,a@b.cn,,GZ,auditor,,", // 4 bad username
            "person,li,李,,,not-an-email,,GZ,auditor,,",   // 5 bad email
            "person,li,李,,,li@b.cn,,GZ,auditor,,",        // 6 ok
            "person,li,李二,,,li2@b.cn,,GZ,auditor,,",     // 7 duplicate username
            "unit,GZ,again,bureau,,,,,,,",                 // 8 duplicate unit code
            "unit,GZ-X,中心,service_center,,,,,,,",        // 9 center without parent
            "person,wu,吴,,,wu@b.cn,,GZ,boss,fr,maybe",    // 10 role, lang, active
            "person,he,何,,,he@b.cn,,NOPE,manager,,",      // 11 unknown unit
            "unit,GZ-Y,中心,service_center,NOPE,,,,,,",    // 12 unknown parent
            "person,ma,马,,,ma@b.cn,,,manager,,",          // 13 no unit, not admin
            "person,qi,齐,,,qi@b.cn,,GZ,,,,extra",         // 14 too many fields
        ]
        .join("\n");
        let errs = errors(&text);
        assert_eq!(
            lines(&errs),
            vec![3, 4, 5, 7, 8, 9, 10, 10, 10, 11, 12, 13, 13, 14],
            "{errs:#?}"
        );
        assert!(errs[0].message.contains("`team`"));
        assert!(errs[3].message.contains("line 6"), "{}", errs[3].message);
        assert!(errs[4].message.contains("line 2"));
        assert!(errs[5].message.contains("needs its bureau"));
        assert!(errs[6].message.starts_with("roles:"));
        assert!(errs[7].message.starts_with("lang:"));
        assert!(errs[8].message.starts_with("active:"));
        assert!(errs[9].message.contains("`NOPE`"));
        assert!(errs[10].message.starts_with("parent:"));
        assert!(errs[13].message.contains("12 fields"));
        let shown = ImportError::Rows(errs).to_string();
        assert!(
            shown.starts_with("14 errors in the file: line 3:"),
            "{shown}"
        );
    }

    #[test]
    fn roles_at_units_and_unit_kinds() {
        let base = sample_file();
        // Bare role in the person's own unit, of the wrong kind.
        let errs = errors(&format!("{base}\nperson,x1,某,,,x1@b.cn,,GZ-SC,manager,,"));
        assert_eq!(lines(&errs), vec![9]);
        assert_eq!(
            errs[0].message,
            "roles: manager is held in a service_center, and `GZ-SC` is a department"
        );
        // role@UNIT of the wrong kind; parent not a bureau; admin in a center.
        let errs = errors(&format!(
            "{base}\nperson,x2,某,,,x2@b.cn,,GZ-TH,manager;head@GZ-TH,,\nunit,GZ-Z,某,department,GZ-TH,,,,,,\nperson,x3,某,,,x3@b.cn,,GZ-TH,admin,,"
        ));
        assert_eq!(lines(&errs), vec![9, 10, 11], "{errs:#?}");
        assert!(errs[0].message.contains("head is held in a bureau"));
        assert!(
            errs[1]
                .message
                .contains("`GZ-TH` is a service_center, not a bureau")
        );
        assert!(errs[2].message.contains("admin is held in a bureau"));
        // Syntax of role@UNIT.
        let errs = errors(&format!(
            "{base}\nperson,x4,某,,,x4@b.cn,,GZ-TH,manager@;auditor@G Z,,"
        ));
        assert_eq!(lines(&errs), vec![9, 9]);
        assert!(errs[0].message.contains("names no unit"));
        // A bad unit row is reported once, not again by its references.
        let errs = errors(&format!(
            "{HEADER}\nunit,B,局,bureau,,x@y.cn,,,,,\nperson,p,某,,,p@b.cn,,B,auditor,,"
        ));
        assert_eq!(lines(&errs), vec![2]);
        assert!(
            errs[0]
                .message
                .starts_with("email: must be empty for a unit")
        );
    }

    #[test]
    fn header_problems_are_on_line_one() {
        let errs = errors("type,code,name,kind,colour,email,email\nunit,GZ,局,bureau,,,");
        assert_eq!(lines(&errs), vec![1, 1]);
        assert!(errs.iter().any(|e| e.message.contains("`colour`")));
        assert!(
            errs.iter()
                .any(|e| e.message.contains("`email` appears twice"))
        );
        let errs = errors("code,name\nGZ,局");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("lacks the column type"));
    }

    #[test]
    fn invalid_utf8_and_empty_files() {
        let mut bytes = format!("{HEADER}\nunit,GZ,").into_bytes();
        bytes.extend_from_slice(&[0xB9, 0xE3]); // GBK, not UTF-8
        bytes.extend_from_slice(b",bureau,,,,,,,\n");
        let table = read_csv(&bytes).unwrap();
        assert_eq!(lines(&table.errors), vec![2]);
        assert!(matches!(read_csv(b""), Err(ImportError::Format(_))));
        assert!(matches!(
            read_csv(b"\xFF\xFEt\0"),
            Err(ImportError::Format(_))
        ));
        assert!(matches!(
            read_xlsx(b"not a zip"),
            Err(ImportError::Format(_))
        ));
    }

    #[test]
    fn multi_line_quoted_cells_keep_line_numbers() {
        let text = format!("{HEADER}\nunit,GZ,\"广州\n供电局\",bureau,,,,,,,\nteam,X,,,,,,,,,");
        let errs = errors(&text);
        // A name is one line (line 2); the next row is still line 4.
        assert_eq!(lines(&errs), vec![2, 4]);
        assert!(errs[0].message.contains("U+000A"), "{}", errs[0].message);
    }

    #[test]
    fn crlf_and_blank_lines_keep_line_numbers() {
        let text = format!(
            "{HEADER}\r\nunit,GZ,局,bureau,,,,,,,\r\n\r\nteam,X,,,,,,,,,\r\nteam,Y,,,,,,,,,\r\n"
        );
        assert_eq!(lines(&errors(&text)), vec![4, 5]);
        let text = format!("{HEADER}\n\n\nteam,X,,,,,,,,,\n");
        assert_eq!(lines(&errors(&text)), vec![4]);
    }

    #[test]
    fn the_documented_example_is_valid() {
        let doc = include_str!("../../docs/org-import.md");
        let example = doc
            .split("```csv\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .expect("example");
        let parsed = parse_csv(example);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(check_refs(&parsed, &Existing::default()), vec![]);
        assert_eq!((parsed.units.len(), parsed.people.len()), (3, 7));
        assert!(!parsed.people[6].active);
    }

    /// Compiles only if the import's future is `Send` (HTTP handlers need it).
    #[allow(dead_code)]
    fn import_future_is_send(
        db: &sea_orm::DatabaseConnection,
    ) -> impl Future<Output = Result<ImportReport, ImportError>> + Send + '_ {
        import_bytes(db, b"", Format::Csv, true, Utc::now())
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            Format::from_path(Path::new("org.CSV")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            Format::from_path(Path::new("/tmp/组织.xlsx")).unwrap(),
            Format::Xlsx
        );
        assert!(matches!(
            Format::from_path(Path::new("org.xls")),
            Err(ImportError::Format(_))
        ));
        assert!(matches!(
            Format::from_path(Path::new("org")),
            Err(ImportError::Format(_))
        ));
    }

    #[test]
    fn cells_as_text() {
        use calamine::Data;
        assert_eq!(
            cell_text(&Data::Float(13800138000.0)).unwrap(),
            "13800138000"
        );
        assert_eq!(cell_text(&Data::Float(1.5)).unwrap(), "1.5");
        assert_eq!(cell_text(&Data::Int(1)).unwrap(), "1");
        assert_eq!(cell_text(&Data::Bool(false)).unwrap(), "false");
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
    }
}
