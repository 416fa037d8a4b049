//! What one delivery says: the envelope every event shares, and the
//! payload typed by event name.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::generated::types::InstanceStatus;

/// The eight event names the vendor's SDK documents (its
/// `WhatsappWebhookEventEnum`), each with a recorded example in
/// [`recorded`](super::recorded).
pub const DOCUMENTED_EVENTS: [&str; 8] = [
    "presence.update",
    "message.any",
    "message.reaction",
    "message.ack",
    "message.waiting",
    "message.revoked",
    "poll.vote",
    "poll.vote.failed",
];

/// The status-update event name of WAHA, which the service appears to run
/// on. **Inferred**: Hypersender documents no name for status updates.
pub const INFERRED_SESSION_STATUS: &str = "session.status";

/// How [`WebhookEvent::parse_with`] reads what the docs leave open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Type `session.status` events as [`Payload::SessionStatus`] (WAHA's
    /// shape, **inferred**). Off, they are [`Payload::Unknown`] like any
    /// other undocumented name. On by default.
    pub infer_session_status: bool,
}

impl ParseOptions {
    /// Sets [`infer_session_status`](Self::infer_session_status).
    pub fn infer_session_status(mut self, yes: bool) -> Self {
        self.infer_session_status = yes;
        self
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            infer_session_status: true,
        }
    }
}

/// One delivery: its envelope and its payload.
///
/// The envelope is read when the event is parsed; the payload is typed by
/// the event's name when [`payload`](Self::payload) is first asked for (a
/// receiver answers, deduplicates and hands over on the envelope alone, so
/// an event the application never looks into costs no typed read). The
/// typed payloads hold the fields the recorded examples show; every field,
/// typed or not (one the vendor adds tomorrow), stays readable in
/// [`payload_json`](Self::payload_json) and the verbatim
/// [`Envelope::raw`].
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// What every event has, whatever its name.
    pub envelope: Envelope,
    /// Where `data.payload` is in `envelope.raw`.
    payload_range: Option<std::ops::Range<usize>>,
    /// How the payload is to be typed.
    options: ParseOptions,
    /// The payload, once typed (boxed: an event moves through a channel,
    /// and most of its size would be the largest payload's).
    payload: OnceLock<Box<Payload>>,
}

/// The fields every delivery shares, readable whatever the event and
/// whether or not its payload could be typed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Envelope {
    /// The event name (the top-level `event`; `data.event` when that is
    /// missing).
    pub event: String,
    /// The event id (`data.id`, `evt_...`): what deduplication keys on.
    pub id: Option<String>,
    /// The instance the event is about (`data.instanceId`, or beside
    /// `data`, as one recorded example has it).
    pub instance_id: Option<String>,
    /// The Hypersender user (`data.userId`, or beside `data`).
    pub user_id: Option<String>,
    /// The WhatsApp account of the instance (`data.me`).
    pub me: Option<Me>,
    /// `data.metadata` as sent: `[]`, `[{}]` and `{}` are all seen.
    pub metadata: Value,
    /// The whole body, verbatim.
    pub raw: String,
}

/// The instance's own WhatsApp account (`data.me`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Me {
    /// `201553730661@c.us`.
    pub id: Option<String>,
    /// The profile name.
    pub push_name: Option<String>,
    /// The linked-device id (`...@lid`); in some examples only.
    pub lid: Option<String>,
}

/// The payload of an event, typed by the event's name.
#[derive(Debug, Clone)]
#[non_exhaustive]
// One per event, typed when first asked for and boxed by the event as a
// whole, so boxing each variant as well would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Payload {
    /// `presence.update`: someone is typing, online, ...
    PresenceUpdate(PresenceUpdate),
    /// `message.any`: a message sent or received.
    MessageAny(Message),
    /// `message.reaction`.
    MessageReaction(Reaction),
    /// `message.ack`: a message's delivery state changed.
    MessageAck(Message),
    /// `message.waiting`.
    MessageWaiting(Message),
    /// `message.revoked`: a message was deleted for everyone.
    MessageRevoked(Revoked),
    /// `poll.vote`.
    PollVote(PollVote),
    /// `poll.vote.failed`.
    PollVoteFailed(PollVote),
    /// `session.status`: the instance's status changed. **Inferred** from
    /// WAHA (see [`ParseOptions::infer_session_status`]).
    SessionStatus(SessionStatus),
    /// Any other event name: its payload as sent (`None` when there is
    /// none). Never an error: the service may send events no one documented.
    Unknown(Option<Value>),
    /// The payload does not have its event's documented shape; the
    /// envelope and the raw body are still there.
    Malformed(PayloadError),
}

