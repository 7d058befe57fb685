//! The plan: what the file changes (units, people, roles, deactivations),
//! line by line, before anything is written.

use super::*;

/// A unit to create (`id: None`) or update.
#[derive(Debug)]
pub(super) struct UnitWrite {
    pub(super) id: Option<i64>,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: UnitKind,
    pub(super) parent: Option<String>,
}

/// A person to create (`id: None`) or update.
#[derive(Debug)]
pub(super) struct PersonWrite {
    pub(super) id: Option<i64>,
    pub(super) username: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) phone: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) lang: String,
    pub(super) active: bool,
    pub(super) deactivated_at: Option<DateTime<Utc>>,
}

/// Everything to write, and the report.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) report: ImportReport,
    pub(super) units: Vec<UnitWrite>,
    pub(super) people: Vec<PersonWrite>,
    pub(super) role_removes: Vec<i64>,
    /// (username, role, unit code held in)
    pub(super) role_adds: Vec<(String, Role, Option<String>)>,
}

pub(super) fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(none)")
}

pub(super) fn role_label(role: &str, unit: &Option<String>) -> String {
    match unit {
        Some(code) => format!("{role}@{code}"),
        None => role.to_string(),
    }
}

pub(super) fn plan(parsed: &Parsed, existing: &Existing, now: DateTime<Utc>) -> Plan {
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
