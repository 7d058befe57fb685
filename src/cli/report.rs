//! `yekuo report`: reports on the terminal, or as JSON, CSV or XLSX for
//! files and Excel (the report's writers, `reports::xlsx::Export`). The
//! operator names the unit; bad parameters exit with status 2 and the same
//! message the API gives. A file written to `--output` shows its progress
//! on standard error when that is a terminal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use yekuo::app::App;
use yekuo::config::Config;
use yekuo::mail::Lang;
use yekuo::reports::overdue::OverdueReport;
use yekuo::reports::snapshots::frozen_or;
use yekuo::reports::xlsx::{Export, FileFormat, Provenance, Render};
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
    /// How departments answer coordination requests filed in a period.
    Coordination(ComplianceArgs),
    /// The accountability register (问责、约谈、通报).
    Accountability(RegisterArgs),
    /// Freezes a month's reports for every bureau and service center (or
    /// checks a closed month again: a change is stored as a restatement).
    CloseMonth {
        /// YYYY-MM; the month must have ended.
        #[arg(long)]
        month: String,
    },
}

#[derive(Args)]
pub(crate) struct RegisterArgs {
    /// The bureau or service center (code).
    #[arg(long)]
    unit: String,
    /// The first action date (YYYY-MM-DD); all by default.
    #[arg(long)]
    from: Option<String>,
    /// The last action date, inclusive; all by default.
    #[arg(long)]
    to: Option<String>,
    /// open or completed; both by default.
    #[arg(long)]
    state: Option<String>,
    /// table, json, csv or xlsx.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// The language of CSV and XLSX headers: zh-CN (default) or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

impl RegisterArgs {
    fn out(&self) -> Out<'_> {
        Out {
            format: self.format,
            output: self.output.as_deref(),
            lang: &self.lang,
        }
    }
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
    /// table, json, csv or xlsx.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// The language of CSV and XLSX headers: zh-CN (default) or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

impl ComplianceArgs {
    fn out(&self) -> Out<'_> {
        Out {
            format: self.format,
            output: self.output.as_deref(),
            lang: &self.lang,
        }
    }

    /// How the report goes out, its computing shown.
    fn started(&self) -> (Out<'_>, Progress) {
        started(self.out())
    }
}

/// `out`, and its progress with computing shown.
fn started(out: Out) -> (Out, Progress) {
    let progress = Progress::new(&out);
    progress.computing();
    (out, progress)
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

/// How a report goes out: `--format`, `--output`, `--lang`.
struct Out<'a> {
    format: Format,
    output: Option<&'a Path>,
    lang: &'a str,
}

impl Out<'_> {
    /// The file format, if a file is asked for.
    fn file(&self) -> Option<FileFormat> {
        match self.format {
            Format::Table | Format::Json => None,
            Format::Csv => Some(FileFormat::Csv),
            Format::Xlsx => Some(FileFormat::Xlsx),
        }
    }
}

/// The phases of writing a CSV or XLSX file to `--output` (computing,
/// writing N rows, done in X s), on one line of standard error rewritten
/// in place; nothing unless standard error is a terminal. The writers are
/// single calls: phases, not a bar per row. Dropped unfinished (an error),
/// it clears its line for the message.
struct Progress {
    on: bool,
    zh: bool,
    started: Instant,
    finished: std::cell::Cell<bool>,
}

impl Progress {
    /// For `out`, from now: shown for a file to `--output` in a known
    /// language (else the error comes alone).
    fn new(out: &Out) -> Progress {
        use std::io::IsTerminal;
        let lang = Lang::parse(out.lang);
        Progress {
            on: out.file().is_some()
                && out.output.is_some()
                && lang.is_ok()
                && std::io::stderr().is_terminal(),
            zh: lang != Ok(Lang::En),
            started: Instant::now(),
            finished: std::cell::Cell::new(false),
        }
    }

    /// The line, with the time so far, rewriting the last.
    fn line(&self, zh: &str, en: &str, end: &str) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        if self.zh {
            format!("\r\x1b[K{zh}（{secs:.1} 秒）{end}")
        } else {
            format!("\r\x1b[K{en} ({secs:.1} s){end}")
        }
    }

    fn show(&self, line: String) {
        use std::io::Write;
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(line.as_bytes());
            let _ = err.flush();
        }
    }

    /// The report is being computed.
    fn computing(&self) {
        self.show(self.line("正在统计报表…", "computing the report…", ""));
    }

    /// `rows` rows are being written to `file`.
    fn writing(&self, rows: usize, file: &Path) {
        let f = file.display();
        self.show(self.line(
            &format!("写入 {rows} 行到 {f}…"),
            &format!("writing {rows} rows to {f}…"),
            "",
        ));
    }

    /// `rows` rows were written to `file`.
    fn done(&self, rows: usize, file: &Path) {
        let f = file.display();
        self.show(self.line(
            &format!("已写入 {rows} 行到 {f}"),
            &format!("wrote {rows} rows to {f}"),
            "\n",
        ));
        self.finished.set(true);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.finished.get() {
            self.show("\r\x1b[K".into());
        }
    }
}

