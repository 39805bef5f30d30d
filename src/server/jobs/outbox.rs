//! The outbox worker: sends the emails that transactions queued in `outbox_emails`.
//!
//! A row is claimed with a conditional update (unsent, unclaimed or its claim expired, due),
//! so of several workers (instances) exactly one sends it. Success records `sent_at`; failure
//! records the error and schedules the next attempt with exponential backoff. Rows survive
//! restarts: a worker that dies mid-send leaves a claim that expires, and the row is sent
//! again (delivery is at least once; once in the normal case).

use crate::error::ShopError;
use crate::server::entities::outbox_email;
use crate::server::mail::{self, Mailer};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// After this many failed attempts a row is left for an operator (and logged as an error).
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claim holds; longer than any send may take (SMTP times out at 20 s).
const CLAIM: chrono::Duration = chrono::Duration::minutes(5);
/// Rows per run.
const BATCH: u64 = 20;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
}

/// The wait before attempt `attempt + 1` after `attempt` failed: 30 s, 1 min, 2 min, … 1 h.
pub fn backoff(attempt: i32) -> chrono::Duration {
    let doublings = attempt.clamp(1, 8) - 1;
    (chrono::Duration::seconds(30) * 2i32.pow(doublings as u32)).min(chrono::Duration::hours(1))
}

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(outbox_email::Column::SentAt.is_null())
        .add(outbox_email::Column::NextAttemptAt.lte(now))
        .add(outbox_email::Column::Attempts.lt(MAX_ATTEMPTS))
        .add(
            Condition::any()
                .add(outbox_email::Column::ClaimedUntil.is_null())
                .add(outbox_email::Column::ClaimedUntil.lt(now)),
        )
}

/// Sends every email due at `now` (up to a batch) through `mailer`.
pub async fn deliver_due(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, ShopError> {
    let due = outbox_email::Entity::find()
        .filter(claimable(now))
        .order_by_asc(outbox_email::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut report = DeliveryReport::default();
    for row in due {
        let claimed = outbox_email::Entity::update_many()
            .col_expr(outbox_email::Column::ClaimedUntil, Expr::value(now + CLAIM))
            .col_expr(
                outbox_email::Column::Attempts,
                Expr::col(outbox_email::Column::Attempts).add(1),
            )
            .filter(outbox_email::Column::Id.eq(row.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue; // another worker has it
        }
        let attempt = row.attempts + 1;
        match mailer.send(&row).await {
            Ok(()) => {
                // A reset link works once it is sent: the queue keeps no copy of it.
                let body = if row.kind == mail::PASSWORD_RESET {
                    String::new()
                } else {
                    row.body.clone()
                };
                outbox_email::Entity::update_many()
                    .col_expr(outbox_email::Column::SentAt, Expr::value(Utc::now()))
                    .col_expr(outbox_email::Column::Body, Expr::value(body))
                    .col_expr(
                        outbox_email::Column::ClaimedUntil,
                        Expr::value(None::<DateTime<Utc>>),
                    )
                    .col_expr(outbox_email::Column::LastError, Expr::value(None::<String>))
                    .filter(outbox_email::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
                report.sent += 1;
            }
            Err(error) => {
                // Logged by id: the row holds the address, the log does not.
                if attempt >= MAX_ATTEMPTS {
                    tracing::error!(outbox = row.id, attempt, %error, "email not delivered; giving up");
                } else {
                    tracing::warn!(outbox = row.id, attempt, %error, "email not delivered; will retry");
                }
                let error: String = error.chars().take(500).collect();
                outbox_email::Entity::update_many()
                    .col_expr(
                        outbox_email::Column::NextAttemptAt,
                        Expr::value(now + backoff(attempt)),
                    )
                    .col_expr(
                        outbox_email::Column::ClaimedUntil,
                        Expr::value(None::<DateTime<Utc>>),
                    )
                    .col_expr(outbox_email::Column::LastError, Expr::value(error))
                    .filter(outbox_email::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(5), chrono::Duration::seconds(480));
        assert_eq!(backoff(8), chrono::Duration::hours(1));
        assert_eq!(backoff(50), chrono::Duration::hours(1));
    }
}
