//! The delivery worker: claim due rows, send, mark. A claim is a lease
//! (`mail.claim_seconds`): rows of a worker that dies stay `sending` until
//! the lease ends, then any worker claims them again and sends them with
//! the same Message-ID. Nothing is deleted; failures stay visible.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use super::entity::outbox::{self, Column};
use super::transport::build_message;
use super::{EmailAddress, MailError, OutboxState, SendError, Transport, mask_email};
use crate::app::App;
use crate::config::MailConfig;

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub claimed: usize,
    pub sent: usize,
    /// Failed for now; pending again with a later `next_attempt_at`.
    pub retrying: usize,
    pub failed: usize,
    /// Handed back unsent because the claim was about to run out.
    pub released: usize,
}

impl DeliveryReport {
    fn add(&mut self, o: DeliveryReport) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retrying += o.retrying;
        self.failed += o.failed;
        self.released += o.released;
    }
}

/// A name for this worker, unique per process start (`{pid}-{random}`).
pub fn worker_id() -> String {
    let mut buf = [0u8; 4];
    let _ = getrandom::fill(&mut buf);
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", std::process::id())
}

/// The delay before attempt `attempts + 1`, after `attempts` failed ones:
/// `retry_base_seconds × 2^(attempts−1)`, at most `retry_max_seconds`,
/// minus up to a quarter, spread by row so that rows which failed together
/// do not all come back together. Always longer than the previous delay
/// until the cap.
pub fn backoff(cfg: &MailConfig, attempts: u32, row_id: i64) -> Duration {
    let exp = attempts.saturating_sub(1).min(40);
    let full = cfg
        .retry_base_seconds
        .saturating_mul(1u64 << exp)
        .min(cfg.retry_max_seconds);
    let full_ms = i64::try_from(full.saturating_mul(1000)).unwrap_or(i64::MAX / 2);
    let spread = (mix(row_id as u64 ^ (u64::from(attempts) << 48)) % 1001) as i64;
    Duration::milliseconds(full_ms - full_ms / 4 * spread / 1000)
}

/// splitmix64: a cheap, well-spread hash.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Claims up to `batch` due rows for `worker_id`: pending rows whose
/// `next_attempt_at` has come, and sending rows whose claim ran out. Each
/// claim counts as an attempt. PostgreSQL skips rows another worker is
/// claiming at the same moment (`FOR UPDATE SKIP LOCKED`); SQLite runs one
/// writing statement at a time.
pub async fn claim_due(
    app: &App,
    worker_id: &str,
    batch: u64,
) -> Result<Vec<outbox::Model>, MailError> {
    let now = app.now();
    let until = now + Duration::seconds(lease_seconds(&app.config.raw.mail));
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, \
             claimed_by = $1, claimed_until = $2, next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM mail_outbox \
               WHERE state IN ('pending', 'sending') AND next_attempt_at <= $3 \
               ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        }
        _ => {
            "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, \
             claimed_by = ?, claimed_until = ?, next_attempt_at = ? \
             WHERE id IN (SELECT id FROM mail_outbox \
               WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? \
               ORDER BY next_attempt_at, id LIMIT ?) \
             RETURNING *"
        }
    };
    let batch = i64::try_from(batch).unwrap_or(i64::MAX);
    let values: Vec<sea_orm::Value> = match backend {
        DbBackend::Postgres => vec![worker_id.into(), until.into(), now.into(), batch.into()],
        _ => vec![
            worker_id.into(),
            until.into(),
            until.into(),
            now.into(),
            batch.into(),
        ],
    };
    let mut rows = outbox::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(&app.writer)
        .await?;
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

fn lease_seconds(cfg: &MailConfig) -> i64 {
    i64::try_from(cfg.claim_seconds).unwrap_or(i64::MAX / 4)
}

/// One round: claims up to `batch` due rows, sends each through
/// `transport`, and records the outcome on the row.
#[tracing::instrument(skip_all, fields(worker = worker_id))]
pub async fn deliver_due(
    app: &App,
    transport: &Transport,
    worker_id: &str,
    batch: u64,
) -> Result<DeliveryReport, MailError> {
    let cfg = &app.config.raw.mail;
    let from = EmailAddress::parse(&cfg.from)?;
    let rows = claim_due(app, worker_id, batch).await?;
    let mut report = DeliveryReport {
        claimed: rows.len(),
        ..Default::default()
    };
    let margin = Duration::seconds(i64::try_from(cfg.smtp_timeout_seconds).unwrap_or(60));
    // Once the server cannot be reached, the rest of the batch waits too.
    let mut unreachable: Option<SendError> = None;
    for row in rows {
        if u32::try_from(row.attempts).unwrap_or(u32::MAX) > cfg.max_attempts {
            let e = SendError::permanent(format!(
                "claimed {} times without an outcome (a worker stopped mid-send?); \
                 it may have been sent: check before retrying",
                row.attempts - 1
            ));
            record_failure(app, worker_id, &row, &e, &mut report).await?;
            continue;
        }
        if row
            .claimed_until
            .is_some_and(|until| app.now() + margin >= until)
        {
            release(app, worker_id, &row).await?;
            report.released += 1;
            continue;
        }
        let outcome = match &unreachable {
            Some(e) => Err(e.clone()),
            None => match build_message(&row, &from) {
                Ok(message) => transport.send(row.id, &message).await,
                Err(e) => Err(e),
            },
        };
        match outcome {
            Ok(()) => {
                mark_sent(app, row.id, app.now()).await?;
                report.sent += 1;
                tracing::info!(outbox_id = row.id, to = %masked(&row.recipients), "mail sent");
            }
            Err(e) => {
                let kind = if e.unreachable {
                    "unreachable"
                } else if e.permanent {
                    "rejected"
                } else {
                    "temporary"
                };
                app.metrics.record(|| {
                    metrics::counter!("yekuo_mail_errors_total", "kind" => kind).increment(1);
                });
                if e.unreachable {
                    unreachable = Some(e.clone());
                }
                record_failure(app, worker_id, &row, &e, &mut report).await?;
            }
        }
    }
    app.metrics.record(|| {
        metrics::counter!("yekuo_mail_sent_total").increment(report.sent as u64);
        metrics::counter!("yekuo_mail_failed_total").increment(report.failed as u64);
        metrics::counter!("yekuo_mail_retrying_total").increment(report.retrying as u64);
    });
    Ok(report)
}