/// `r` as JSON, as CSV or XLSX by its writers, or as the text `table`
/// draws; to `--output`, or to standard output (a workbook is binary: not
/// to a terminal). `progress` shows a file's writing.
fn send<R: Export>(
    app: &App,
    r: &R,
    (out, progress): (Out, Progress),
    table: impl FnOnce(&R) -> String,
) -> anyhow::Result<ExitCode> {
    use std::io::{IsTerminal, Write};
    let lang = match Lang::parse(out.lang) {
        Ok(l) => l,
        Err(m) => return Ok(bad("lang", &m)),
    };
    let file = out.file();
    if file == Some(FileFormat::Xlsx) && out.output.is_none() && std::io::stdout().is_terminal() {
        return Ok(bad(
            "output",
            "a workbook is binary: give --output FILE (or redirect standard output)",
        ));
    }
    if out.format == Format::Json {
        // Written as it is made: a large report is not held twice.
        let sink: Box<dyn Write> = match out.output {
            Some(path) => Box::new(
                std::fs::File::create(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
            ),
            None => Box::new(std::io::stdout().lock()),
        };
        let mut w = std::io::BufWriter::new(sink);
        serde_json::to_writer_pretty(&mut w, r)?;
        w.write_all(b"\n")?;
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let bytes = match (out.format, file) {
        (_, Some(f)) => {
            let who = Provenance {
                generated_at: app.now(),
                generated_by: "cli".into(),
                zone: app.zone(),
            };
            let how = Render {
                lang,
                who: &who,
                policy: &app.policy,
            };
            if let Some(path) = out.output {
                progress.writing(r.rows(), path);
            }
            f.write(r, &how)?
        }
        _ => table(r).into_bytes(),
    };
    match out.output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            if file.is_some() {
                progress.done(r.rows(), path);
            }
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
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
        ReportCmd::Coordination(c) => return coordination(c, config).await,
        ReportCmd::Accountability(r) => return accountability(r, config).await,
        ReportCmd::CloseMonth { month } => return close_month(&month, config).await,
    };
    let app = App::start(config, None).await?;
    if let Err(m) = Lang::parse(&a.lang) {
        return Ok(bad("lang", &m));
    }
    let as_of = match parse_as_of(a.as_of.as_deref(), &app.sla()) {
        Ok(t) => t,
        Err(m) => return Ok(bad("as_of", &m)),
    };
    let scope = match scope(&app, &a.unit).await? {
        Ok(s) => s,
        Err(m) => return Ok(bad("unit", &m)),
    };
    let out = Out {
        format: a.format,
        output: a.output.as_deref(),
        lang: &a.lang,
    };
    let progress = Progress::new(&out);
    progress.computing();
    let r = yekuo::reports::overdue::report(&app, scope, as_of).await?;
    send(&app, &r, (out, progress), |r| table(r, app.zone()))
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

/// Says on stderr that a closed month was read from its snapshot.
fn snapshot_note(label: Option<String>) {
    if let Some(l) = label {
        eprintln!("yekuo: a closed month, read from its snapshot ({l})");
    }
}

async fn compliance(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::reports::compliance;
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let out = a.started();
    let compute = compliance::report(&app, scope, period);
    let (r, label) = frozen_or(&app, scope, period, "compliance", compute).await?;
    snapshot_note(label);
    send(&app, &r, out, compliance_table)
}

/// The compliance report as aligned text for a terminal.
fn compliance_table(r: &yekuo::reports::compliance::ComplianceReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "compliance (达标) of tickets closed {} to {} (calendar {})",
        r.from, r.to, r.calendar_version
    );
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>7} {:>9} {:>6} {:>8} {:>8}",
        "center", "closed", "on time", "compliant", "rate", "gross wd", "net wd"
    );
    for c in r.centers.iter().chain(std::iter::once(&r.total)) {
        let name = if c.service_center.is_empty() {
            "(all)"
        } else {
            &c.service_center
        };
        let _ = writeln!(
            out,
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
        let _ = writeln!(
            out,
            "stage {:<22} {:>4} of {:<4} within limit ({:.1}%), mean {:.1}, P90 {:.1} working days",
            s.stage,
            s.within_limit,
            s.entered,
            100.0 * s.rate,
            s.mean_working_days,
            s.p90_working_days
        );
    }
    out
}

async fn durations(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let out = a.started();
    let compute = yekuo::reports::durations::report(&app, scope, period);
    let (r, label) = frozen_or(&app, scope, period, "durations", compute).await?;
    snapshot_note(label);
    send(&app, &r, out, durations_table)
}

