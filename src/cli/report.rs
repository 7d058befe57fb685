//! `yekuo report`: reports on the terminal, or as JSON or CSV for files and
//! Excel. The operator names the unit; bad parameters exit with status 2
//! and the same message the API gives.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use yekuo::app::App;
use yekuo::config::Config;
use yekuo::mail::Lang;
use yekuo::reports::overdue::OverdueReport;
use yekuo::reports::{ReportScope, parse_as_of};

#[derive(Subcommand)]
pub(crate) enum ReportCmd {
    /// What was overdue (and due soon) at an instant: now by default.
    Overdue(ReportArgs),
    /// All-stage compliance (达标) of the tickets closed in a period.
    Compliance(ComplianceArgs),
    /// How long connection took for the tickets closed in a period.
    Durations(ComplianceArgs),
    /// Workload per customer manager, and customers per manager per center.
    Workload(ComplianceArgs),
}

#[derive(Args)]
pub(crate) struct ComplianceArgs {
    /// The bureau or service center (code).
    #[arg(long)]
    unit: String,
    /// The first closing day (YYYY-MM-DD); the first of last month by default.
    #[arg(long)]
    from: Option<String>,
    /// The last closing day, inclusive; the last of last month by default.
    #[arg(long)]
    to: Option<String>,
    /// table or json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Args)]
pub(crate) struct ReportArgs {
    /// The bureau or service center (code).
    #[arg(long)]
    unit: String,
    /// An RFC 3339 instant, or a date (its start); now by default.
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// The language of CSV and XLSX headers: zh-CN (default) or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

fn bad(field: &str, message: &str) -> ExitCode {
    eprintln!("yekuo: {field}: {message}");
    ExitCode::from(2)
}

/// The scope of `code`: a bureau or a service center, or the message.
async fn scope(app: &App, code: &str) -> anyhow::Result<Result<ReportScope, String>> {
    Ok(
        match yekuo::org::service::unit_by_code(&app.db, code).await? {
            None => Err(format!("no unit `{code}`")),
            Some(u) => ReportScope::of_unit(&u),
        },
    )
}

pub(super) async fn report(cmd: ReportCmd, config: Config) -> anyhow::Result<ExitCode> {
    let a = match cmd {
        ReportCmd::Overdue(a) => a,
        ReportCmd::Compliance(c) => return compliance(c, config).await,
        ReportCmd::Durations(c) => return durations(c, config).await,
        ReportCmd::Workload(c) => return workload(c, config).await,
    };
    let app = App::start(config, None).await?;
    let lang = match Lang::parse(&a.lang) {
        Ok(l) => l,
        Err(m) => return Ok(bad("lang", &m)),
    };
    let as_of = match parse_as_of(a.as_of.as_deref(), &app.sla()) {
        Ok(t) => t,
        Err(m) => return Ok(bad("as_of", &m)),
    };
    let scope = match scope(&app, &a.unit).await? {
        Ok(s) => s,
        Err(m) => return Ok(bad("unit", &m)),
    };
    let r = yekuo::reports::overdue::report(&app, scope, as_of).await?;
    let bytes = match a.format {
        Format::Json => serde_json::to_vec_pretty(&r)?,
        Format::Csv => yekuo::reports::csv::overdue(&r, lang, app.zone()),
        Format::Xlsx => {
            let who = yekuo::reports::xlsx::Provenance {
                generated_at: app.now(),
                generated_by: "cli".into(),
                zone: app.zone(),
            };
            yekuo::reports::xlsx::overdue(&r, lang, &who)?
        }
        Format::Table => table(&r, app.zone()).into_bytes(),
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The app, the scope and the period of a report over closed tickets, or
/// the exit status of a bad parameter.
async fn period_and_scope(
    a: &ComplianceArgs,
    config: Config,
) -> anyhow::Result<Result<(App, ReportScope, (NaiveDate, NaiveDate)), ExitCode>> {
    let app = App::start(config, None).await?;
    let (default_from, default_to) =
        yekuo::reports::compliance::last_month(app.sla().local_date(app.now()));
    let day = |name: &str, raw: &Option<String>, default| match raw {
        None => Ok(default),
        Some(v) => yekuo::validate::date(v).map_err(|m| (name.to_string(), m)),
    };
    let period = match (
        day("from", &a.from, default_from),
        day("to", &a.to, default_to),
    ) {
        (Ok(f), Ok(t)) if f <= t => (f, t),
        (Ok(f), Ok(t)) => return Ok(Err(bad("from", &format!("{f} is after `to` ({t})")))),
        (Err((field, m)), _) | (_, Err((field, m))) => return Ok(Err(bad(&field, &m))),
    };
    let scope = match scope(&app, &a.unit).await? {
        Ok(s) => s,
        Err(m) => return Ok(Err(bad("unit", &m))),
    };
    Ok(Ok((app, scope, period)))
}

async fn compliance(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::reports::compliance;
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let r = compliance::report(&app, scope, period).await?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "compliance (达标) of tickets closed {} to {} (calendar {})",
        r.from, r.to, r.calendar_version
    );
    println!(
        "{:<12} {:>6} {:>7} {:>9} {:>6} {:>8} {:>8}",
        "center", "closed", "on time", "compliant", "rate", "gross wd", "net wd"
    );
    for c in r.centers.iter().chain(std::iter::once(&r.total)) {
        let name = if c.service_center.is_empty() {
            "(all)"
        } else {
            &c.service_center
        };
        println!(
            "{:<12} {:>6} {:>7} {:>9} {:>5.1}% {:>8.1} {:>8.1}",
            name,
            c.closed,
            c.on_time,
            c.compliant,
            100.0 * c.compliance_rate,
            c.mean_working_days_gross,
            c.mean_working_days_net
        );
    }
    for s in &r.stages {
        println!(
            "stage {:<22} {:>4} of {:<4} within limit ({:.1}%), mean {:.1}, P90 {:.1} working days",
            s.stage,
            s.within_limit,
            s.entered,
            100.0 * s.rate,
            s.mean_working_days,
            s.p90_working_days
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn durations(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let r = yekuo::reports::durations::report(&app, scope, period).await?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "durations of tickets closed {} to {} (working days; calendar days)",
        r.from, r.to
    );
    println!(
        "{:<24} {:>5} {:>7} {:>7} {:>7} {:>7}   {:>7} {:>7}",
        "", "count", "mean", "median", "P90", "max", "mean", "P90"
    );
    let groups = std::iter::once(("all", &r.all))
        .chain(r.by_voltage.iter().map(|g| ("voltage", g)))
        .chain(r.by_category.iter().map(|g| ("category", g)))
        .chain(r.by_stage.iter().map(|g| ("stage", g)));
    for (kind, g) in groups {
        let (w, c) = (&g.working_days, &g.calendar_days);
        println!(
            "{:<24} {:>5} {:>7.1} {:>7.1} {:>7.1} {:>7.1}   {:>7.1} {:>7.1}",
            if g.key.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} {}", g.key)
            },
            w.count,
            w.mean,
            w.median,
            w.p90,
            w.max,
            c.mean,
            c.p90
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn workload(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let r = yekuo::reports::workload::report(&app, scope, period).await?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:<10} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
        "manager", "center", "open", "owned", "customers", "overdue", "closed", "on time"
    );
    for m in &r.managers {
        println!(
            "{:<16} {:<10} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
            m.manager,
            m.service_center,
            m.open_managed,
            m.open_owned,
            m.customers,
            m.overdue_now,
            m.closed_in_period,
            m.closed_on_time
        );
    }
    for c in &r.centers {
        println!(
            "center {:<10} {} managers, {} customers: {:.1} per manager (target {}){}",
            c.service_center,
            c.managers,
            c.customers,
            c.customers_per_manager,
            c.target_customers_per_manager,
            if c.over_target { " OVER" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as aligned text for a terminal.
fn table(r: &OverdueReport, zone: chrono_tz::Tz) -> String {
    let mut out = format!(
        "overdue as of {} ({}; calendar {})\n",
        r.definitions
            .as_of
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z"),
        match r.definitions.scope {
            ReportScope::Bureau(_) => "bureau",
            ReportScope::Center(_) => "service center",
            ReportScope::Manager(_) => "manager",
        },
        r.definitions.calendar_version
    );
    out.push_str(&format!(
        "{:<20} {:<10} {:<14} {:>5} {:<16} {:<10} {:>7} {:<8}\n",
        "ticket", "center", "owner", "level", "stage", "due", "days", "light"
    ));
    for row in r.rows.iter().chain(&r.due_soon) {
        let days = if row.overdue_working_days > 0 {
            format!("+{}", row.overdue_working_days)
        } else {
            format!("-{}", row.remaining_working_days)
        };
        out.push_str(&format!(
            "{:<20} {:<10} {:<14} {:>5} {:<16} {:<10} {:>7} {:<8}\n",
            row.ticket_no,
            row.service_center,
            row.owner,
            row.escalation_level,
            row.stage,
            row.due_date,
            days,
            row.light.as_str()
        ));
    }
    out.push_str(&format!(
        "{} overdue, {} due soon\n",
        r.rows.len(),
        r.due_soon.len()
    ));
    out
}
