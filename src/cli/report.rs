//! `yekuo report`: reports on the terminal, or as JSON or CSV for files and
//! Excel. The operator names the unit; bad parameters exit with status 2
//! and the same message the API gives.

use std::path::PathBuf;
use std::process::ExitCode;

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

pub(super) async fn report(cmd: ReportCmd, config: Config) -> anyhow::Result<ExitCode> {
    let ReportCmd::Overdue(a) = cmd;
    let app = App::start(config, None).await?;
    let lang = match Lang::parse(&a.lang) {
        Ok(l) => l,
        Err(m) => return Ok(bad("lang", &m)),
    };
    let as_of = match parse_as_of(a.as_of.as_deref(), &app.sla()) {
        Ok(t) => t,
        Err(m) => return Ok(bad("as_of", &m)),
    };
    let scope = match yekuo::org::service::unit_by_code(&app.db, &a.unit).await? {
        None => return Ok(bad("unit", &format!("no unit `{}`", a.unit))),
        Some(u) => match ReportScope::of_unit(&u) {
            Ok(s) => s,
            Err(m) => return Ok(bad("unit", &m)),
        },
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
