//! The vendor's eight recorded webhook examples, byte for byte (from its
//! Laravel SDK; provenance and licence in `client/recorded/webhooks/`):
//! for tests, for `hypersender webhook send`, and for the mock's events.

/// `(event name, raw JSON)` of every recorded example, in the SDK's order.
pub const EXAMPLES: [(&str, &str); 8] = [
    (
        "presence.update",
        include_str!("../../recorded/webhooks/presence-update.json"),
    ),
    (
        "message.any",
        include_str!("../../recorded/webhooks/message-any.json"),
    ),
    (
        "message.reaction",
        include_str!("../../recorded/webhooks/message-reaction.json"),
    ),
    (
        "message.ack",
        include_str!("../../recorded/webhooks/message-ack.json"),
    ),
    (
        "message.waiting",
        include_str!("../../recorded/webhooks/message-waiting.json"),
    ),
    (
        "message.revoked",
        include_str!("../../recorded/webhooks/message-revoked.json"),
    ),
    (
        "poll.vote",
        include_str!("../../recorded/webhooks/poll-vote.json"),
    ),
    (
        "poll.vote.failed",
        include_str!("../../recorded/webhooks/poll-vote-failed.json"),
    ),
];

/// The recorded example of `event` (`message.any`), if there is one.
pub fn example(event: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == event)
        .map(|(_, json)| *json)
}
