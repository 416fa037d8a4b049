//! The mock's model of the service: instances in memory, their lifecycle,
//! and what each operation does to them. HTTP lives in `http.rs`; this file
//! knows nothing about it beyond the documented outcomes (`Refusal`).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hypersender::catalog::{Operation, Problem, Violation};
use hypersender::types::{HealthResponse, InstanceResponse, InstanceWithQrCode, RestartResponse};
use hypersender::{AccessToken, InstanceStatus, QrCode, Timestamp};
use serde_json::{Map, Value};

use crate::clock::{Clock, Now};
use crate::qr::QrImage;
use crate::rate_limit::{Limited, RateLimiter};

/// The only service type the Enterprise API documents.
const SERVICE_TYPE: &str = "whatsapp";
/// The restart confirmation, as documented.
const RESTARTED: &str = "WhatsApp instance restarted successfully.";

/// How long each phase of a restart lasts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RestartTiming {
    pub(crate) stopped_for: Duration,
    pub(crate) starting_for: Duration,
}

/// How pairing behaves: how long a QR code can be scanned (documented:
/// about 60 s), and after how many codes' worth of time unscanned the
/// instance turns FAILED (inferred from WAHA: about six).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pairing {
    pub(crate) qr_lifetime: Duration,
    pub(crate) codes_before_failure: u32,
}

/// Why a request was refused, in the service's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    TooManyRequests(Limited),
    /// Field and Laravel message, in rule order.
    Invalid(Vec<(String, String)>),
}

/// A flap schedule: every `every`, the next WORKING instance (in turn)
/// shows `status` for `lasting`, then WORKING again, as instances do while
/// they reconnect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flaps {
    pub(crate) every: Duration,
    pub(crate) lasting: Duration,
}

/// Where an instance is in its lifecycle.
#[derive(Debug, Clone)]
enum Phase {
    Settled(InstanceStatus),
    /// A flap from WORKING: `status` from `since` for `lasting`, then
    /// WORKING again.
    Blip {
        status: InstanceStatus,
        since: std::time::Instant,
        lasting: Duration,
    },
    /// Waiting for a scan since this instant: SCAN_QR_CODE, then FAILED
    /// once `codes_before_failure` codes' worth of time passed unscanned.
    Pairing(std::time::Instant),
    /// Restarted at this instant: STOPPED, then STARTING, then back to
    /// WORKING if a phone is linked, else pairing again.
    Restarting(std::time::Instant),
}

/// What a scan of an instance's QR code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scanned {
    /// The phone is linked: the instance is WORKING.
    Linked,
    /// The instance is not waiting for a scan (it is this).
    NotWaiting(InstanceStatus),
    /// Its code expired this long ago: a new one must be requested.
    Expired(std::time::Duration),
}

impl Scanned {
    /// Why a scan did not link, in words (`None` when it did).
    pub(crate) fn reason(&self) -> Option<String> {
        match self {
            Self::Linked => None,
            Self::NotWaiting(status) => Some(format!(
                "the instance is {status}, not waiting for a scan (SCAN_QR_CODE)"
            )),
            Self::Expired(ago) => Some(format!(
                "its QR code expired {} s ago: request a new one (instances qr ID, or connect)",
                ago.as_secs().max(1)
            )),
        }
    }
}

#[derive(Debug, Clone)]
struct Instance {
    id: String,
    name: String,
    phone: String,
    webhook_url: Option<String>,
    access_token: String,
    created_at: DateTime<Utc>,
    /// When a phone linked it (scanned the QR code); `None` while unlinked.
    connected_at: Option<DateTime<Utc>>,
    phase: Phase,
    qr: QrImage,
    /// When the current QR code was issued.
    qr_issued: std::time::Instant,
}

/// The list filters, as sent in `filter[...]` query parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub(crate) uuid: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) status: Option<String>,
}

/// Everything the mock remembers.
#[derive(Debug)]
pub(crate) struct Store {
    /// Newest first, as the documented list example orders them.
    instances: Vec<Instance>,
    sequence: u64,
    limiter: RateLimiter,
    rate_limits: bool,
    timing: RestartTiming,
    pairing: Pairing,
    flaps: Option<Flaps>,
    /// When the next flap is due, and which instance it hits.
    next_flap: Option<(std::time::Instant, usize)>,
    /// Instances whose operations answer an error status until recovered
    /// (the mock's fault injection, `/__mock/instances/{id}/fail`).
    failing: HashMap<String, u16>,
    clock: Clock,
}