/// The durations report as aligned text for a terminal.
fn durations_table(r: &yekuo::reports::durations::DurationsReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "durations of tickets closed {} to {} (working days; calendar days)",
        r.from, r.to
    );
    let _ = writeln!(
        out,
        "{:<24} {:>5} {:>7} {:>7} {:>7} {:>7}   {:>7} {:>7}",
        "", "count", "mean", "median", "P90", "max", "mean", "P90"
    );
    let groups = std::iter::once(("all", &r.all))
        .chain(r.by_voltage.iter().map(|g| ("voltage", g)))
        .chain(r.by_category.iter().map(|g| ("category", g)))
        .chain(r.by_stage.iter().map(|g| ("stage", g)));
    for (kind, g) in groups {
        let (w, c) = (&g.working_days, &g.calendar_days);
        let _ = writeln!(
            out,
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
    out
}

async fn workload(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let out = a.started();
    let r = yekuo::reports::workload::report(&app, scope, period).await?;
    send(&app, &r, out, workload_table)
}

/// The workload report as aligned text for a terminal.
fn workload_table(r: &yekuo::reports::workload::WorkloadReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<10} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
        "manager", "center", "open", "owned", "customers", "overdue", "closed", "on time"
    );
    for m in &r.managers {
        let _ = writeln!(
            out,
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
        let _ = writeln!(
            out,
            "center {:<10} {} managers, {} customers: {:.1} per manager (target {}){}",
            c.service_center,
            c.managers,
            c.customers,
            c.customers_per_manager,
            c.target_customers_per_manager,
            if c.over_target { " OVER" } else { "" }
        );
    }
    out
}

async fn coordination(a: ComplianceArgs, config: Config) -> anyhow::Result<ExitCode> {
    let (app, scope, period) = match period_and_scope(&a, config).await? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let out = a.started();
    let r = yekuo::reports::coordination::report(&app, scope, period).await?;
    send(&app, &r, out, coordination_table)
}

/// The coordination report as aligned text for a terminal.
fn coordination_table(r: &yekuo::reports::coordination::CoordinationReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "coordination requests filed {} to {}", r.from, r.to);
    let _ = writeln!(
        out,
        "{:<12} {:>8} {:>8} {:>7} {:>6} {:>9} {:>5} {:>7} {:>7}",
        "department",
        "received",
        "answered",
        "in time",
        "rate",
        "median h",
        "open",
        "overdue",
        "meeting"
    );
    for d in r.rows.iter().chain(std::iter::once(&r.total)) {
        let _ = writeln!(
            out,
            "{:<12} {:>8} {:>8} {:>7} {:>5.1}% {:>9} {:>5} {:>7} {:>7}",
            if d.department.is_empty() {
                "(all)"
            } else {
                &d.department
            },
            d.received,
            d.answered,
            d.answered_in_time,
            100.0 * d.in_time_rate,
            d.median_answer_working_hours
                .map_or("-".into(), |h| format!("{h:.1}")),
            d.open_now,
            d.overdue_now,
            d.decided_at_meeting
        );
    }
    out
}

async fn accountability(a: RegisterArgs, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::reports::accountability::{EntryState, Filter, report};
    let app = App::start(config, None).await?;
    let mut filter = Filter::default();
    for (name, raw, slot) in [
        ("from", &a.from, &mut filter.from),
        ("to", &a.to, &mut filter.to),
    ] {
        if let Some(v) = raw {
            match yekuo::validate::date(v) {
                Ok(d) => *slot = Some(d),
                Err(m) => return Ok(bad(name, &m)),
            }
        }
    }
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && f > t
    {
        return Ok(bad("from", &format!("{f} is after `to` ({t})")));
    }
    if let Some(s) = &a.state {
        match EntryState::parse(s) {
            Ok(s) => filter.state = Some(s),
            Err(m) => return Ok(bad("state", &m)),
        }
    }
    let scope = match scope(&app, &a.unit).await? {
        Ok(s) => s,
        Err(m) => return Ok(bad("unit", &m)),
    };
    let out = started(a.out());
    let r = report(&app, scope, filter).await?;
    send(&app, &r, out, accountability_table)
}

/// The register as aligned text for a terminal.
fn accountability_table(r: &yekuo::reports::accountability::AccountabilityReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:<20} {:<14} {:<10} {:<24} {:<9}",
        "date", "ticket", "kind", "center", "persons", "state"
    );
    for e in &r.rows {
        let persons: Vec<&str> = e.persons.iter().map(|p| p.username.as_str()).collect();
        let _ = writeln!(
            out,
            "{:<10} {:<20} {:<14} {:<10} {:<24} {:<9}",
            e.date,
            e.ticket_no,
            e.kind.as_str(),
            e.service_center,
            persons.join(","),
            e.state.as_str()
        );
    }
    for k in &r.totals {
        let _ = writeln!(
            out,
            "{:<14} {} open, {} completed",
            k.kind, k.open, k.completed
        );
    }
    out
}

async fn close_month(month: &str, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::reports::snapshots::{Month, close_month};
    let month = match Month::parse(month) {
        Ok(m) => m,
        Err(m) => return Ok(bad("month", &m)),
    };
    let app = App::start(config, None).await?;
    match close_month(&app, month).await {
        Ok(done) => {
            for (unit, outcome) in done {
                println!(
                    "{month} {unit:<12} {}",
                    serde_json::to_value(&outcome)?.as_str().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(yekuo::error::ServiceError::Invalid(errors)) => Ok(bad(
            "month",
            &errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
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
