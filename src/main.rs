//! The `yekuo` command: a thin CLI over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use yekuo::app::App;
use yekuo::calendar::CalendarError;
use yekuo::clock::{FixedClock, SharedClock};
use yekuo::config::Config;
use yekuo::tickets::{self, ListFilter, NewTicket, ServiceError};

/// yekuo (业扩): large-customer connection tickets to deadline.
///
/// Runs on SQLite (data/yekuo.db) unless configured otherwise. Settings come
/// from the built-in defaults, a file given with --config and environment
/// variables YEKUO__SECTION__KEY (e.g. YEKUO__DATABASE__URL).
#[derive(Parser)]
#[command(name = "yekuo", version, about, long_about)]
struct Cli {
    /// A TOML file overriding the built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (API at /api/v1, docs at /docs).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Working-day arithmetic on the official calendar.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Create, show and list tickets (JSON output, for scripts).
    #[command(subcommand)]
    Ticket(TicketCmd),
    /// Accounts: create people, reset passwords, list, API tokens.
    #[command(subcommand)]
    User(UserCmd),
    /// The organisation chart: units.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Apply the escalations due now (or at --as-of); `serve` runs this every minute.
    Sweep {
        /// The instant to sweep at (RFC 3339); now by default.
        #[arg(long)]
        as_of: Option<DateTime<chrono::FixedOffset>>,
        /// Show what would escalate; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The mail outbox: list, retry, deliver now.
    #[command(subcommand)]
    Mail(MailCmd),
    /// Show or send a day's morning digests (one mail per department with
    /// open coordination requests; each department once per day).
    Digest {
        /// The working day (YYYY-MM-DD); today by default.
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Show the digests; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Load demo data: a bureau `DEMO` with service centers, people and
    /// tickets (also the load for the sweep benchmark, docs/benchmarks.md).
    Demo {
        /// Tickets to create.
        #[arg(long, default_value_t = 200)]
        tickets: u64,
        /// How many of them are overdue (due for escalation) at --as-of.
        #[arg(long, default_value_t = 20)]
        due: u64,
        #[arg(long, default_value_t = 10)]
        centers: u32,
        /// The instant the data is built around (RFC 3339); now by default.
        #[arg(long)]
        as_of: Option<DateTime<chrono::FixedOffset>>,
    },
}

#[derive(Subcommand)]
enum MailCmd {
    /// List outbox mails, newest first.
    List {
        /// Only mails that failed for good.
        #[arg(long)]
        failed: bool,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Queue a failed mail again.
    Retry { id: i64 },
    /// Send every due mail now through the configured transport.
    Deliver,
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Add a unit: a bureau, or a service center / department under a bureau.
    AddUnit {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// bureau, service_center or department.
        #[arg(long)]
        kind: String,
        /// The bureau's code (service centers and departments).
        #[arg(long)]
        parent: Option<String>,
    },
    /// List units.
    Units,
    /// Import units and people from a CSV or XLSX file (docs/org-import.md):
    /// all or nothing, every bad row named with its line.
    Import {
        file: PathBuf,
        /// Show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a person with roles; prints a generated password (or reads one
    /// from standard input with --password-stdin).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Code of the unit the person belongs to (omit for an installation-wide admin).
        #[arg(long)]
        unit: Option<String>,
        /// A role, held in the person's unit or in `role@UNITCODE`; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (random and printed, or --password-stdin); revokes
    /// the person's sessions and API tokens.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List people with their roles.
    List,
    /// Create an API token for a person; prints it once.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Print the Nth working day after DATE (DATE itself is not counted).
    ///
    /// Example: `yekuo calendar add 2025-01-24 5` prints 2025-02-07.
    /// Exits with status 2 when the answer reaches a year whose calendar is
    /// not announced, unless --provisional (weekend rule, marked).
    Add {
        date: NaiveDate,
        n: u32,
        /// Answer past the announced years with the plain weekend rule.
        #[arg(long)]
        provisional: bool,
    },
    /// Print the number of working days in (A, B].
    Between {
        a: NaiveDate,
        b: NaiveDate,
        #[arg(long)]
        provisional: bool,
    },
    /// List every rest day and make-up workday crossed by `add DATE N`.
    Explain { date: NaiveDate, n: u32 },
    /// Show the loaded calendar files and the covered range.
    Info,
    /// After a calendar change (e.g. cn-2027.toml added), recompute the due
    /// dates of open tickets: prints the diff, then applies it and records a
    /// `due_recomputed` event per changed ticket (unless --dry-run).
    Recompute {
        /// Show the changes without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum TicketCmd {
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
struct CreateArgs {
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
struct ListArgs {
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

/// mimalloc: less time in allocation than the system allocator under
/// many threads (a list page allocates per row and field), and freed
/// memory does not pile up in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("yekuo: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    match run(cli.command, config).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yekuo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.raw.log.filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn fixed(as_of: Option<DateTime<chrono::FixedOffset>>) -> Option<SharedClock> {
    as_of.map(|t| Arc::new(FixedClock::new(t.with_timezone(&Utc))) as SharedClock)
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = yekuo::db::connect(&config.raw.database).await?;
            yekuo::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(CalendarCmd::Recompute { dry_run }) => recompute(config, dry_run).await,
        Command::Calendar(cmd) => calendar(cmd, &config),
        Command::Ticket(cmd) => ticket(cmd, config).await,
        Command::User(cmd) => user(cmd, config).await,
        Command::Org(cmd) => org_cmd(cmd, config).await,
        Command::Sweep { as_of, dry_run } => sweep(config, as_of, dry_run).await,
        Command::Mail(cmd) => mail_cmd(cmd, config).await,
        Command::Digest { date, dry_run } => {
            let app = App::start(config, None).await?;
            let date = date.unwrap_or_else(|| app.sla().local_date(app.now()));
            let r = yekuo::coordination::digest::digest(&app, date, dry_run).await?;
            if !r.working_day {
                println!("{date} is not a working day: no digest");
            }
            for d in &r.departments {
                let state = if dry_run {
                    "would send"
                } else if d.written {
                    "queued"
                } else {
                    "already sent"
                };
                println!(
                    "{:<12} {:>3} request(s) to {} recipient(s): {state}  {}",
                    d.department, d.requests, d.recipients, d.subject
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            tickets,
            due,
            centers,
            as_of,
        } => {
            let app = App::start(config, fixed(as_of)).await?;
            let spec = yekuo::demo::DemoSpec {
                tickets,
                due: due.min(tickets),
                as_of: app.now(),
                centers: centers.max(1),
            };
            let started = std::time::Instant::now();
            let n = yekuo::demo::seed(&app, &spec).await?;
            // The database file alone is then a complete copy.
            yekuo::db::checkpoint(&app.writer).await?;
            println!(
                "{n} demo tickets written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let bind = config.bind;
    let app = App::start(config, None).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    if let Some(password) = yekuo::auth::users::bootstrap_admin(&app).await? {
        println!(
            "\n  First start: created user `admin` with password\n\n      {password}\n\n  It is shown only this once. Log in and create people, or use `yekuo user`.\n"
        );
    }
    // Counting stale tickets reads every open ticket: in the background, so
    // that start-up does not grow with the data.
    let counting = app.clone();
    tokio::spawn(async move {
        match tickets::recompute::stale_count(&counting).await {
            Ok(0) => {}
            Ok(stale) => tracing::warn!(
                stale,
                "open tickets were computed with another calendar; run `yekuo calendar recompute --dry-run`"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not count tickets computed with another calendar")
            }
        }
    });
    tracing::info!(%bind, calendar = app.calendar.version(), "yekuo serving; API docs at /docs");
    let mut jobs = if app.config.raw.scheduler.enabled {
        let transport =
            std::sync::Arc::new(yekuo::mail::Transport::from_config(&app.config.raw.mail)?);
        Some(yekuo::scheduler::start(app.clone(), transport).await?)
    } else {
        None
    };
    yekuo::http::serve(app, listener, shutdown_signal()).await?;
    if let Some(jobs) = jobs.as_mut() {
        let _ = jobs.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

fn calendar(cmd: CalendarCmd, config: &Config) -> anyhow::Result<ExitCode> {
    let cal = config.load_calendar()?;
    let not_covered = |e: CalendarError| {
        eprintln!(
            "yekuo: {e}\nhint: pass --provisional for a date by the plain weekend rule, or load that year's calendar file"
        );
        Ok(ExitCode::from(2))
    };
    match cmd {
        CalendarCmd::Add {
            date,
            n,
            provisional: false,
        } => match cal.add(date, n) {
            Ok(d) => println!("{d}"),
            Err(e) => return not_covered(e),
        },
        CalendarCmd::Add {
            date,
            n,
            provisional: true,
        } => {
            let d = cal.add_provisional(date, n);
            println!(
                "{}{}",
                d.date,
                if d.provisional { " (provisional)" } else { "" }
            );
        }
        CalendarCmd::Between {
            a,
            b,
            provisional: false,
        } => match cal.between(a, b) {
            Ok(n) => println!("{n}"),
            Err(e) => return not_covered(e),
        },
        CalendarCmd::Between {
            a,
            b,
            provisional: true,
        } => {
            let (n, p) = cal.between_provisional(a, b);
            println!("{n}{}", if p { " (provisional)" } else { "" });
        }
        CalendarCmd::Explain { date, n } => println!("{}", cal.explain(date, n)),
        CalendarCmd::Recompute { .. } => unreachable!("handled with a database"),
        CalendarCmd::Info => {
            println!("version:  {}", cal.version());
            println!(
                "covered:  {} .. {}",
                cal.first_covered(),
                cal.last_covered()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn recompute(config: Config, dry_run: bool) -> anyhow::Result<ExitCode> {
    let app = App::start(config, None).await?;
    let report =
        tickets::recompute::recompute_open(&app, &tickets::Actor::system(), !dry_run).await?;
    println!(
        "calendar {}: {} open ticket(s) computed with another calendar",
        report.calendar_version, report.examined
    );
    for c in &report.changed {
        let mark = |p: bool| if p { " (provisional)" } else { "" };
        println!(
            "  {:<16} due {}{} -> {}{}",
            c.ticket_no,
            c.due_date_before,
            mark(c.provisional_before),
            c.due_date_after,
            mark(c.provisional_after)
        );
    }
    let verb = if dry_run {
        "would change (dry run: nothing written)"
    } else {
        "changed"
    };
    println!("{} ticket(s) {verb}", report.changed.len());
    Ok(ExitCode::SUCCESS)
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn user(cmd: UserCmd, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::org::service as org;
    let app = App::start(config, None).await?;
    match cmd {
        UserCmd::Create {
            username,
            name,
            email,
            unit,
            roles,
            lang,
            password_stdin,
        } => {
            let form = yekuo::org::PersonForm {
                username: username.clone(),
                name,
                email,
                phone: None,
                unit,
                lang: Some(lang),
                roles,
            };
            let new = org::NewPerson::try_from(form).map_err(|e| invalid(&e))?;
            let txn = app.begin_write().await?;
            org::create_person(&txn, new, None, app.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {}", describe_org(&e)))?;
            txn.commit().await?;
            let given = if password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let shown = given.is_none();
            let password = yekuo::auth::users::set_password(&app, &username, given).await?;
            println!("created {username}");
            if shown {
                println!("password: {password}");
            }
        }
        UserCmd::ResetPassword {
            username,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let shown = given.is_none();
            let password = yekuo::auth::users::set_password(&app, &username, given).await?;
            println!("password of {username} reset; sessions and tokens revoked");
            if shown {
                println!("password: {password}");
            }
        }
        UserCmd::List => {
            for p in org::all_people(&app.db).await? {
                let roles: Vec<String> = org::grants_of(&app.db, p.id)
                    .await?
                    .iter()
                    .map(|g| g.role.as_str().to_string())
                    .collect();
                let state = if p.active { "" } else { " (deactivated)" };
                println!(
                    "{:<20} {:<16} {:<32} {}{state}",
                    p.username,
                    p.name,
                    p.email,
                    roles.join(",")
                );
            }
        }
        UserCmd::Token { username, name } => {
            let p = org::person_by_username(&app.db, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no person `{username}`"))?;
            let (token, _) = yekuo::auth::tokens::create(&app, p.id, &name, None).await?;
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn sweep(
    config: Config,
    as_of: Option<DateTime<chrono::FixedOffset>>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let app = App::start(config, fixed(as_of)).await?;
    let at = app.now();
    let started = std::time::Instant::now();
    let r = yekuo::escalation::sweep(&app, at, dry_run, yekuo::escalation::BATCH).await?;
    let elapsed = started.elapsed();
    for a in &r.escalated {
        let skipped = if a.skipped_levels.is_empty() {
            String::new()
        } else {
            format!(" (skipped {:?})", a.skipped_levels)
        };
        let vacant: Vec<String> = a.vacancies.iter().map(|v| v.to_string()).collect();
        println!(
            "{:<16} level {} -> {}{skipped}  owner {}{}",
            a.ticket_no,
            a.from_level,
            a.to_level,
            a.new_owner.as_deref().unwrap_or("(unchanged)"),
            if vacant.is_empty() {
                String::new()
            } else {
                format!("  [{}]", vacant.join("; "))
            }
        );
    }
    let verb = if dry_run {
        "would escalate (dry run: nothing written)"
    } else {
        "escalated"
    };
    println!(
        "{} due ticket(s) at {at}; {} {verb}; {} mail(s) queued; {:.2} s",
        r.examined,
        r.escalated.len(),
        r.mails,
        elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

async fn mail_cmd(cmd: MailCmd, config: Config) -> anyhow::Result<ExitCode> {
    let app = App::start(config, None).await?;
    match cmd {
        MailCmd::List { failed, limit } => {
            let state = failed.then_some(yekuo::mail::OutboxState::Failed);
            print!(
                "{}",
                yekuo::mail::format_table(&yekuo::mail::list(&app, state, limit).await?)
            );
        }
        MailCmd::Retry { id } => {
            let v = yekuo::mail::retry(&app, id).await?;
            println!("mail {} queued again ({})", v.id, v.state.as_str());
        }
        MailCmd::Deliver => {
            let transport = yekuo::mail::Transport::from_config(&app.config.raw.mail)?;
            let r = yekuo::mail::drain(&app, &transport, &yekuo::mail::worker_id()).await?;
            println!(
                "sent {}, retrying {}, failed {}",
                r.sent, r.retrying, r.failed
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn org_cmd(cmd: OrgCmd, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::org::service as org;
    let app = App::start(config, None).await?;
    match cmd {
        OrgCmd::AddUnit {
            code,
            name,
            kind,
            parent,
        } => {
            let form = yekuo::org::UnitForm {
                code,
                name,
                kind,
                parent,
            };
            let u = org::NewUnit::try_from(form).map_err(|e| invalid(&e))?;
            let u = org::create_unit(&app.writer, u, app.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {}", describe_org(&e)))?;
            println!("created unit {} ({})", u.code, u.kind);
        }
        OrgCmd::Import { file, dry_run } => {
            use yekuo::org::import::{Format, ImportError, import_bytes};
            let format = Format::from_path(&file)?;
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match import_bytes(&app.writer, &bytes, format, dry_run, app.now()).await {
                Ok(r) => {
                    for c in &r.changes {
                        println!("line {:>5}: {}", c.line, c.what);
                    }
                    println!(
                        "units: {} created, {} updated, {} unchanged; people: {} created, {} updated, {} unchanged, {} deactivated; roles: +{} -{}{}",
                        r.units_created,
                        r.units_updated,
                        r.units_unchanged,
                        r.people_created,
                        r.people_updated,
                        r.people_unchanged,
                        r.people_deactivated,
                        r.roles_added,
                        r.roles_removed,
                        if dry_run {
                            " (dry run: nothing written)"
                        } else {
                            ""
                        }
                    );
                }
                Err(ImportError::Rows(rows)) => {
                    for r in &rows {
                        eprintln!("{}: line {}: {}", file.display(), r.line, r.message);
                    }
                    eprintln!("yekuo: nothing imported ({} bad row(s))", rows.len());
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            }
        }
        OrgCmd::Units => {
            for u in org::all_units(&app.db).await? {
                println!("{:<12} {:<16} {}", u.code, u.kind, u.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_org(e: &yekuo::org::ServiceError) -> String {
    match e {
        yekuo::org::ServiceError::Invalid(errors) => fields(errors),
        other => other.to_string(),
    }
}

/// Invalid fields, one `field: message` per line's part, as the API and the
/// import name them.
fn fields(errors: &[yekuo::validate::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn invalid(errors: &[yekuo::validate::FieldError]) -> anyhow::Error {
    anyhow::anyhow!("invalid request: {}", fields(errors))
}

async fn ticket(cmd: TicketCmd, config: Config) -> anyhow::Result<ExitCode> {
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

async fn create_ticket(app: &App, a: CreateArgs) -> Result<Value, ServiceError> {
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

async fn show_ticket(app: &App, key: &str) -> Result<Value, ServiceError> {
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

async fn list_tickets(app: &App, a: ListArgs) -> Result<Value, ServiceError> {
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
