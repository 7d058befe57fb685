//! The `yekuo` command line: one module per command group. Each parses
//! its arguments with clap, then calls the library (the same parsers and
//! service functions as the HTTP API) and prints.

mod backup;
mod calendar;
mod mail;
mod org;
mod report;
mod serve;
mod sweep;
mod ticket;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use yekuo::app::App;
use yekuo::clock::{FixedClock, SharedClock};
use yekuo::config::Config;

use calendar::{CalendarCmd, calendar, recompute};
use mail::{MailCmd, mail_cmd};
use org::{OrgCmd, org_cmd};
use report::{ReportCmd, report};
use serve::serve;
use sweep::sweep;
use ticket::{TicketCmd, ticket};
use user::{UserCmd, user};

/// yekuo (业扩): large-customer connection tickets to deadline.
///
/// Runs on SQLite (data/yekuo.db) unless configured otherwise. Settings come
/// from the built-in defaults, a file given with --config and environment
/// variables YEKUO__SECTION__KEY (e.g. YEKUO__DATABASE__URL).
#[derive(Parser)]
#[command(name = "yekuo", version, about, long_about)]
pub(super) struct Cli {
    /// A TOML file overriding the built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Run the HTTP service (API at /api/v1, docs at /docs).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy the SQLite database to FILE (a new file), consistently, while
    /// yekuo runs. On PostgreSQL use pg_dump (README, "Operating yekuo").
    Backup {
        /// Where the copy goes; it must not exist.
        file: PathBuf,
    },
    /// Put the backup FILE in place of the SQLite database; refused while
    /// any yekuo runs on it. The replaced database is kept beside it.
    Restore {
        /// A backup made by `yekuo backup`.
        file: PathBuf,
    },
    /// The configuration: `yekuo config check [--config FILE]` validates it
    /// (unknown keys included) and prints it, secrets masked; exit status 2
    /// when it is not valid.
    #[command(subcommand)]
    Config(ConfigCmd),
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
    /// Reports: overdue as of any instant (table, JSON or CSV).
    #[command(subcommand)]
    Report(ReportCmd),
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
    /// With --year: a year of work with its history, ending at --as-of.
    Demo {
        /// Tickets to create (default 200; with --year 10,000).
        #[arg(long)]
        tickets: Option<u64>,
        /// How many of them are overdue (due for escalation) at --as-of.
        #[arg(long, default_value_t = 20, conflicts_with = "year")]
        due: u64,
        #[arg(long, default_value_t = 10)]
        centers: u32,
        /// The instant the data is built around (RFC 3339); now by default.
        #[arg(long)]
        as_of: Option<DateTime<chrono::FixedOffset>>,
        /// Write a realistic year ending at --as-of: tickets accepted over
        /// the twelve months before it, moved through the stages, paused,
        /// escalated, closed on time or late, cancelled, still open.
        #[arg(long)]
        year: bool,
        /// The year's seed (default 2026): the same seed, --tickets,
        /// --centers and --as-of write the same data.
        #[arg(long, requires = "year")]
        seed: Option<u64>,
    },
}

#[derive(Subcommand)]
pub(super) enum ConfigCmd {
    /// Check the configuration and print the one in force.
    Check,
}

pub(super) fn init_tracing(config: &Config) {
    yekuo::logging::init(&config.raw.log.filter, config.raw.log.format);
}

pub(super) fn fixed(as_of: Option<DateTime<chrono::FixedOffset>>) -> Option<SharedClock> {
    as_of.map(|t| Arc::new(FixedClock::new(t.with_timezone(&Utc))) as SharedClock)
}

pub(super) async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = yekuo::db::connect(&config.raw.database).await?;
            yekuo::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => backup::backup_cmd(config, &file).await,
        Command::Restore { file } => backup::restore_cmd(config, &file).await,
        Command::Config(ConfigCmd::Check) => backup::config_check(&config),
        Command::Calendar(CalendarCmd::Recompute { dry_run }) => recompute(config, dry_run).await,
        Command::Calendar(cmd) => calendar(cmd, &config),
        Command::Ticket(cmd) => ticket(cmd, config).await,
        Command::User(cmd) => user(cmd, config).await,
        Command::Org(cmd) => org_cmd(cmd, config).await,
        Command::Sweep { as_of, dry_run } => sweep(config, as_of, dry_run).await,
        Command::Mail(cmd) => mail_cmd(cmd, config).await,
        Command::Report(cmd) => report(cmd, config).await,
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
            year,
            seed,
        } => {
            let app = App::start(config, fixed(as_of)).await?;
            let started = std::time::Instant::now();
            let written = if year {
                let spec = yekuo::demo::year::YearSpec {
                    tickets: tickets.unwrap_or(10_000),
                    seed: seed.unwrap_or(yekuo::demo::year::DEFAULT_SEED),
                    as_of: app.now(),
                    centers: centers.max(1),
                };
                let s = yekuo::demo::year::seed_year(&app, &spec).await?;
                let end = spec
                    .as_of
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                format!("{s} (seed {}, to {end});", spec.seed)
            } else {
                let tickets = tickets.unwrap_or(200);
                let spec = yekuo::demo::DemoSpec {
                    tickets,
                    due: due.min(tickets),
                    as_of: app.now(),
                    centers: centers.max(1),
                };
                format!("{} demo tickets", yekuo::demo::seed(&app, &spec).await?)
            };
            // The database file alone is then a complete copy.
            yekuo::db::checkpoint(&app.writer).await?;
            println!(
                "{written} written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) fn describe_org(e: &yekuo::org::ServiceError) -> String {
    match e {
        yekuo::org::ServiceError::Invalid(errors) => fields(errors),
        other => other.to_string(),
    }
}

/// Invalid fields, one `field: message` per line's part, as the API and the
/// import name them.
pub(super) fn fields(errors: &[yekuo::validate::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn invalid(errors: &[yekuo::validate::FieldError]) -> anyhow::Error {
    anyhow::anyhow!("invalid request: {}", fields(errors))
}
