//! `yekuo mail`: the outbox: list, retry, deliver now.

use std::process::ExitCode;

use clap::Subcommand;

use yekuo::app::App;
use yekuo::config::Config;

#[derive(Subcommand)]
pub(crate) enum MailCmd {
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

pub(super) async fn mail_cmd(cmd: MailCmd, config: Config) -> anyhow::Result<ExitCode> {
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