impl Store {
    /// A store holding the seed instances (the documented examples).
    pub(crate) fn new(
        seed: Vec<InstanceResponse>,
        clock: Clock,
        timing: RestartTiming,
        pairing: Pairing,
        rate_limits: bool,
    ) -> Self {
        let mut store = Self {
            instances: Vec::with_capacity(seed.len()),
            sequence: 0,
            limiter: RateLimiter::default(),
            rate_limits,
            timing,
            pairing,
            flaps: None,
            next_flap: None,
            failing: HashMap::new(),
            clock,
        };
        for example in seed {
            let instance = store.seeded(example);
            store.instances.push(instance);
        }
        store
    }

    fn seeded(&mut self, example: InstanceResponse) -> Instance {
        let sequence = self.next_sequence();
        let created_at = example
            .created_at
            .as_datetime()
            .unwrap_or_else(|| self.clock.now().wall);
        // The docs show a token only once connected; a WORKING instance
        // connected when it was created (the Check Health example agrees).
        let connected_at = (example.status == InstanceStatus::Working).then_some(created_at);
        let now = self.clock.now().instant;
        let phase = match example.status {
            InstanceStatus::ScanQrCode => Phase::Pairing(now),
            status => Phase::Settled(status),
        };
        Instance {
            qr_issued: now,
            access_token: example
                .access_token
                .map_or_else(|| token_for(sequence), |t| t.expose_secret().to_owned()),
            qr: QrImage::new(qr_payload(&example.id, sequence)),
            id: example.id,
            name: example.name,
            phone: example.phone,
            webhook_url: None,
            created_at,
            connected_at,
            phase,
        }
    }

