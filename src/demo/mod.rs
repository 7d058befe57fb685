//! Demo and benchmark data: a bureau with service centers and people, and
//! any number of tickets written with multi-row inserts. `yekuo demo` uses
//! it to show the service with data, and the sweep benchmark to load a
//! million tickets (see docs/benchmarks.md). `yekuo demo --year` writes a
//! year of work with its history instead ([`year`]).

pub mod year;

use chrono::{DateTime, Days, Utc};
use sea_orm::{ActiveValue::NotSet, EntityTrait, Set};

use crate::app::App;
use crate::org::service::{create_person, create_unit, holders, person_by_username, unit_by_code};
use crate::org::{NewPerson, NewUnit, PersonForm, Role, UnitForm, UnitKind};
use crate::sla::{PowerSources, VoltageLevel};
use crate::tickets::actions::{History, Tracked, recompute};
use crate::tickets::entity::ticket::Status;
use crate::tickets::entity::{event, stage_visit, ticket};

/// How many tickets, and how many of them are due for escalation at `as_of`.
#[derive(Debug, Clone)]
pub struct DemoSpec {
    pub tickets: u64,
    pub due: u64,
    pub as_of: DateTime<Utc>,
    pub centers: u32,
}

const CHUNK: usize = 400;

/// Creates the org (bureau `DEMO`, centers `DEMO-01…`, one manager and one
/// director per center, a deputy head, a head and an auditor) unless it
/// exists, then the tickets. Returns the number of tickets written.
pub async fn seed(app: &App, spec: &DemoSpec) -> anyhow::Result<u64> {
    let now = app.now();
    let centers = ensure_org(app, spec.centers).await?;
    let today = app.sla().local_date(spec.as_of);
    let policy = &app.policy;
    let mut written = 0u64;
    let mut batch: Vec<ticket::Model> = Vec::with_capacity(CHUNK);
    for i in 0..spec.tickets {
        let (center_id, bureau_id, manager_id) = centers[(i % centers.len() as u64) as usize];
        // Due tickets were accepted 150 days ago (overdue: one jump
        // to the top level); the others in the last 20 calendar days.
        let accepted_on = if i < spec.due {
            today - Days::new(150)
        } else {
            today - Days::new(i % 20)
        };
        let (v, p, n) = (
            VoltageLevel::Kv10,
            if i % 3 == 0 {
                PowerSources::Dual
            } else {
                PowerSources::Single
            },
            i % 2 == 0,
        );
        let category = policy
            .categorize(v, p, n)
            .map(|c| c.key.to_string())
            .unwrap_or_default();
        let mut t = ticket::Model {
            id: 0,
            ticket_no: String::new(),
            customer_name: format!("示例客户 {i}"),
            customer_account_no: format!("{:010}", i),
            address: "广州市".into(),
            voltage_level: v.as_str().into(),
            power_sources: p.as_str().into(),
            new_line: n,
            category,
            capacity_kva: 1000 + (i % 5000) as i64,
            service_center_id: center_id,
            bureau_id,
            manager_id,
            accepted_on,
            stage: policy.first_stage().key.to_string(),
            stage_entered_at: now,
            stage_due_date: None,
            stage_due_at: None,
            status: Status::Open,
            owner_id: manager_id,
            escalation_level: 0,
            next_escalation_at: None,
            escalation_round: 0,
            due_date: accepted_on,
            due_at: now,
            provisional: false,
            calendar_version: String::new(),
            closed_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut h = History::default();
        h.visits.push(Tracked::new(stage_visit::Model {
            id: 0,
            ticket_id: 0,
            stage: t.stage.clone(),
            entered_at: now,
            left_at: None,
        }));
        recompute(app, &mut t, &h, now);
        t.ticket_no = format!("DEMO-{i:08}");
        batch.push(t);
        if batch.len() == CHUNK {
            written += write(app, &mut batch, now).await?;
        }
    }
    written += write(app, &mut batch, now).await?;
    Ok(written)
}

async fn write(
    app: &App,
    batch: &mut Vec<ticket::Model>,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    let txn = app.begin_write().await?;
    let rows: Vec<ticket::ActiveModel> = batch
        .iter()
        .map(|t| {
            let mut am: ticket::ActiveModel = t.clone().into();
            am = sea_orm::ActiveModelTrait::reset_all(am);
            am.id = NotSet;
            am
        })
        .collect();
    ticket::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    // Read back the ids by ticket number to attach the first event and stage.
    use sea_orm::{ColumnTrait, QueryFilter};
    let nos: Vec<String> = batch.iter().map(|t| t.ticket_no.clone()).collect();
    let saved = ticket::Entity::find()
        .filter(ticket::Column::TicketNo.is_in(nos))
        .all(&txn)
        .await?;
    let events: Vec<event::ActiveModel> = saved
        .iter()
        .map(|t| {
            let payload = serde_json::json!({"ticket_no": t.ticket_no, "demo": true}).to_string();
            let hash = crate::tickets::chain::event_hash(
                "", t.id, 1, now, "demo", None, "created", &payload,
            );
            event::ActiveModel {
                id: NotSet,
                ticket_id: Set(t.id),
                seq: Set(1),
                at: Set(now),
                actor: Set("demo".into()),
                actor_id: Set(None),
                kind: Set("created".into()),
                payload: Set(payload),
                prev_hash: Set(String::new()),
                hash: Set(hash),
            }
        })
        .collect();
    event::Entity::insert_many(events)
        .exec_without_returning(&txn)
        .await?;
    let visits: Vec<stage_visit::ActiveModel> = saved
        .iter()
        .map(|t| stage_visit::ActiveModel {
            id: NotSet,
            ticket_id: Set(t.id),
            stage: Set(t.stage.clone()),
            entered_at: Set(now),
            left_at: Set(None),
        })
        .collect();
    stage_visit::Entity::insert_many(visits)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    let n = batch.len() as u64;
    batch.clear();
    Ok(n)
}

/// (center id, bureau id, manager id) per demo center.
async fn ensure_org(app: &App, centers: u32) -> anyhow::Result<Vec<(i64, i64, i64)>> {
    let now = app.now();
    let db = &app.writer;
    let bureau = match unit_by_code(db, "DEMO").await? {
        Some(b) => b,
        None => {
            let b =
                create_unit(db, unit("DEMO", "示例供电局", UnitKind::Bureau, None), now).await?;
            for (username, role) in [
                ("demo-deputy", Role::DeputyHead),
                ("demo-head", Role::Head),
                ("demo-admin", Role::Admin),
            ] {
                create_person(db, person(username, "DEMO", role), None, now).await?;
            }
            b
        }
    };
    // The bureau's auditor (who records accountability in a demo year).
    if holders(db, Role::Auditor, bureau.id).await?.is_empty()
        && person_by_username(db, "demo-auditor").await?.is_none()
    {
        create_person(db, person("demo-auditor", "DEMO", Role::Auditor), None, now).await?;
    }
    let mut out = Vec::new();
    for c in 1..=centers {
        let code = format!("DEMO-{c:02}");
        let center = match unit_by_code(db, &code).await? {
            Some(u) => u,
            None => {
                let u = create_unit(
                    db,
                    unit(
                        &code,
                        &format!("示例服务中心 {c}"),
                        UnitKind::ServiceCenter,
                        Some("DEMO"),
                    ),
                    now,
                )
                .await?;
                create_person(
                    db,
                    person(&format!("demo-mgr-{c:02}"), &code, Role::Manager),
                    None,
                    now,
                )
                .await?;
                create_person(
                    db,
                    person(&format!("demo-dir-{c:02}"), &code, Role::CenterDirector),
                    None,
                    now,
                )
                .await?;
                u
            }
        };
        let manager = person_by_username(db, &format!("demo-mgr-{c:02}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo manager missing"))?;
        out.push((center.id, bureau.id, manager.id));
    }
    Ok(out)
}

fn person(username: &str, unit: &str, role: Role) -> NewPerson {
    NewPerson::try_from(PersonForm {
        username: username.into(),
        name: username.into(),
        email: format!("{username}@demo.invalid"),
        unit: Some(unit.into()),
        roles: vec![role.as_str().into()],
        ..PersonForm::default()
    })
    .expect("demo people are valid")
}

fn unit(code: &str, name: &str, kind: UnitKind, parent: Option<&str>) -> NewUnit {
    NewUnit::try_from(UnitForm {
        code: code.into(),
        name: name.into(),
        kind: kind.as_str().into(),
        parent: parent.map(Into::into),
    })
    .expect("demo units are valid")
}
