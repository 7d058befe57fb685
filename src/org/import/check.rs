//! Checking the rows against the database: what exists, references to
//! units and people, moves that would strand tickets.

use super::*;

/// What the database holds now, loaded in a few queries.
#[derive(Debug, Default)]
pub(super) struct Existing {
    pub(super) units: HashMap<String, unit::Model>,
    pub(super) unit_codes: HashMap<i64, String>,
    pub(super) people: HashMap<String, person::Model>,
    /// Role assignments by person id, oldest first.
    pub(super) roles: HashMap<i64, Vec<role_assignment::Model>>,
    /// Tickets per unit id (as service center, as bureau), loaded only for
    /// units whose kind or parent the file changes.
    pub(super) tickets: HashMap<i64, (i64, i64)>,
}

impl Existing {
    pub(super) async fn load<C: ConnectionTrait>(db: &C) -> Result<Existing, DbErr> {
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

    pub(super) fn kind_of(&self, code: &str) -> Option<UnitKind> {
        self.units
            .get(code)
            .and_then(|u| UnitKind::parse(&u.kind).ok())
    }

    pub(super) fn code_of(&self, id: Option<i64>) -> Option<String> {
        id.map(|id| {
            self.unit_codes
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("#{id}"))
        })
    }
}

/// Ids of existing units whose kind or parent the file changes.
pub(super) fn moved_units(parsed: &Parsed, existing: &Existing) -> Vec<i64> {
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
pub(super) async fn ticket_counts<C: ConnectionTrait>(
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
pub(super) fn check_refs(parsed: &Parsed, existing: &Existing) -> Vec<RowError> {
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
pub(super) fn sample(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    if names.len() > 5 {
        format!("{} and {} more", shown.join(", "), names.len() - 5)
    } else {
        shown.join(", ")
    }
}