/// Runs rounds until nothing is due at the clock's current instant; what
/// tests and `yekuo mail deliver`-style one-shot runs call.
pub async fn drain(
    app: &App,
    transport: &Transport,
    worker_id: &str,
) -> Result<DeliveryReport, MailError> {
    let batch = app.config.raw.mail.batch_size;
    let mut total = DeliveryReport::default();
    loop {
        let round = deliver_due(app, transport, worker_id, batch).await?;
        total.add(round);
        if round.claimed == 0 {
            return Ok(total);
        }
    }
}

/// Marks a claimed row sent. Any worker's send counts: a row claimed again
/// after its lease ran out may be marked by either worker.
async fn mark_sent(app: &App, id: i64, now: DateTime<Utc>) -> Result<(), MailError> {
    outbox::Entity::update_many()
        .col_expr(Column::State, Expr::value(OutboxState::Sent.as_str()))
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(
            Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::State.eq(OutboxState::Sending.as_str()))
        .exec(&app.writer)
        .await?;
    Ok(())
}

/// Records a failed attempt: `failed` when permanent or out of attempts,
/// else `pending` again after [`backoff`]. Only the row's current claimer
/// records a failure (a slow worker must not undo another's claim).
async fn record_failure(
    app: &App,
    worker_id: &str,
    row: &outbox::Model,
    e: &SendError,
    report: &mut DeliveryReport,
) -> Result<(), MailError> {
    let cfg = &app.config.raw.mail;
    let now = app.now();
    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
    let error: String = e.message.chars().take(2000).collect();
    let give_up = e.permanent || attempts >= cfg.max_attempts;
    let mut update = outbox::Entity::update_many()
        .col_expr(
            Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(row.id))
        .filter(Column::State.eq(OutboxState::Sending.as_str()))
        .filter(Column::ClaimedBy.eq(worker_id));
    if give_up {
        let why = if e.permanent {
            error
        } else {
            format!("gave up after {attempts} attempts: {error}")
        };
        update = update
            .col_expr(Column::State, Expr::value(OutboxState::Failed.as_str()))
            .col_expr(Column::LastError, Expr::value(why));
        report.failed += 1;
        tracing::warn!(outbox_id = row.id, to = %masked(&row.recipients), error = %e, "mail failed");
    } else {
        let next = now + backoff(cfg, attempts, row.id);
        update = update
            .col_expr(Column::State, Expr::value(OutboxState::Pending.as_str()))
            .col_expr(Column::NextAttemptAt, Expr::value(next))
            .col_expr(Column::ClaimedBy, Expr::value(Option::<String>::None))
            .col_expr(Column::LastError, Expr::value(error));
        report.retrying += 1;
        tracing::info!(outbox_id = row.id, attempts, next = %next, error = %e, "mail will be retried");
    }
    update.exec(&app.writer).await?;
    Ok(())
}

/// Hands a claimed row back unsent, due now, its attempt not counted.
async fn release(app: &App, worker_id: &str, row: &outbox::Model) -> Result<(), MailError> {
    use sea_orm::sea_query::ExprTrait;
    outbox::Entity::update_many()
        .col_expr(Column::State, Expr::value(OutboxState::Pending.as_str()))
        .col_expr(Column::NextAttemptAt, Expr::value(app.now()))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).sub(1))
        .col_expr(
            Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::ClaimedBy, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(row.id))
        .filter(Column::State.eq(OutboxState::Sending.as_str()))
        .filter(Column::ClaimedBy.eq(worker_id))
        .exec(&app.writer)
        .await?;
    Ok(())
}

fn masked(list: &str) -> String {
    EmailAddress::parse_list(list)
        .map(|l| {
            l.iter()
                .map(|a| mask_email(&a.email()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|_| "***".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MailConfig {
        crate::config::Config::from_toml_overrides("")
            .unwrap()
            .raw
            .mail
    }

    #[test]
    fn backoff_grows_until_the_cap_and_never_passes_it() {
        let c = cfg();
        for row in [1_i64, 2, 17, 4242, 99_999] {
            let mut prev = Duration::zero();
            for attempt in 1..=12 {
                let d = backoff(&c, attempt, row);
                let full = Duration::seconds((30_i64 << (attempt - 1)).min(3600));
                assert!(
                    d <= full && d >= full * 3 / 4,
                    "row {row} attempt {attempt}: {d}"
                );
                if full < Duration::seconds(3600) {
                    assert!(d > prev, "row {row} attempt {attempt}: {d} after {prev}");
                }
                prev = d;
            }
        }
    }

    #[test]
    fn backoff_spreads_rows() {
        let c = cfg();
        let delays: std::collections::BTreeSet<_> =
            (1..=50).map(|row| backoff(&c, 3, row)).collect();
        assert!(delays.len() > 40, "{} distinct delays", delays.len());
    }

    #[test]
    fn worker_ids_differ() {
        assert_ne!(worker_id(), worker_id());
    }
}
