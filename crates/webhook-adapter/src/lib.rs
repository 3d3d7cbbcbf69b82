//! Budget alerts delivered over HTTP: [`HttpWebhookSender`] implements the
//! `WebhookSender` port with reqwest — one POST per attempt, bounded by a timeout, no
//! redirects followed (a receiver that redirects is misconfigured, and following one
//! could lead a tenant's request somewhere it was not allowed to point).
//!
//! - [`payload`]: what is sent — a JSON document with the alert's figures, or for a Slack
//!   incoming webhook a `text` Slack shows.

mod payload;
mod sender;

pub use sender::{HttpWebhookSender, SenderError};
