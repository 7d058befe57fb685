//! What a ticket looks like to readers: stored fields plus where its
//! deadline and stage stand as of an instant.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::sla::{Light, Pause, StageSla, StageSlaState, Standing};

use super::actions::{History, Tracked};
use super::entity::{event, pause, stage_visit, ticket};
use crate::org::entity::{person, unit};
use crate::tickets::entity::ticket::Status;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};

/// The codes and names a ticket view shows beside the ids: read with the
/// ticket in one query (see [`labeled`]).
#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct Labels {
    pub center_code: Option<String>,
    pub center_name: Option<String>,
    pub manager_username: Option<String>,
    pub manager_name: Option<String>,
    pub owner_username: Option<String>,
    pub owner_name: Option<String>,
}

/// A ticket row with its labels.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LabeledTicket {
    #[sea_orm(nested)]
    pub ticket: ticket::Model,
    #[sea_orm(nested)]
    pub labels: Labels,
}

/// `SELECT tickets.*, <labels> FROM tickets LEFT JOIN …`: the service
/// center and the two people by primary key. Left joins keep `tickets`
/// the outer table, so an index on it still gives the order.
pub fn labeled() -> SelectStatement {
    use ticket::Column as C;
    let (cu, mp, op) = (Alias::new("cu"), Alias::new("mp"), Alias::new("op"));
    Query::select()
        .column((ticket::Entity, Asterisk))
        .expr_as(Expr::col((cu.clone(), unit::Column::Code)), "center_code")
        .expr_as(Expr::col((cu.clone(), unit::Column::Name)), "center_name")
        .expr_as(
            Expr::col((mp.clone(), person::Column::Username)),
            "manager_username",
        )
        .expr_as(
            Expr::col((mp.clone(), person::Column::Name)),
            "manager_name",
        )
        .expr_as(
            Expr::col((op.clone(), person::Column::Username)),
            "owner_username",
        )
        .expr_as(Expr::col((op.clone(), person::Column::Name)), "owner_name")
        .from(ticket::Entity)
        .join_as(
            JoinType::LeftJoin,
            unit::Entity,
            cu.clone(),
            Expr::col((cu, unit::Column::Id)).equals((ticket::Entity, C::ServiceCenterId)),
        )
        .join_as(
            JoinType::LeftJoin,
            person::Entity,
            mp.clone(),
            Expr::col((mp, person::Column::Id)).equals((ticket::Entity, C::ManagerId)),
        )
        .join_as(
            JoinType::LeftJoin,
            person::Entity,
            op.clone(),
            Expr::col((op, person::Column::Id)).equals((ticket::Entity, C::OwnerId)),
        )
        .to_owned()
}

/// A ticket row with its labels and, as JSON arrays built by the
/// database, its pauses and stage visits.
#[derive(Debug, Clone, FromQueryResult)]
struct FullRow {
    #[sea_orm(nested)]
    labeled: LabeledTicket,
    pauses_json: Option<String>,
    visits_json: Option<String>,
}