    fn next_sequence(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// `GET /instances`: `filter[name]` matches part of the name (ignoring
    /// case, like SQL `LIKE`), the other filters match exactly.
    pub(crate) fn list(&mut self, filters: &Filters) -> Vec<InstanceResponse> {
        let now = self.clock.now();
        self.run_flaps(now);
        self.instances
            .iter()
            .filter(|i| filters.uuid.as_deref().is_none_or(|uuid| i.id == uuid))
            .filter(|i| {
                filters
                    .phone
                    .as_deref()
                    .is_none_or(|phone| i.phone == phone)
            })
            .filter(|i| {
                filters
                    .name
                    .as_deref()
                    .is_none_or(|part| i.name.to_lowercase().contains(&part.to_lowercase()))
            })
            .map(|i| self.listed(i, now))
            .filter(|i| {
                filters
                    .status
                    .as_deref()
                    .is_none_or(|s| i.status.as_str() == s)
            })
            .collect()
    }

    /// `POST /create-instance`: the body checked against the operation's
    /// documented rules (the client's catalog, from the spec), then the
    /// name's uniqueness.
    pub(crate) fn create(
        &mut self,
        operation: &Operation,
        body: &Value,
    ) -> Result<InstanceWithQrCode, Refusal> {
        let request = self.validate_create(operation, body)?;
        let sequence = self.next_sequence();
        let id = uuid_for(sequence);
        let now = self.clock.now();
        let instance = Instance {
            qr_issued: now.instant,
            qr: QrImage::new(qr_payload(&id, sequence)),
            access_token: token_for(sequence),
            id,
            name: request.name,
            phone: request.phone,
            webhook_url: request.webhook_url,
            created_at: now.wall,
            connected_at: None,
            phase: Phase::Pairing(now.instant),
        };
        let created = self.with_qr_code(&instance, now);
        self.instances.insert(0, instance);
        Ok(created)
    }

    /// `GET /{instance}/health`.
    pub(crate) fn health(&mut self, id: &str) -> Result<HealthResponse, Refusal> {
        let now = self.clock.now();
        let instance = self.find(id)?;
        Ok(HealthResponse {
            instance_id: instance.id.clone(),
            connected_at: instance.connected_at.map(Timestamp::from),
            status: self.status_of(instance, now),
        })
    }

    /// `POST /{instance}/request-new-qr-code`: a fresh code replaces the
    /// old one, and the instance waits for a scan again.
    pub(crate) fn request_new_qr_code(&mut self, id: &str) -> Result<InstanceWithQrCode, Refusal> {
        let sequence = self.next_sequence();
        let now = self.clock.now();
        let instance = self.find_mut(id)?;
        instance.qr = QrImage::new(qr_payload(&instance.id, sequence));
        instance.qr_issued = now.instant;
        instance.connected_at = None;
        // A fresh code does not restart the pairing attempt's clock: an
        // instance that never gets scanned still fails.
        if !matches!(instance.phase, Phase::Pairing(_)) {
            instance.phase = Phase::Pairing(now.instant);
        }
        let instance = instance.clone();
        Ok(self.with_qr_code(&instance, now))
    }

    /// `POST /{instance}/restart`.
    pub(crate) fn restart(&mut self, id: &str) -> Result<RestartResponse, Refusal> {
        let now = self.clock.now();
        self.find_mut(id)?.phase = Phase::Restarting(now.instant);
        Ok(RestartResponse {
            message: RESTARTED.to_owned(),
        })
    }

    /// What a phone scanning the current QR code does: the instance links
    /// and starts WORKING. Returns false if it was not waiting for a scan,
    /// or its current code has expired.
    pub(crate) fn scan(&mut self, id: &str) -> Result<bool, Refusal> {
        self.scan_outcome(id)
            .map(|outcome| outcome == Scanned::Linked)
    }

    /// What a phone scanning `id`'s current code does: link it, or why not.
    pub(crate) fn scan_outcome(&mut self, id: &str) -> Result<Scanned, Refusal> {
        let now = self.clock.now();
        let instance = self.find(id)?;
        let status = self.status_of(instance, now);
        if status != InstanceStatus::ScanQrCode {
            return Ok(Scanned::NotWaiting(status));
        }
        let expires = instance.qr_issued + self.pairing.qr_lifetime;
        if now.instant >= expires {
            return Ok(Scanned::Expired(now.instant - expires));
        }
        let instance = self.find_mut(id)?;
        instance.connected_at = Some(now.wall);
        instance.phase = Phase::Settled(InstanceStatus::Working);
        Ok(Scanned::Linked)
    }

    /// An instance's phone, if it exists.
    pub(crate) fn phone(&self, id: &str) -> Option<String> {
        self.find(id).ok().map(|instance| instance.phone.clone())
    }

    /// The status of an instance right now, if it exists.
    pub(crate) fn status(&self, id: &str) -> Option<InstanceStatus> {
        let now = self.clock.now();
        self.find(id).ok().map(|i| self.status_of(i, now))
    }

    /// From now on every operation naming `id` answers `status`, until
    /// [`Store::recover`].
    pub(crate) fn fail(&mut self, id: &str, status: u16) -> Result<(), Refusal> {
        self.find(id)?;
        if !(400..=599).contains(&status) {
            return Err(Refusal::Invalid(vec![(
                "status".into(),
                "The status field must be between 400 and 599.".into(),
            )]));
        }
        self.failing.insert(id.to_owned(), status);
        Ok(())
    }

    /// `id`'s operations answer as usual again.
    pub(crate) fn recover(&mut self, id: &str) -> Result<(), Refusal> {
        self.find(id)?;
        self.failing.remove(id);
        Ok(())
    }

    /// The status `id`'s operations are made to fail with, if any.
    pub(crate) fn failure(&self, id: &str) -> Option<u16> {
        self.failing.get(id).copied()
    }

    /// The webhook URL an instance was created with, if it exists.
    pub(crate) fn webhook_url(&self, id: &str) -> Option<Option<String>> {
        self.find(id).ok().map(|i| i.webhook_url.clone())
    }

    /// What the current QR code of an instance says, if it exists.
    pub(crate) fn qr_payload(&self, id: &str) -> Option<String> {
        self.find(id).ok().map(|i| i.qr.payload.clone())
    }

    /// Adds `count` made-up instances from a fixed `seed` (statuses mostly
    /// WORKING, some of every other), for fleet-sized tests.
    pub(crate) fn add_generated(&mut self, count: usize, seed: u64) {
        const STATUSES: [(InstanceStatus, u64); 6] = [
            (InstanceStatus::Working, 70),
            (InstanceStatus::ScanQrCode, 10),
            (InstanceStatus::Failed, 6),
            (InstanceStatus::Starting, 5),
            (InstanceStatus::Stopped, 5),
            (InstanceStatus::Pending, 4),
        ];
        let now = self.clock.now();
        let mut state = seed;
        for index in 0..count {
            state = splitmix64(state);
            let mut pick = state % 100;
            let status = STATUSES
                .iter()
                .find(|(_, weight)| {
                    let hit = pick < *weight;
                    pick = pick.saturating_sub(*weight);
                    hit
                })
                .map_or(InstanceStatus::Working, |(status, _)| status.clone());
            let sequence = self.next_sequence();
            let id = uuid_for(sequence);
            let linked = status == InstanceStatus::Working;
            let phase = match status {
                InstanceStatus::ScanQrCode => Phase::Pairing(now.instant),
                other => Phase::Settled(other),
            };
            self.instances.push(Instance {
                qr: QrImage::new(qr_payload(&id, sequence)),
                qr_issued: now.instant,
                access_token: token_for(sequence),
                name: format!("Instance {:04}", index + 1),
                phone: format!("+2010{:08}", index + 1),
                webhook_url: None,
                created_at: now.wall - chrono::Duration::days((state % 365) as i64),
                connected_at: linked.then_some(now.wall),
                phase,
                id,
            });
        }
    }

    /// Starts the flap schedule.
    pub(crate) fn set_flaps(&mut self, flaps: Flaps) {
        self.flaps = Some(flaps);
        self.next_flap = Some((self.clock.now().instant + flaps.every, 0));
    }

    /// Every flap that came due: the next WORKING instance, in turn, blips.
    fn run_flaps(&mut self, now: Now) {
        let Some(flaps) = self.flaps else { return };
        while let Some((due, turn)) = self.next_flap
            && due <= now.instant
        {
            let count = self.instances.len().max(1);
            let victim = (0..count)
                .map(|offset| (turn + offset) % count)
                .find(|&i| self.status_of(&self.instances[i], now) == InstanceStatus::Working);
            if let Some(i) = victim {
                self.instances[i].phase = Phase::Blip {
                    status: InstanceStatus::Starting,
                    since: due,
                    lasting: flaps.lasting,
                };
            }
            self.next_flap = Some((due + flaps.every, victim.map_or(turn, |i| i + 1)));
        }
    }

    /// Sets an instance's status as the service would show it (for tests
    /// and the flap schedule); returns whether the instance exists.
    pub(crate) fn set_status(&mut self, id: &str, status: InstanceStatus) -> bool {
        let now = self.clock.now();
        let Ok(instance) = self.find_mut(id) else {
            return false;
        };
        instance.phase = match status {
            InstanceStatus::ScanQrCode => Phase::Pairing(now.instant),
            other => Phase::Settled(other),
        };
        true
    }

    fn status_of(&self, instance: &Instance, now: Now) -> InstanceStatus {
        let (since, pairing_since) = match &instance.phase {
            Phase::Settled(status) => return status.clone(),
            Phase::Blip {
                status,
                since,
                lasting,
            } => {
                return if now.instant.saturating_duration_since(*since) < *lasting {
                    status.clone()
                } else {
                    InstanceStatus::Working
                };
            }
            Phase::Pairing(since) => return self.pairing_status(*since, now),
            Phase::Restarting(since) => (
                now.instant.saturating_duration_since(*since),
                *since + self.timing.stopped_for + self.timing.starting_for,
            ),
        };
        let RestartTiming {
            stopped_for,
            starting_for,
        } = self.timing;
        if since < stopped_for {
            InstanceStatus::Stopped
        } else if since < stopped_for + starting_for {
            InstanceStatus::Starting
        } else if instance.connected_at.is_some() {
            InstanceStatus::Working
        } else {
            self.pairing_status(pairing_since, now)
        }
    }

    /// SCAN_QR_CODE, until `codes_before_failure` codes' worth of time has
    /// passed since pairing began: then FAILED.
    fn pairing_status(&self, since: std::time::Instant, now: Now) -> InstanceStatus {
        let patience = self.pairing.qr_lifetime * self.pairing.codes_before_failure;
        if now.instant.saturating_duration_since(since) >= patience {
            InstanceStatus::Failed
        } else {
            InstanceStatus::ScanQrCode
        }
    }

    fn listed(&self, instance: &Instance, now: Now) -> InstanceResponse {
        InstanceResponse {
            // "null until connected"
            access_token: instance
                .connected_at
                .map(|_| AccessToken::new(instance.access_token.clone())),
            created_at: instance.created_at.into(),
            id: instance.id.clone(),
            name: instance.name.clone(),
            phone: instance.phone.clone(),
            service_type: SERVICE_TYPE.to_owned(),
            status: self.status_of(instance, now),
        }
    }

    fn with_qr_code(&self, instance: &Instance, now: Now) -> InstanceWithQrCode {
        InstanceWithQrCode {
            // Create and new-QR responses carry the token (documented).
            access_token: Some(AccessToken::new(instance.access_token.clone())),
            created_at: instance.created_at.into(),
            id: instance.id.clone(),
            name: instance.name.clone(),
            phone: instance.phone.clone(),
            qr_code: QrCode::new(instance.qr.png_base64().to_owned()),
            service_type: SERVICE_TYPE.to_owned(),
            status: self.status_of(instance, now),
        }
    }

    fn find(&self, id: &str) -> Result<&Instance, Refusal> {
        self.instances
            .iter()
            .find(|i| i.id == id)
            .ok_or(Refusal::NotFound)
    }

    fn find_mut(&mut self, id: &str) -> Result<&mut Instance, Refusal> {
        self.instances
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or(Refusal::NotFound)
    }

    /// Counts a request to `operation` against its documented rate limit.
    pub(crate) fn throttle(&mut self, operation: &Operation) -> Result<(), Refusal> {
        let Some(limit) = operation.rate_limit.filter(|_| self.rate_limits) else {
            return Ok(());
        };
        let now = self.clock.now().instant;
        self.limiter
            .hit(operation.id, limit.requests, limit.per, now)
            .map(drop)
            .map_err(Refusal::TooManyRequests)
    }

    fn validate_create(
        &self,
        operation: &Operation,
        body: &Value,
    ) -> Result<CreateRequest, Refusal> {
        // Laravel trims strings and turns empty ones into null before
        // validating; a body that is not a JSON object reads as no input.
        let fields: Map<String, Value> = body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.clone(), laravel_input(value)))
            .filter(|(_, value)| !value.is_null())
            .collect();
        let mut errors: Vec<(String, String)> = operation
            .check_body(&Value::Object(fields.clone()))
            .iter()
            .map(|violation| (violation.name.clone(), laravel_message(violation)))
            .collect();
        let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
        if let Some(name) = text("name")
            && self.instances.iter().any(|i| i.name == name)
        {
            errors.push(("name".into(), "The name has already been taken.".to_owned()));
        }
        match (text("phone"), text("name")) {
            (Some(phone), Some(name)) if errors.is_empty() => Ok(CreateRequest {
                phone,
                name,
                webhook_url: text("webhook_url"),
            }),
            _ => Err(Refusal::Invalid(errors)),
        }
    }
}

