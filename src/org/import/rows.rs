//! Parsing the rows of the table: each unit and person row into its values
//! by the org's word parsers (`super::super::words`), every bad cell named.

use super::*;

/// A unit row of the file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UnitRow {
    pub(super) line: usize,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: UnitKind,
    pub(super) parent: Option<String>,
}

/// A person row of the file. `roles` holds each role with the code of the
/// unit it is held in (`None`: an installation-wide admin).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PersonRow {
    pub(super) line: usize,
    pub(super) username: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) phone: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) roles: BTreeSet<(Role, Option<String>)>,
    pub(super) lang: String,
    pub(super) active: bool,
}

/// The rows that passed the per-row checks, and the errors of the others.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub(super) units: Vec<UnitRow>,
    pub(super) people: Vec<PersonRow>,
    /// Codes of unit rows with errors: references to them are not reported
    /// again as unknown units.
    pub(super) bad_units: HashSet<String>,
    pub(super) errors: Vec<RowError>,
}

/// Per-row checks that need no database: the header, each row's fields,
/// duplicates within the file.
pub(super) fn parse_table(table: &Table) -> Parsed {
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
pub(super) fn header_columns(
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
pub(super) struct RowView<'a> {
    pub(super) cols: &'a HashMap<&'static str, usize>,
    pub(super) cells: &'a [String],
}

impl RowView<'_> {
    /// The trimmed cell of `col`, empty when the file has no such column.
    pub(super) fn get(&self, col: &str) -> &str {
        self.cols
            .get(col)
            .and_then(|&i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }

    /// Errors for the columns of `cols` that are not empty.
    pub(super) fn must_be_empty(&self, cols: &[&str], what: &str, errs: &mut Vec<String>) {
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
pub(super) fn check<T>(col: &str, r: Result<T, String>, errs: &mut Vec<String>) -> Option<T> {
    r.map_err(|m| errs.push(format!("{col}: {m}"))).ok()
}

pub(super) fn parse_unit(
    line: usize,
    row: &RowView<'_>,
    errs: &mut Vec<String>,
) -> Option<UnitRow> {
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

pub(super) fn parse_person(
    line: usize,
    row: &RowView<'_>,
    errs: &mut Vec<String>,
) -> Option<PersonRow> {
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

pub(super) fn parse_active(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "是" => Some(true),
        "false" | "0" | "否" => Some(false),
        _ => None,
    }
}