/// A message, as the `message.*` events carry it (WAHA's fields; any
/// other is in [`WebhookEvent::payload_json`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// The message id (`true_201063178738@c.us_ABCD...`).
    pub id: Option<String>,
    /// Unix seconds.
    pub timestamp: Option<i64>,
    /// The sender's chat id.
    pub from: Option<String>,
    /// The recipient's chat id.
    pub to: Option<String>,
    /// In a group, who sent it.
    pub participant: Option<String>,
    /// Sent by the instance itself.
    pub from_me: Option<bool>,
    /// Where it was sent from (`app`, `api`).
    pub source: Option<String>,
    /// The text.
    pub body: Option<String>,
    /// Whether it has media.
    pub has_media: Option<bool>,
    /// The media, as sent.
    pub media: Option<Value>,
    /// The delivery state as a number (`ack`) ...
    pub ack: Option<i64>,
    /// ... and as a name (`SERVER`, `DEVICE`, `PENDING`).
    pub ack_name: Option<String>,
    /// The message this one replies to, as sent.
    pub reply_to: Option<Value>,
    /// The engine's own record (`_data`), as sent.
    #[serde(rename = "_data")]
    pub engine_data: Option<Value>,
}

/// `message.reaction`'s payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Reaction {
    /// The reaction message's id.
    pub id: Option<String>,
    /// Unix seconds.
    pub timestamp: Option<i64>,
    /// Who reacted.
    pub from: Option<String>,
    /// Reacted by the instance itself.
    pub from_me: Option<bool>,
    /// The reaction.
    pub reaction: Option<ReactionContent>,
}

/// What a reaction is and what it reacts to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReactionContent {
    /// The emoji (empty when a reaction is removed, in WAHA).
    pub text: Option<String>,
    /// The message reacted to.
    pub message_id: Option<String>,
}

/// `message.revoked`'s payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Revoked {
    /// The message as it is after the revocation.
    pub after: Option<Message>,
    /// The message before (may be empty).
    pub before: Option<Message>,
    /// The engine's own record (`_data`), as sent.
    #[serde(rename = "_data")]
    pub engine_data: Option<Value>,
}

/// `poll.vote` and `poll.vote.failed`'s payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PollVote {
    /// The vote.
    pub vote: Option<Vote>,
    /// The poll voted in.
    pub poll: Option<MessageRef>,
}

/// One vote in a poll.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Vote {
    /// The vote's id.
    pub id: Option<String>,
    /// The chat.
    pub to: Option<String>,
    /// The voter.
    pub from: Option<String>,
    /// Voted by the instance itself.
    pub from_me: Option<bool>,
    /// The options chosen (`null` entries occur when a vote failed).
    #[serde(default)]
    pub selected_options: Vec<Option<String>>,
    /// Unix seconds.
    pub timestamp: Option<i64>,
}

/// A message named by its id and chat.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MessageRef {
    /// The message id.
    pub id: Option<String>,
    /// The chat.
    pub to: Option<String>,
    /// The sender.
    pub from: Option<String>,
    /// Sent by the instance itself.
    pub from_me: Option<bool>,
}

/// `presence.update`'s payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PresenceUpdate {
    /// The chat.
    pub id: Option<String>,
    /// Each participant's presence.
    #[serde(default)]
    pub presences: Vec<Presence>,
}

/// One participant's presence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Presence {
    /// Who.
    pub participant: Option<String>,
    /// `typing`, `online`, `offline`, ...
    pub last_known_presence: Option<String>,
    /// Unix seconds, when known.
    pub last_seen: Option<i64>,
}

/// `session.status`'s payload. **Inferred** from WAHA: Hypersender
/// documents no status event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionStatus {
    /// The new status (an unknown one is kept as `Unknown`).
    pub status: InstanceStatus,
    /// WAHA's recent statuses, as sent.
    #[serde(default)]
    pub statuses: Vec<Value>,
}

