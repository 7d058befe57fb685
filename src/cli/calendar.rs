//! `yekuo calendar`: working-day arithmetic, and recomputing open tickets
//! after a calendar change.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use yekuo::app::App;
use yekuo::calendar::CalendarError;
use yekuo::config::Config;
use yekuo::tickets::{self};

#[derive(Subcommand)]
pub(crate) enum CalendarCmd {
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

pub(super) fn calendar(cmd: CalendarCmd, config: &Config) -> anyhow::Result<ExitCode> {
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

pub(super) async fn recompute(config: Config, dry_run: bool) -> anyhow::Result<ExitCode> {
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
