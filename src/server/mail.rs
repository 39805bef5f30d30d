//! Email: what the shop writes (rendered when the outbox row is written) and how it leaves
//! (`lettre` over SMTP when `SHOP_SMTP_URL` is set, else `.eml` files in `SHOP_MAIL_DIR`).
//! The outbox worker in `jobs/outbox.rs` decides when.

use crate::model::format_money;
use crate::model::order::{country_name, Order, PaymentMethod};
use crate::server::config::Config;
use crate::server::entities::outbox_email;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// `outbox_emails.kind` of an order confirmation.
pub const ORDER_CONFIRMATION: &str = "order_confirmation";

/// `outbox_emails.kind` of a "forgot password" link (its body is blanked once sent).
pub const PASSWORD_RESET: &str = "password_reset";

pub struct OutgoingEmail {
    pub subject: String,
    pub body: String,
}

impl OutgoingEmail {
    /// The outbox row that sends this email (insert it in the transaction of the change).
    pub fn outbox_row(
        self,
        kind: &str,
        recipient: &str,
        order_id: Option<i32>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> outbox_email::ActiveModel {
        use sea_orm::ActiveValue::Set;
        outbox_email::ActiveModel {
            order_id: Set(order_id),
            kind: Set(kind.to_owned()),
            recipient: Set(recipient.to_owned()),
            subject: Set(self.subject),
            body: Set(self.body),
            attempts: Set(0),
            next_attempt_at: Set(at),
            claimed_until: Set(None),
            sent_at: Set(None),
            last_error: Set(None),
            created_at: Set(at),
            ..Default::default()
        }
    }
}

/// `outbox_emails.kind` of a shipping notice.
pub const ORDER_SHIPPED: &str = "order_shipped";

/// The email telling a customer their order is on its way.
pub fn order_shipped(order: &Order, tracking_number: &str, shop_url: &str) -> OutgoingEmail {
    OutgoingEmail {
        subject: format!("Your Harbor & Pine order {} is on its way", order.number),
        body: format!(
            "Good news, {}: your order {} has shipped.\n\nTracking number: {tracking_number}\n\n\
             Your order, any time:\n{shop_url}/orders/{}\n\nHarbor & Pine\n",
            order.shipping_address.name, order.number, order.token
        ),
    }
}

/// `outbox_emails.kind` of a back-in-stock email.
pub const BACK_IN_STOCK: &str = "back_in_stock";

/// The one email a back-in-stock request gets.
pub fn back_in_stock(
    product_name: &str,
    product_url: &str,
    unsubscribe_url: &str,
) -> OutgoingEmail {
    OutgoingEmail {
        subject: format!("{product_name} is back in stock at Harbor & Pine"),
        body: format!(
            "Good news: {product_name} is back in stock.\n\n{product_url}\n\n\
             You asked us to tell you, so this is the one email about it: your request has ended.\n\n\
             To cancel every other back-in-stock request for this address:\n{unsubscribe_url}\n\n\
             Harbor & Pine\n"
        ),
    }
}

/// The "forgot password" email: a single-use link valid for `valid_minutes`.
pub fn password_reset(link: &str, valid_minutes: i64) -> OutgoingEmail {
    OutgoingEmail {
        subject: "Reset your Harbor & Pine password".into(),
        body: format!(
            "Someone (we hope you) asked to reset the password of your Harbor & Pine account.\n\n\
             Choose a new password here (the link works once, for {valid_minutes} minutes):\n{link}\n\n\
             If it was not you, ignore this email: your password stays as it is.\n\nHarbor & Pine\n"
        ),
    }
}

/// The confirmation a shopper gets once an order is paid or placed (plain text).
pub fn order_confirmation(order: &Order, shop_url: &str) -> OutgoingEmail {
    let mut body = format!(
        "Thank you for your order, {}.\n\nOrder {} ({})\n\n",
        order.shipping_address.name,
        order.number,
        order.status.label()
    );
    for line in &order.lines {
        body.push_str(&format!(
            "{} x {}  {}\n",
            line.quantity,
            line.name,
            format_money(line.total_price)
        ));
    }
    body.push_str(&format!(
        "\nSubtotal  {}\nShipping ({})  {}\nTotal  {}\n\n",
        format_money(order.subtotal),
        order.shipping_method.label(),
        format_money(order.shipping_price),
        format_money(order.total)
    ));
    let a = &order.shipping_address;
    body.push_str("Shipping to:\n");
    for part in [&a.name, &a.line1, &a.line2] {
        if !part.is_empty() {
            body.push_str(&format!("{part}\n"));
        }
    }
    body.push_str(&format!(
        "{} {}\n{}\n\n",
        a.postal_code,
        a.city,
        country_name(&a.country).unwrap_or(&a.country)
    ));
    let payment = match (order.payment.method, &order.payment.last4) {
        (PaymentMethod::Card, Some(last4)) => format!(
            "{} ending in {last4}",
            order.payment.brand.as_deref().unwrap_or("Card")
        ),
        (method, _) => method.label().to_owned(),
    };
    body.push_str(&format!(
        "Payment: {payment}\n\nYour order, any time:\n{shop_url}/orders/{}\n\nHarbor & Pine\n",
        order.token
    ));
    OutgoingEmail {
        subject: format!("Your Harbor & Pine order {}", order.number),
        body,
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Sends outbox rows, one way or the other, chosen once at start-up.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    /// SMTP when `SHOP_SMTP_URL` is set (`smtp://host:port`, `smtp://…?tls=required`,
    /// `smtps://user:pass@host`), else files under `SHOP_MAIL_DIR`.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        match &config.smtp_url {
            Some(url) => Self::smtp(url, &config.mail_from),
            None => Self::files(PathBuf::from(&config.mail_dir), &config.mail_from),
        }
    }

    pub fn smtp(url: &str, from: &str) -> Result<Self, String> {
        // The URL may hold a password: the message never repeats it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SHOP_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self {
            from: parse_from(from)?,
            transport: Transport::Smtp(transport),
        })
    }

    pub fn files(dir: PathBuf, from: &str) -> Result<Self, String> {
        Ok(Self {
            from: parse_from(from)?,
            transport: Transport::Files(dir),
        })
    }

    /// Sends one outbox row. The Message-ID is the row's, so a mail server or reader can
    /// drop the rare duplicate (a worker that died after sending, before recording it).
    pub async fn send(&self, email: &outbox_email::Model) -> Result<(), String> {
        let to: Mailbox = email
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<outbox-{}@{domain}>", email.id)))
            .date(std::time::SystemTime::from(email.created_at))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                // Written aside and renamed: a reader never sees half a file, and a retry
                // of the same row replaces its file instead of adding a second one.
                let path = dir.join(format!("{}-{}.eml", email.kind, email.id));
                let partial = path.with_extension("eml.partial");
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }
}

fn parse_from(from: &str) -> Result<Mailbox, String> {
    from.parse().map_err(|_| {
        format!("SHOP_MAIL_FROM {from:?} is not an address like Shop <orders@example.com>")
    })
}
