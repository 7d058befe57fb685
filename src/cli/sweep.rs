//! `yekuo sweep`: the escalations due now (or at an instant).

use std::process::ExitCode;

use chrono::DateTime;

use yekuo::app::App;
use yekuo::config::Config;

use super::fixed;

pub(super) async fn sweep(
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
