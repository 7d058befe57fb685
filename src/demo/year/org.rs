//! The organisation of the year: the demo bureau, more managers per center
//! for larger years, departments to coordinate with, the bureau's auditor,
//! and who holds each ladder role.

use std::collections::HashMap;

use super::YearSpec;
use crate::app::App;
use crate::demo::{ensure_org, person, unit};
use crate::org::service::{
    Vacancy, create_person, create_unit, holders, person_by_username, unit_by_code, unit_by_id,
};
use crate::org::{Role, UnitKind};
use crate::tickets::entity::ticket;

#[derive(Debug, Clone)]
pub(super) struct Someone {
    pub(super) id: i64,
    pub(super) username: String,
}

pub(super) struct Center {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) managers: Vec<Someone>,
}

pub(super) struct Department {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) member: Someone,
}

pub(super) struct YearOrg {
    pub(super) bureau_id: i64,
    pub(super) centers: Vec<Center>,
    pub(super) departments: Vec<Department>,
    /// The holder of each ladder role per unit as the sweep finds it
    /// (`None`: vacant).
    pub(super) holders: HashMap<(Role, i64), Option<Someone>>,
    /// Code and name of the bureau and centers (for vacancies).
    pub(super) units: HashMap<i64, (String, String)>,
    /// The bureau's first auditor, who records accountability (`None`:
    /// nobody, and no entries are written).
    pub(super) auditor: Option<Someone>,
}

const DEPARTMENTS: [(&str, &str); 5] = [
    ("MKT", "市场部"),
    ("PLAN", "规划发展部"),
    ("DIST", "配网管理部"),
    ("DISP", "电力调度控制中心"),
    ("OPS", "运维部"),
];

pub(super) async fn ensure_year_org(app: &App, spec: &YearSpec) -> anyhow::Result<YearOrg> {
    let base = ensure_org(app, spec.centers.max(1)).await?;
    let bureau_id = base
        .first()
        .map(|c| c.1)
        .ok_or_else(|| anyhow::anyhow!("the demo org has no center"))?;
    let per = managers_per_center(spec);
    let mut centers = Vec::new();
    for (n, (id, _, _)) in base.iter().enumerate() {
        let c = n as u32 + 1;
        centers.push(Center {
            id: *id,
            code: format!("DEMO-{c:02}"),
            managers: ensure_managers(app, c, per).await?,
        });
    }
    let departments = ensure_departments(app).await?;
    let auditor = holders(&app.db, Role::Auditor, bureau_id)
        .await?
        .into_iter()
        .next()
        .map(|p| Someone {
            id: p.id,
            username: p.username,
        });
    let holders = ladder_holders(app, bureau_id, &centers).await?;
    let mut units = HashMap::new();
    for id in centers.iter().map(|c| c.id).chain([bureau_id]) {
        let u = unit_by_id(&app.db, id).await?;
        units.insert(id, (u.code, u.name));
    }
    Ok(YearOrg {
        bureau_id,
        centers,
        departments,
        holders,
        units,
        auditor,
    })
}

/// About 400 tickets a year per customer manager, at most 25 per center.
fn managers_per_center(spec: &YearSpec) -> u32 {
    let per_center = spec.tickets.div_ceil(u64::from(spec.centers.max(1)));
    per_center.div_ceil(400).clamp(1, 25) as u32
}

async fn ensure_person(
    app: &App,
    username: &str,
    unit_code: &str,
    role: Role,
) -> anyhow::Result<Someone> {
    let p = match person_by_username(&app.writer, username).await? {
        Some(p) => p,
        None => {
            let new = person(username, unit_code, role);
            create_person(&app.writer, new, None, app.now()).await?
        }
    };
    Ok(Someone {
        id: p.id,
        username: p.username,
    })
}

/// Center `c`'s managers: `demo-mgr-01` (made with the center), then
/// `demo-mgr-01-02`, ….
async fn ensure_managers(app: &App, c: u32, per: u32) -> anyhow::Result<Vec<Someone>> {
    let code = format!("DEMO-{c:02}");
    let mut out = Vec::new();
    for k in 1..=per {
        let username = if k == 1 {
            format!("demo-mgr-{c:02}")
        } else {
            format!("demo-mgr-{c:02}-{k:02}")
        };
        out.push(ensure_person(app, &username, &code, Role::Manager).await?);
    }
    Ok(out)
}

/// The bureau's departments (`DEMO-MKT`, …), one member each (`demo-dept-mkt`, …).
async fn ensure_departments(app: &App) -> anyhow::Result<Vec<Department>> {
    let mut out = Vec::new();
    for (suffix, name) in DEPARTMENTS {
        let code = format!("DEMO-{suffix}");
        let u = match unit_by_code(&app.writer, &code).await? {
            Some(u) => u,
            None => {
                let new = unit(&code, name, UnitKind::Department, Some("DEMO"));
                create_unit(&app.writer, new, app.now()).await?
            }
        };
        let username = format!("demo-dept-{}", suffix.to_ascii_lowercase());
        let member = ensure_person(app, &username, &code, Role::Department).await?;
        out.push(Department {
            id: u.id,
            code,
            member,
        });
    }
    Ok(out)
}

/// Every role some ladder escalates to.
fn ladder_roles(app: &App) -> Vec<Role> {
    let mut roles: Vec<Role> = std::iter::once(&app.ladder.default)
        .chain(app.ladder.by_category.values())
        .flat_map(|l| l.levels.iter().map(|l| l.role))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The first holder (oldest assignment) of each ladder role: a center
/// director per center, the others per bureau, as the sweep looks them up.
async fn ladder_holders(
    app: &App,
    bureau_id: i64,
    centers: &[Center],
) -> anyhow::Result<HashMap<(Role, i64), Option<Someone>>> {
    let mut out = HashMap::new();
    for role in ladder_roles(app) {
        let units: Vec<i64> = match role {
            Role::Manager => continue,
            Role::CenterDirector => centers.iter().map(|c| c.id).collect(),
            _ => vec![bureau_id],
        };
        for u in units {
            let first = holders(&app.db, role, u).await?.into_iter().next();
            let someone = first.map(|p| Someone {
                id: p.id,
                username: p.username,
            });
            out.insert((role, u), someone);
        }
    }
    Ok(out)
}

impl YearOrg {
    fn manager(&self, id: i64) -> Option<Someone> {
        self.centers
            .iter()
            .flat_map(|c| &c.managers)
            .find(|m| m.id == id)
            .cloned()
    }

    /// Who holds `role` for ticket `t`.
    pub(super) fn holder(&self, role: Role, t: &ticket::Model) -> (Option<Someone>, i64) {
        match role {
            Role::Manager => (self.manager(t.manager_id), t.service_center_id),
            Role::CenterDirector => (self.held(role, t.service_center_id), t.service_center_id),
            _ => (self.held(role, t.bureau_id), t.bureau_id),
        }
    }

    pub(super) fn held(&self, role: Role, unit: i64) -> Option<Someone> {
        self.holders.get(&(role, unit)).cloned().flatten()
    }

    pub(super) fn vacancy(&self, role: Role, unit_id: i64) -> String {
        let (code, name) = self.units.get(&unit_id).cloned().unwrap_or_default();
        Vacancy {
            role,
            unit_id,
            unit_code: code,
            unit_name: name,
        }
        .to_string()
    }
}