struct CreateRequest {
    phone: String,
    name: String,
    webhook_url: Option<String>,
}

/// What Laravel's TrimStrings and ConvertEmptyStringsToNull middleware make
/// of an input value.
fn laravel_input(value: &Value) -> Value {
    match value {
        Value::String(text) if text.trim().is_empty() => Value::Null,
        Value::String(text) => Value::String(text.trim().to_owned()),
        other => other.clone(),
    }
}

/// The message Laravel's validator gives for a broken rule.
fn laravel_message(violation: &Violation) -> String {
    let label = violation.name.replace('_', " ");
    match &violation.problem {
        Problem::Missing => format!("The {label} field is required."),
        Problem::WrongType(_) => format!("The {label} field must be a string."),
        Problem::TooShort(min) => format!("The {label} field must be at least {min} characters."),
        Problem::TooLong(max) => {
            format!("The {label} field must not be greater than {max} characters.")
        }
        Problem::Pattern(_) => format!("The {label} field format is invalid."),
        Problem::Format(_) => format!("The {label} field must be a valid URL."),
        Problem::NotOneOf(_) => format!("The selected {label} is invalid."),
        _ => format!("The {label} field is invalid."),
    }
}

/// A deterministic, UUID-shaped id (version 4 layout), so runs repeat.
fn uuid_for(sequence: u64) -> String {
    let a = splitmix64(sequence);
    let b = splitmix64(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// A deterministic token in the Sanctum `<id>|<secret>` shape.
fn token_for(sequence: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = sequence ^ 0x5eed_70c3;
    let secret: String = (0..48)
        .map(|_| {
            state = splitmix64(state);
            char::from(ALPHABET[(state % ALPHABET.len() as u64) as usize])
        })
        .collect();
    format!("{}|{secret}", 1000 + sequence)
}

/// A pairing reference shaped like WhatsApp's (`2@...`), unique per code.
fn qr_payload(id: &str, sequence: u64) -> String {
    format!("2@mock-{id}-{:016x}", splitmix64(sequence))
}

/// SplitMix64: a tiny, well-known mixing function; plenty for mock ids.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