/// A payload that does not match its event's documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayloadError {
    /// The event.
    pub event: String,
    /// Where in the payload (`presences[0].lastSeen`; `.` for the whole).
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} payload does not match its documented shape at `data.payload.{}`: {}",
            self.event, self.path, self.message
        )
    }
}

impl std::error::Error for PayloadError {}

/// A body that is not a webhook delivery at all (answered 400).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Not JSON (or not UTF-8).
    NotJson {
        /// Where, 1-based.
        line: usize,
        /// Where, 1-based.
        column: usize,
        /// What.
        message: String,
    },
    /// JSON, but not an object with a string `event` (or `data.event`).
    NoEventName,
    /// An event whose envelope has a field of another type than a delivery
    /// holds (`data.id` a number, `data.me` a string).
    Envelope {
        /// The field, as a JSON path (`data.id`).
        path: String,
        /// What serde said.
        message: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson {
                line,
                column,
                message,
            } => write!(
                f,
                "the body is not JSON (line {line}, column {column}): {message}"
            ),
            Self::NoEventName => f.write_str("the body is not a webhook event: no `event` name"),
            Self::Envelope { path, message } => {
                write!(
                    f,
                    "the event's `{path}` is not what a delivery holds: {message}"
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// The body as sent, read in one pass; the payload stays raw until its
/// type is known, and names are borrowed from the body where they have no
/// escapes (only the ones kept are then copied: an unused `data.event`
/// costs nothing).
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    event: Option<Text<'a>>,
    #[serde(borrow)]
    data: Option<WireData<'a>>,
    #[serde(borrow, rename = "instanceId")]
    instance_id: Option<Text<'a>>,
    #[serde(borrow, rename = "userId")]
    user_id: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct WireData<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    event: Option<Text<'a>>,
    #[serde(default)]
    metadata: Value,
    me: Option<Me>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    #[serde(borrow, rename = "instanceId")]
    instance_id: Option<Text<'a>>,
    #[serde(borrow, rename = "userId")]
    user_id: Option<Text<'a>>,
}

/// A string of the body: borrowed from it when it has no escapes, else
/// unescaped into its own. (serde borrows a bare `Cow<str>` field, but not
/// one inside an `Option`.)
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Borrowing;
        impl<'de> serde::de::Visitor<'de> for Borrowing {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(text))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(text.to_owned()))
            }
        }
        deserializer.deserialize_str(Borrowing).map(Text)
    }
}

/// A name of the body, owned.
fn owned(name: Option<Text<'_>>) -> Option<String> {
    name.map(|Text(text)| text.into_owned())
}

impl WebhookEvent {
    /// Reads one delivery's body with the default [`ParseOptions`].
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(body, ParseOptions::default())
    }

    /// Reads one delivery's body: its envelope now, its payload when
    /// [`payload`](Self::payload) is asked for.
    pub fn parse_with(body: &[u8], options: ParseOptions) -> Result<Self, ParseError> {
        let text = std::str::from_utf8(body).map_err(|error| not_utf8(body, &error))?;
        let wire: Wire<'_> = serde_json::from_str(text).map_err(|error| not_json(text, error))?;
        let (data_event, id, metadata, me, payload, data_instance, data_user) = match wire.data {
            Some(d) => (
                d.event,
                d.id,
                d.metadata,
                d.me,
                d.payload,
                d.instance_id,
                d.user_id,
            ),
            None => (None, None, Value::Null, None, None, None, None),
        };
        let event = owned(wire.event.or(data_event)).ok_or(ParseError::NoEventName)?;
        let payload_range = payload.map(|raw| offset_in(text, raw.get()));
        Ok(Self {
            payload_range,
            options,
            payload: OnceLock::new(),
            envelope: Envelope {
                event,
                id: owned(id),
                instance_id: owned(data_instance.or(wire.instance_id)),
                user_id: owned(data_user.or(wire.user_id)),
                me,
                metadata,
                raw: text.to_owned(),
            },
        })
    }

    /// The event-specific part, typed by the event's name (read on the
    /// first call, then kept).
    pub fn payload(&self) -> &Payload {
        self.payload.get_or_init(|| Box::new(self.typed_payload()))
    }

    /// The typed payload, owned.
    pub fn into_payload(mut self) -> Payload {
        match self.payload.take() {
            Some(payload) => *payload,
            None => self.typed_payload(),
        }
    }

    fn typed_payload(&self) -> Payload {
        type_payload(&self.envelope.event, self.payload_text(), self.options)
    }

    /// `data.payload`'s text in the raw body.
    fn payload_text(&self) -> Option<&str> {
        self.envelope.raw.get(self.payload_range.clone()?)
    }

    /// `data.payload` as sent, every field of it (`None` without one).
    pub fn payload_json(&self) -> Option<Value> {
        serde_json::from_str(self.payload_text()?).ok()
    }

    /// The status this event reports, if it is a status update (only a
    /// status event's payload is read for it).
    pub fn status(&self) -> Option<&InstanceStatus> {
        if !is_session_status(&self.envelope.event, self.options) {
            return None;
        }
        match self.payload() {
            Payload::SessionStatus(status) => Some(&status.status),
            _ => None,
        }
    }
}