/// One ticket with its labels and its whole pause and stage history, in
/// one statement: the history comes as JSON arrays from correlated
/// subqueries (each by its `ticket_id` index).
pub async fn find_with_history<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<(LabeledTicket, History)>, DbErr> {
    let backend = db.get_database_backend();
    let history = |table: &str, cols: &str| -> Expr {
        let sql = match backend {
            DbBackend::Postgres => format!(
                r#"(SELECT json_agg(json_build_array({cols}))::text FROM "{table}" h WHERE h."ticket_id" = "tickets"."id")"#
            ),
            _ => format!(
                r#"(SELECT json_group_array(json_array({cols})) FROM "{table}" h WHERE h."ticket_id" = "tickets"."id")"#
            ),
        };
        Expr::cust(sql)
    };
    let q = labeled()
        .expr_as(
            history("ticket_pauses", "h.id, h.reason, h.started_at, h.ended_at"),
            "pauses_json",
        )
        .expr_as(
            history("ticket_stages", "h.id, h.stage, h.entered_at, h.left_at"),
            "visits_json",
        )
        .and_where(Expr::col((ticket::Entity, ticket::Column::Id)).eq(id))
        .to_owned();
    let Some(row) = FullRow::find_by_statement(backend.build(&q))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let parse = |json: &Option<String>| -> Result<Vec<HistoryRow>, DbErr> {
        let mut rows: Vec<HistoryRow> = match json.as_deref() {
            None | Some("") => Vec::new(),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| DbErr::Custom(format!("ticket {id} history: {e}")))?,
        };
        rows.sort_by_key(|r| r.0);
        Ok(rows)
    };
    let pauses = parse(&row.pauses_json)?
        .into_iter()
        .map(|HistoryRow(pid, reason, started_at, ended_at)| {
            Tracked::clean(pause::Model {
                id: pid,
                ticket_id: id,
                reason,
                started_at: started_at.0,
                ended_at: ended_at.map(|e| e.0),
            })
        })
        .collect();
    let visits = parse(&row.visits_json)?
        .into_iter()
        .map(|HistoryRow(vid, stage, entered_at, left_at)| {
            Tracked::clean(stage_visit::Model {
                id: vid,
                ticket_id: id,
                stage,
                entered_at: entered_at.0,
                left_at: left_at.map(|e| e.0),
            })
        })
        .collect();
    Ok(Some((row.labeled, History { pauses, visits })))
}

/// `[id, text, start, end]`: a pause or a stage visit as the database
/// writes it in JSON.
#[derive(serde::Deserialize)]
struct HistoryRow(i64, String, Instant, Option<Instant>);

/// An instant in the JSON the databases write: RFC 3339 (SQLite stores it
/// so; PostgreSQL writes `2026-05-08T00:00:00+00:00`).
struct Instant(DateTime<Utc>);

impl<'de> serde::Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| Instant(t.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

/// One ticket with its labels, by id.
pub async fn find_labeled<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<LabeledTicket>, DbErr> {
    let q = labeled()
        .and_where(Expr::col((ticket::Entity, ticket::Column::Id)).eq(id))
        .to_owned();
    LabeledTicket::find_by_statement(db.get_database_backend().build(&q))
        .one(db)
        .await
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
    pub status: Status,
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
    /// green, yellow, red or overdue (thresholds in `[lights]`); null for
    /// closed and cancelled tickets.
    pub light: Option<Light>,
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
    /// The view from stored columns and labels alone (cheap: used for lists).
    pub fn from_model(
        app: &App,
        t: ticket::Model,
        labels: Labels,
        as_of: DateTime<Utc>,
    ) -> TicketView {
        let Labels {
            center_code,
            center_name,
            manager_username,
            manager_name,
            owner_username,
            owner_name,
        } = labels;
        let sla = app.sla();
        let live = t.status.is_live();
        let due = crate::sla::Due {
            due_date: t.due_date,
            due_at: t.due_at,
            provisional: t.provisional,
            paused_working_days: 0,
        };
        let standing = live.then(|| sla.standing(&due, as_of));
        let light = live.then(|| app.config.lights.light(&due, as_of, &sla));
        let limit = app
            .policy
            .category(&t.category)
            .map(|c| c.limit_working_days.get())
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
            service_center: center_code.unwrap_or_default(),
            service_center_name: center_name.unwrap_or_default(),
            bureau_id: t.bureau_id,
            manager_id: t.manager_id,
            manager: manager_username.unwrap_or_default(),
            manager_name: manager_name.unwrap_or_default(),
            accepted_on: t.accepted_on,
            stage: t.stage,
            stage_entered_at: t.stage_entered_at,
            status: t.status,
            owner_id: t.owner_id,
            owner: owner_username.unwrap_or_default(),
            owner_name: owner_name.unwrap_or_default(),
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
            light,
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
