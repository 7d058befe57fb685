//! Reports for auditors, heads and directors. Each is a pure computation
//! over loaded rows (`at` rebuilds a ticket at a past instant) with a thin
//! loader, over a scope the caller may read, and says how it counted
//! (口径: which tickets, which instant, which calendar).

pub mod accountability;
pub mod at;
pub mod closings;
pub mod compliance;
pub mod coordination;
pub mod csv;
pub mod durations;
pub mod overdue;
pub mod snapshots;
pub mod stats;
pub mod workload;
pub mod xlsx;

use std::collections::HashMap;

use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::error::ServiceError;
use crate::tickets::entity::{event, pause, stage_visit};

/// Tickets per query of their rows (well under bound-parameter limits).
const CHUNK: usize = 500;

/// Rows of `E` for `ids`, read [`CHUNK`] tickets at a time, by ticket.
pub(crate) async fn by_ticket<E, F>(
    app: &App,
    ids: &[i64],
    select: F,
) -> Result<HashMap<i64, Vec<E::Model>>, ServiceError>
where
    E: EntityTrait,
    E::Model: HasTicket,
    F: Fn(Vec<i64>) -> sea_orm::Select<E>,
{
    let mut out: HashMap<i64, Vec<E::Model>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for m in select(chunk.to_vec()).all(&app.db).await? {
            out.entry(m.ticket_id()).or_default().push(m);
        }
    }
    Ok(out)
}

/// Rows that belong to a ticket.
pub(crate) trait HasTicket {
    fn ticket_id(&self) -> i64;
}

impl HasTicket for event::Model {
    fn ticket_id(&self) -> i64 {
        self.ticket_id
    }
}

impl HasTicket for pause::Model {
    fn ticket_id(&self) -> i64 {
        self.ticket_id
    }
}

impl HasTicket for stage_visit::Model {
    fn ticket_id(&self) -> i64 {
        self.ticket_id
    }
}

/// Every unit's code, by id (the org chart is small next to tickets).
pub(crate) async fn unit_codes(app: &App) -> Result<HashMap<i64, String>, ServiceError> {
    Ok(crate::org::entity::unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect())
}

/// A light in the reader's language.
pub(crate) fn light_label(l: crate::sla::Light, lang: crate::mail::Lang) -> &'static str {
    use crate::mail::Lang;
    use crate::sla::Light;
    match (l, lang) {
        (Light::Overdue, Lang::ZhCn) => "已逾期",
        (Light::Red, Lang::ZhCn) => "红",
        (Light::Yellow, Lang::ZhCn) => "黄",
        (Light::Green, Lang::ZhCn) => "绿",
        (l, Lang::En) => l.as_str(),
    }
}

/// A short digest of the rules a report was computed under: the SLA
/// policy (categories, stages, limits), the ladders and the lights.
pub fn policy_hash(app: &crate::app::App) -> String {
    use sha2::{Digest, Sha256};
    let rules = serde_json::json!({
        "sla": &*app.policy, "ladder": &*app.ladder, "lights": app.config.lights,
    });
    let digest = Sha256::digest(rules.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The instant a report is asked about: an RFC 3339 instant, or a date
/// (its start, as for `overdue_as_of` on lists); `None` (now) when not
/// given.
pub fn parse_as_of(
    raw: Option<&str>,
    sla: &crate::sla::SlaClock,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let Some(v) = raw else {
        return Ok(None);
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&chrono::Utc)));
    }
    crate::validate::date(v)
        .map(|d| Some(sla.start_of(d)))
        .map_err(|_| format!("`{v}` is not a date (2026-03-31) or an RFC 3339 instant"))
}

/// The tickets a report covers: a bureau's, a service center's, or those a
/// customer manager manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReportScope {
    Bureau(i64),
    Center(i64),
    Manager(i64),
}

impl ReportScope {
    /// All the tickets of `unit`: a bureau or a service center.
    pub fn of_unit(unit: &crate::org::entity::unit::Model) -> Result<ReportScope, String> {
        use crate::org::UnitKind;
        if unit.kind == UnitKind::Bureau.as_str() {
            Ok(ReportScope::Bureau(unit.id))
        } else if unit.kind == UnitKind::ServiceCenter.as_str() {
            Ok(ReportScope::Center(unit.id))
        } else {
            Err(format!(
                "`{}` is a department: report on a bureau or a service center",
                unit.code
            ))
        }
    }

    /// The condition on tickets.
    pub fn condition(self) -> sea_orm::Condition {
        use crate::tickets::entity::ticket::Column as C;
        use sea_orm::ColumnTrait;
        sea_orm::Condition::all().add(match self {
            ReportScope::Bureau(id) => C::BureauId.eq(id),
            ReportScope::Center(id) => C::ServiceCenterId.eq(id),
            ReportScope::Manager(id) => C::ManagerId.eq(id),
        })
    }
}