/// Where `part` (a slice of `body`) starts and ends in `body`.
fn offset_in(body: &str, part: &str) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    start..start + part.len()
}

/// A body that is not UTF-8 (so not JSON), with where its first bad byte
/// is.
fn not_utf8(body: &[u8], error: &std::str::Utf8Error) -> ParseError {
    let before = &body[..error.valid_up_to()];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    ParseError::NotJson {
        line: before.iter().filter(|&&b| b == b'\n').count() + 1,
        column: before.len() - line_start + 1,
        message: format!("invalid UTF-8: {error}"),
    }
}

fn not_json(text: &str, error: serde_json::Error) -> ParseError {
    if error.is_data() {
        // Valid JSON of the wrong shape: read again, tracking the path
        // (only a refused body pays for it), to say which field.
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let path = match serde_path_to_error::deserialize::<_, Wire<'_>>(&mut deserializer) {
            Err(error) => error.path().to_string(),
            Ok(_) => String::new(),
        };
        // A field of an object's envelope, other than the event's name;
        // anything else (not an object, a name that is no string) has no
        // event name.
        let envelope_field = (path.starts_with("data.") && path != "data.event")
            || path == "instanceId"
            || path == "userId";
        if !envelope_field {
            return ParseError::NoEventName;
        }
        return ParseError::Envelope {
            path,
            message: error.to_string(),
        };
    }
    ParseError::NotJson {
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    }
}

/// Whether `event` is typed as [`Payload::SessionStatus`].
fn is_session_status(event: &str, options: ParseOptions) -> bool {
    options.infer_session_status && event == INFERRED_SESSION_STATUS
}

fn type_payload(event: &str, payload: Option<&str>, options: ParseOptions) -> Payload {
    let raw = payload.unwrap_or("{}");
    match event {
        "presence.update" => typed(event, raw, Payload::PresenceUpdate),
        "message.any" => typed(event, raw, Payload::MessageAny),
        "message.reaction" => typed(event, raw, Payload::MessageReaction),
        "message.ack" => typed(event, raw, Payload::MessageAck),
        "message.waiting" => typed(event, raw, Payload::MessageWaiting),
        "message.revoked" => typed(event, raw, Payload::MessageRevoked),
        "poll.vote" => typed(event, raw, Payload::PollVote),
        "poll.vote.failed" => typed(event, raw, Payload::PollVoteFailed),
        _ if is_session_status(event, options) => typed(event, raw, Payload::SessionStatus),
        _ => Payload::Unknown(payload.and_then(|p| serde_json::from_str(p).ok())),
    }
}

fn typed<T: DeserializeOwned>(event: &str, raw: &str, wrap: fn(T) -> Payload) -> Payload {
    // Read plainly first: tracking the path costs an allocation per field,
    // and only a payload that fails needs it, so only that one is read again.
    if let Ok(value) = serde_json::from_str(raw) {
        return wrap(value);
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => wrap(value),
        Err(error) => Payload::Malformed(PayloadError {
            event: event.to_owned(),
            path: error.path().to_string(),
            message: error.into_inner().to_string(),
        }),
    }
}
