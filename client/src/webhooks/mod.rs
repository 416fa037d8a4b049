//! Receiving what Hypersender posts to an instance's `webhook_url`
//! (feature `webhooks`; the axum handler needs feature `axum`).
//!
//! The life of one delivery, in order:
//!
//! 1. [`Verifier::verify`] checks the `Authorization` header against the
//!    secret you configured, in constant time, before the body is read as
//!    anything (a request without a secret is refused unless you opted in
//!    with [`Verifier::accept_unauthenticated`]).
//! 2. [`WebhookEvent::parse`] reads the envelope (event id and name,
//!    instance and user ids, `me`, `metadata`, the raw JSON), then types the
//!    payload of the eight documented events; any other name is kept as
//!    [`Payload::Unknown`], never an error, and a payload that does not
//!    match its type is [`Payload::Malformed`] with the JSON path that
//!    failed.
//! 3. A [`SeenEvents`] store (by default the bounded [`MemorySeen`]) tells
//!    a first delivery from a repeat, by event id.
//! 4. With feature `axum`, `receiver` does all three per request and
//!    hands each first delivery to your code through a bounded channel.
//!
//! # What is known and what is not
//!
//! No docs page describes these webhooks. The event names and payload
//! shapes come from the vendor's Laravel SDK's eight recorded examples
//! ([`recorded`]), which are not uniform: `data.event` may be missing,
//! `metadata` is `[]`, `[{}]` or `{}`, the instance id may sit beside
//! `data`, ids are UUIDs or other strings. The parser accepts all of that.
//! Status updates, which the docs promise, have no documented shape: the
//! shape of WAHA (the open-source server the service appears to run on),
//! `session.status` with `{"status": "WORKING"}`, is recognised as
//! [`Payload::SessionStatus`] and marked *inferred*; turn that off with
//! [`ParseOptions::infer_session_status`]. How the secret is set on
//! Hypersender's side is not documented either (the API has no field for
//! it): the SDK compares the whole `Authorization` header with it, and so
//! does this module.

mod event;
pub mod recorded;
mod seen;
pub mod testing;
mod verify;

#[cfg(feature = "axum")]
pub mod receiver;

pub use event::{
    DOCUMENTED_EVENTS, Envelope, INFERRED_SESSION_STATUS, Me, Message, MessageRef, ParseError,
    ParseOptions, Payload, PayloadError, PollVote, Presence, PresenceUpdate, Reaction,
    ReactionContent, Revoked, SessionStatus, Vote, WebhookEvent,
};
pub use seen::{MemorySeen, SeenEvents};
pub use verify::{Verifier, VerifyError, WebhookSecret};
/// The request types the verifier and the test helpers use.
pub use {bytes, http};
