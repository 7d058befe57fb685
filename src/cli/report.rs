//! `yekuo report`: reports on the terminal, or as JSON, CSV or XLSX for
//! files and Excel (the report's writers, `reports::xlsx::Export`). The
//! operator names the unit; bad parameters exit with status 2 and the same
//! message the API gives. A file written to `--output` shows its progress
//! on standard error when that is a terminal.

mod tables;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use yekuo::app::App;
use yekuo::config::Config;
use yekuo::mail::Lang;
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

/// A report over a closing period: its parameters read (a bad one exits
/// with status 2), the report computed by `$compute` with `$app`, `$scope`
/// and `$period` bound, and sent as the format asks (`$table` on a
/// terminal).
macro_rules! period_report {
    ($a:expr, $config:expr, |$app:ident, $scope:ident, $period:ident| $compute:block, $table:expr) => {{
        let ($app, $scope, $period) = match period_and_scope(&$a, $config).await? {
            Ok(x) => x,
            Err(code) => return Ok(code),
        };
        let out = $a.started();
        let r = $compute;
        send(&$app, &r, out, $table)
    }};
}

pub(super) async fn report(cmd: ReportCmd, config: Config) -> anyhow::Result<ExitCode> {
    let a = match cmd {
        ReportCmd::Overdue(a) => a,
        ReportCmd::Compliance(a) => {
            return period_report!(
                a,
                config,
                |app, scope, period| {
                    let compute = yekuo::reports::compliance::report(&app, scope, period);
                    let (r, label) = frozen_or(&app, scope, period, "compliance", compute).await?;
                    snapshot_note(label);
                    r
                },
                tables::compliance
            );
        }
        ReportCmd::Durations(a) => {
            return period_report!(
                a,
                config,
                |app, scope, period| {
                    let compute = yekuo::reports::durations::report(&app, scope, period);
                    let (r, label) = frozen_or(&app, scope, period, "durations", compute).await?;
                    snapshot_note(label);
                    r
                },
                tables::durations
            );
        }
        ReportCmd::Workload(a) => {
            return period_report!(
                a,
                config,
                |app, scope, period| {
                    yekuo::reports::workload::report(&app, scope, period).await?
                },
                tables::workload
            );
        }
        ReportCmd::Coordination(a) => {
            return period_report!(
                a,
                config,
                |app, scope, period| {
                    yekuo::reports::coordination::report(&app, scope, period).await?
                },
                tables::coordination
            );
        }
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
    send(&app, &r, (out, progress), |r| {
        tables::overdue(r, app.zone())
    })
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
    send(&app, &r, out, tables::accountability)
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
