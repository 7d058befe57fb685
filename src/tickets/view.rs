//! What a ticket looks like to readers: stored fields plus where its
//! deadline and stage stand as of an instant.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::sla::{Pause, StageSla, StageSlaState, Standing};

use super::entity::{event, ticket};
use crate::org::entity::{person, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// Codes and names of the units and people a set of tickets refers to,
/// loaded in two queries.
#[derive(Debug, Default)]
pub struct Names {
    units: HashMap<i64, (String, String)>,
    people: HashMap<i64, (String, String)>,
}

impl Names {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        tickets: &[ticket::Model],
    ) -> Result<Names, DbErr> {
        let mut unit_ids: Vec<i64> = tickets.iter().map(|t| t.service_center_id).collect();
        let mut people_ids: Vec<i64> = tickets
            .iter()
            .flat_map(|t| [t.manager_id, t.owner_id])
            .collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        people_ids.sort_unstable();
        people_ids.dedup();
        let units = unit::Entity::find()
            .filter(unit::Column::Id.is_in(unit_ids))
            .all(db)
            .await?;
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(people_ids))
            .all(db)
            .await?;
        Ok(Names {
            units: units
                .into_iter()
                .map(|u| (u.id, (u.code, u.name)))
                .collect(),
            people: people
                .into_iter()
                .map(|p| (p.id, (p.username, p.name)))
                .collect(),
        })
    }

    fn unit(&self, id: i64) -> (String, String) {
        self.units.get(&id).cloned().unwrap_or_default()
    }

    fn person(&self, id: i64) -> (String, String) {
        self.people.get(&id).cloned().unwrap_or_default()
    }
}

/// A ticket with its SLA state as of `as_of`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    pub customer_account_no: String,
    pub address: String,
    #[schema(example = "10kV")]
    pub voltage_level: String,
    #[schema(example = "single")]
    pub power_sources: String,
    pub new_line: bool,
    pub category: String,
    pub limit_working_days: u32,
    pub capacity_kva: i64,
    pub service_center_id: i64,
    /// Service center code.
    pub service_center: String,
    pub service_center_name: String,
    pub bureau_id: i64,
    pub manager_id: i64,
    /// The customer manager's username.
    pub manager: String,
    pub manager_name: String,
    pub accepted_on: NaiveDate,
    pub stage: String,
    pub stage_entered_at: DateTime<Utc>,
    /// open, paused, closed or cancelled.
    pub status: String,
    pub owner_id: i64,
    /// The current owner's username.
    pub owner: String,
    pub owner_name: String,
    pub escalation_level: i32,
    /// When the next ladder level falls due (null when none is left or the ticket is not open).
    pub next_escalation_at: Option<DateTime<Utc>>,
    pub due_date: NaiveDate,
    /// 24:00 local time of `due_date`: overdue from this instant on.
    pub due_at: DateTime<Utc>,
    /// The due date reaches a year whose official calendar is not announced yet.
    pub provisional: bool,
    pub calendar_version: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The instant the fields below were computed for.
    pub as_of: DateTime<Utc>,
    /// Null for closed and cancelled tickets.
    pub standing: Option<Standing>,
    pub stage_sla: CurrentStageSla,
    /// Every stage visited (single-ticket reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageSla>>,
    /// Every pause (single-ticket reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pauses: Option<Vec<Pause>>,
}

/// The current stage's own limit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentStageSla {
    pub stage: String,
    pub limit_working_days: Option<u32>,
    pub due_date: Option<NaiveDate>,
    pub due_at: Option<DateTime<Utc>>,
    pub state: StageSlaState,
}

/// One entry of a ticket's append-only history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub seq: i32,
    pub at: DateTime<Utc>,
    /// Username of the acting person, or `system`.
    pub actor: String,
    pub actor_id: Option<i64>,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The previous event's hash (empty for the first).
    pub prev_hash: String,
    /// SHA-256 over this event and `prev_hash`.
    pub hash: String,
}

impl From<event::Model> for EventView {
    fn from(e: event::Model) -> Self {
        EventView {
            id: e.id,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            actor_id: e.actor_id,
            kind: e.kind,
            payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

impl TicketView {
    /// The view from stored columns alone (cheap: used for lists).
    pub fn from_model(
        app: &App,
        t: ticket::Model,
        names: &Names,
        as_of: DateTime<Utc>,
    ) -> TicketView {
        let (center_code, center_name) = names.unit(t.service_center_id);
        let (manager, manager_name) = names.person(t.manager_id);
        let (owner, owner_name) = names.person(t.owner_id);
        let sla = app.sla();
        let live = t.status == "open" || t.status == "paused";
        let standing = live.then(|| {
            sla.standing(
                &crate::sla::Due {
                    due_date: t.due_date,
                    due_at: t.due_at,
                    provisional: t.provisional,
                    paused_working_days: 0,
                },
                as_of,
            )
        });
        let limit = app
            .policy
            .category(&t.category)
            .map(|c| c.limit_working_days)
            .unwrap_or_default();
        let stage_limit = app
            .policy
            .stage(&t.stage)
            .and_then(|s| VoltageOf(&t.voltage_level).limit(s));
        let state = match (stage_limit, t.stage_due_at) {
            (None, _) | (_, None) => StageSlaState::Unlimited,
            (Some(_), Some(due)) if !live => {
                let end = t.closed_at.unwrap_or(as_of);
                if end < due {
                    StageSlaState::Met
                } else {
                    StageSlaState::MetLate
                }
            }
            (Some(_), Some(due)) if as_of >= due => StageSlaState::Breached,
            _ => StageSlaState::OnTime,
        };
        TicketView {
            stage_sla: CurrentStageSla {
                stage: t.stage.clone(),
                limit_working_days: stage_limit,
                due_date: t.stage_due_date,
                due_at: t.stage_due_at,
                state,
            },
            id: t.id,
            ticket_no: t.ticket_no,
            customer_name: t.customer_name,
            customer_account_no: t.customer_account_no,
            address: t.address,
            voltage_level: t.voltage_level,
            power_sources: t.power_sources,
            new_line: t.new_line,
            category: t.category,
            limit_working_days: limit,
            capacity_kva: t.capacity_kva,
            service_center_id: t.service_center_id,
            service_center: center_code,
            service_center_name: center_name,
            bureau_id: t.bureau_id,
            manager_id: t.manager_id,
            manager,
            manager_name,
            accepted_on: t.accepted_on,
            stage: t.stage,
            stage_entered_at: t.stage_entered_at,
            status: t.status,
            owner_id: t.owner_id,
            owner,
            owner_name,
            escalation_level: t.escalation_level,
            next_escalation_at: t.next_escalation_at,
            due_date: t.due_date,
            due_at: t.due_at,
            provisional: t.provisional,
            calendar_version: t.calendar_version,
            closed_at: t.closed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            as_of,
            standing,
            stages: None,
            pauses: None,
        }
    }
}

/// The stored voltage text, read back for stage limits.
struct VoltageOf<'a>(&'a str);

impl VoltageOf<'_> {
    fn limit(&self, stage: &crate::sla::Stage) -> Option<u32> {
        crate::sla::VoltageLevel::parse(self.0)
            .ok()
            .and_then(|v| stage.limit_for(v))
    }
}
