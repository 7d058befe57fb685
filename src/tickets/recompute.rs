//! Recomputing open tickets after the calendar changed (a newly announced
//! year, a regional holiday): first the diff, then one event per ticket
//! whose dates moved.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Unchanged, ColumnTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use crate::app::App;

use super::ServiceError;
use super::actions;
use super::entity::ticket;
use super::store::{append_event, load_history};

/// One ticket whose due date or stage due date changes.
#[derive(Debug, Clone, Serialize)]
pub struct DueChange {
    pub id: i64,
    pub ticket_no: String,
    pub due_date_before: NaiveDate,
    pub due_date_after: NaiveDate,
    pub provisional_before: bool,
    pub provisional_after: bool,
    pub stage_due_date_before: Option<NaiveDate>,
    pub stage_due_date_after: Option<NaiveDate>,
}

/// The outcome of a recompute run.
#[derive(Debug, Clone, Serialize)]
pub struct RecomputeReport {
    pub calendar_version: String,
    /// Open or paused tickets computed with another calendar version.
    pub examined: u64,
    pub changed: Vec<DueChange>,
    pub applied: bool,
}

const BATCH: u64 = 500;

/// Open or paused tickets whose stored calendar version differs from the
/// loaded one.
pub async fn stale_count(app: &App) -> Result<u64, ServiceError> {
    Ok(stale_query(app).count(&app.db).await?)
}

fn stale_query(app: &App) -> sea_orm::Select<ticket::Entity> {
    ticket::Entity::find()
        .filter(ticket::Column::Status.is_in([ticket::Status::Open, ticket::Status::Paused]))
        .filter(ticket::Column::CalendarVersion.ne(app.calendar.version()))
}

/// Recomputes every stale ticket; with `apply = false` only reports the diff.
pub async fn recompute_open(
    app: &App,
    actor: &super::Actor,
    apply: bool,
) -> Result<RecomputeReport, ServiceError> {
    let now = app.now();
    let mut report = RecomputeReport {
        calendar_version: app.calendar.version().to_string(),
        examined: 0,
        changed: Vec::new(),
        applied: apply,
    };
    let mut after_id = 0i64;
    loop {
        let batch = stale_query(app)
            .filter(ticket::Column::Id.gt(after_id))
            .order_by_asc(ticket::Column::Id)
            .limit(BATCH)
            .all(&app.db)
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        for listed in batch {
            report.examined += 1;
            let txn = app.begin_write().await?;
            // Read again under the ticket's lock: the batch was read before,
            // and another writer may have changed the ticket since.
            let old = super::store::lock(&txn, listed.id).await?;
            if !old.status.is_live() || old.calendar_version == app.calendar.version() {
                continue;
            }
            let history = load_history(&txn, old.id).await?;
            let mut t = old.clone();
            actions::recompute(app, &mut t, &history, now);
            let moved = t.due_date != old.due_date
                || t.provisional != old.provisional
                || t.stage_due_date != old.stage_due_date;
            if moved {
                report.changed.push(DueChange {
                    id: t.id,
                    ticket_no: t.ticket_no.clone(),
                    due_date_before: old.due_date,
                    due_date_after: t.due_date,
                    provisional_before: old.provisional,
                    provisional_after: t.provisional,
                    stage_due_date_before: old.stage_due_date,
                    stage_due_date_after: t.stage_due_date,
                });
            }
            if !apply {
                continue;
            }
            if !moved {
                // Only the version moves on: no dates changed, no event.
                t.updated_at = old.updated_at;
            }
            let mut am = t.clone().into_active_model().reset_all();
            am.id = Unchanged(t.id);
            am.update(&txn).await?;
            if t.due_at != old.due_at {
                super::store::sync_due(&txn, t.id, t.due_at).await?;
            }
            if moved {
                let payload = json!({
                    "reason": "calendar changed",
                    "calendar_version_before": old.calendar_version, "calendar_version": t.calendar_version,
                    "due_date_before": old.due_date, "due_date": t.due_date,
                    "provisional_before": old.provisional, "provisional": t.provisional,
                    "stage_due_date_before": old.stage_due_date, "stage_due_date": t.stage_due_date,
                });
                append_event(&txn, t.id, actor, now, "due_recomputed", payload).await?;
            }
            txn.commit().await?;
        }
    }
    Ok(report)
}
