//! `yekuo ticket`: create, show and list tickets as JSON, for scripts.

use std::process::ExitCode;

use chrono::DateTime;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use yekuo::app::App;
use yekuo::config::Config;
use yekuo::tickets::{self, ListFilter, NewTicket, ServiceError};

use super::fixed;

#[derive(Subcommand)]
pub(crate) enum TicketCmd {
    /// Create a ticket; prints it as JSON.
    Create(Box<CreateArgs>),
    /// Show one ticket by id or ticket number.
    Show {
        ticket: String,
        /// Compute SLA state at this instant (RFC 3339).
        #[arg(long)]
        as_of: Option<DateTime<chrono::FixedOffset>>,
    },
    /// List tickets sorted by due date.
    List(Box<ListArgs>),
}

#[derive(Args)]
pub(crate) struct CreateArgs {
    #[arg(long)]
    customer_name: String,
    #[arg(long)]
    account: String,
    #[arg(long)]
    address: String,
    /// 10kV, 20kV, 35kV, 110kV or 220kV.
    #[arg(long)]
    voltage: String,
    /// single or dual.
    #[arg(long)]
    sources: String,
    /// A new outgoing line is built for the customer.
    #[arg(long)]
    new_line: bool,
    /// Requested capacity in kVA.
    #[arg(long)]
    capacity: i64,
    /// Service center (供电服务中心) code, e.g. GZ-TH.
    #[arg(long)]
    center: String,
    /// Acceptance date (day 0), YYYY-MM-DD.
    #[arg(long)]
    accepted_on: String,
    /// Username of the customer manager (first owner).
    #[arg(long)]
    manager: String,
    #[arg(long)]
    ticket_no: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// Pretend the current instant is this one (RFC 3339).
    #[arg(long)]
    as_of: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Args)]
pub(crate) struct ListArgs {
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    stage: Option<String>,
    #[arg(long)]
    category: Option<String>,
    #[arg(long)]
    center: Option<String>,
    /// Owner username.
    #[arg(long)]
    owner: Option<String>,
    /// Manager username.
    #[arg(long)]
    manager: Option<String>,
    /// Open or paused tickets overdue at this date or RFC 3339 instant.
    #[arg(long)]
    overdue_as_of: Option<String>,
    /// Due date before this date (YYYY-MM-DD).
    #[arg(long)]
    due_before: Option<String>,
    /// Due date after this date (YYYY-MM-DD).
    #[arg(long)]
    due_after: Option<String>,
    #[arg(long)]
    ticket_no: Option<String>,
    /// `due` (default) or `-due`.
    #[arg(long)]
    sort: Option<String>,
    /// The `next_cursor` of the previous page.
    #[arg(long)]
    cursor: Option<String>,
    /// Only the tickets this person may read (their roles' scope).
    #[arg(long = "as", value_name = "USERNAME")]
    as_person: Option<String>,
    /// Print the database's plan of each query instead of the tickets
    /// (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
    #[arg(long)]
    explain: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Compute SLA state at this instant (RFC 3339).
    #[arg(long)]
    as_of: Option<DateTime<chrono::FixedOffset>>,
}

pub(super) async fn ticket(cmd: TicketCmd, config: Config) -> anyhow::Result<ExitCode> {
    let as_of = match &cmd {
        TicketCmd::Create(a) => a.as_of,
        TicketCmd::Show { as_of, .. } => *as_of,
        TicketCmd::List(a) => a.as_of,
    };
    let app = App::start(config, fixed(as_of)).await?;
    let result = match cmd {
        TicketCmd::Create(a) => create_ticket(&app, *a).await,
        TicketCmd::Show { ticket, .. } => show_ticket(&app, &ticket).await,
        TicketCmd::List(a) => list_tickets(&app, *a).await,
    };
    match result {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Invalid(errors)) => {
            for e in errors {
                eprintln!("yekuo: {}: {}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => {
            eprintln!("yekuo: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub(super) async fn create_ticket(app: &App, a: CreateArgs) -> Result<Value, ServiceError> {
    let body = json!({
        "customer_name": a.customer_name, "customer_account_no": a.account, "address": a.address,
        "voltage_level": a.voltage, "power_sources": a.sources, "new_line": a.new_line,
        "capacity_kva": a.capacity, "service_center": a.center, "accepted_on": a.accepted_on,
        "manager": a.manager, "ticket_no": a.ticket_no, "category": a.category,
    });
    let today = app.sla().local_date(app.now());
    let new = NewTicket::parse(&body, &app.policy, today).map_err(ServiceError::Invalid)?;
    let actor = tickets::Actor {
        person_id: None,
        name: "cli".into(),
    };
    let view = tickets::service::create(app, &actor, new).await?;
    Ok(serde_json::to_value(view).unwrap_or_default())
}

pub(super) async fn show_ticket(app: &App, key: &str) -> Result<Value, ServiceError> {
    let id = match key.parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            let q = [("ticket_no".to_string(), key.to_string())]
                .into_iter()
                .collect();
            let f = ListFilter::parse(&q, app).map_err(ServiceError::Invalid)?;
            let page = tickets::list::list(app, &f).await?;
            page.items
                .first()
                .map(|t| t.id)
                .ok_or_else(|| ServiceError::NotFound(format!("ticket {key}")))?
        }
    };
    let view = tickets::service::get(app, id, None).await?;
    Ok(serde_json::to_value(view).unwrap_or_default())
}

pub(super) async fn list_tickets(app: &App, a: ListArgs) -> Result<Value, ServiceError> {
    let mut q = std::collections::HashMap::new();
    let pairs = [
        ("status", a.status),
        ("stage", a.stage),
        ("category", a.category),
        ("service_center", a.center),
        ("owner", a.owner),
        ("manager", a.manager),
        ("overdue_as_of", a.overdue_as_of),
        ("due_before", a.due_before),
        ("due_after", a.due_after),
        ("ticket_no", a.ticket_no),
        ("sort", a.sort),
        ("cursor", a.cursor),
        ("limit", Some(a.limit.to_string())),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            q.insert(k.to_string(), v);
        }
    }
    let mut f = ListFilter::parse(&q, app).map_err(ServiceError::Invalid)?;
    if let Some(username) = &a.as_person {
        let person = yekuo::org::service::person_by_username(&app.db, username)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| ServiceError::invalid("as", format!("no person `{username}`")))?;
        let p = yekuo::auth::sessions::principal(&app.db, person, yekuo::auth::Via::Cli)
            .await
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        f.scope = yekuo::auth::permissions::ticket_scope(&p);
    }
    if a.explain {
        let plans = tickets::list::explain(app, &f, true).await?;
        return Ok(serde_json::to_value(plans).unwrap_or_default());
    }
    let page = tickets::list::list(app, &f).await?;
    Ok(serde_json::to_value(page).unwrap_or_default())
}
