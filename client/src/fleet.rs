//! Fleet operations for accounts with hundreds of instances: watch the
//! whole fleet through one list request per poll, ensure an instance
//! exists, plan and apply a desired fleet, diagnose what the docs say to
//! fix, and restart many instances within the documented limits.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_core::Stream;
use tokio::time::Instant;

use crate::error::Error;
use crate::types::{InstanceResponse, InstanceWithQrCode, RestartResponse};
use crate::{Client, InstanceStatus};

// ------------------------------------------------------------------ watch

/// How [`Client::watch_instances`] polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchOptions {
    interval: Duration,
    status: Option<InstanceStatus>,
    flap_window: Option<Duration>,
}

impl WatchOptions {
    /// One `GET /instances` every `interval` (it covers every instance).
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            status: None,
            flap_window: None,
        }
    }

    /// Only instances with this status (`filter[status]`); instances that
    /// leave it are reported as disappeared.
    pub fn status(mut self, status: InstanceStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Holds a status change back for `window`: one that reverts within it
    /// (a brief STARTING or STOPPED while reconnecting) is reported once as
    /// a [`FleetEvent::Flapped`], one that lasts as a late
    /// [`FleetEvent::StatusChanged`] with the time it was first seen.
    pub fn debounce(mut self, window: Duration) -> Self {
        self.flap_window = Some(window);
        self
    }
}

/// What changed in the fleet between two polls.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FleetEvent {
    /// The first poll: every instance.
    Snapshot {
        /// The instances listed.
        instances: Vec<InstanceResponse>,
        /// When.
        at: DateTime<Utc>,
    },
    /// An instance is listed that was not before.
    Appeared {
        /// The instance.
        instance: Box<InstanceResponse>,
        /// When it was first seen.
        at: DateTime<Utc>,
    },
    /// An instance is no longer listed.
    Disappeared {
        /// Its last listing.
        instance: Box<InstanceResponse>,
        /// When it was first missed.
        at: DateTime<Utc>,
    },
    /// An instance's status changed (and, debounced, stayed changed).
    StatusChanged {
        /// The instance, as now listed.
        instance: Box<InstanceResponse>,
        /// The status before.
        from: InstanceStatus,
        /// When the change was first seen.
        at: DateTime<Utc>,
    },
    /// A change reverted within the debounce window.
    Flapped {
        /// The instance, as now listed (back in its status).
        instance: Box<InstanceResponse>,
        /// The statuses it passed through.
        via: Vec<InstanceStatus>,
        /// When the flap was first seen.
        at: DateTime<Utc>,
    },
    /// The list endpoint answered 429 (or the limiter held the poll): the
    /// watch backs off for `retry_after` and goes on.
    BackingOff {
        /// How long.
        retry_after: Duration,
    },
    /// A poll failed in a way that may pass (connection, 5xx); the watch
    /// goes on at the next interval.
    PollFailed {
        /// What went wrong.
        error: Arc<Error>,
    },
}

/// A change of one instance between two lists, by id.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Listed now, not before.
    Appeared(InstanceResponse),
    /// Listed before, not now.
    Disappeared(InstanceResponse),
    /// Listed both times with another status.
    Status {
        /// Its status before.
        from: InstanceStatus,
        /// As listed now.
        now: InstanceResponse,
    },
}

/// The changes from `before` to `after` (instances matched by id), in the
/// order of `after`, then the disappeared ones in the order of `before`.
pub fn diff_instances(before: &[InstanceResponse], after: &[InstanceResponse]) -> Vec<Change> {
    let partners = pair_by_id(before, after);
    let mut still_listed = vec![false; before.len()];
    let mut changes = Vec::new();
    for (now, partner) in after.iter().zip(&partners) {
        match *partner {
            None => changes.push(Change::Appeared(now.clone())),
            Some(index) => {
                still_listed[index] = true;
                push_status_change(&mut changes, &before[index], now);
            }
        }
    }
    changes.extend(
        before
            .iter()
            .zip(still_listed)
            .filter(|(_, listed)| !listed)
            .map(|(old, _)| Change::Disappeared(old.clone())),
    );
    changes
}

/// How far [`pair_by_id`] looks ahead to get back in step.
const RESYNC_WINDOW: usize = 8;

/// For each instance of `after`, the index in `before` of the one with its
/// id. Consecutive lists nearly always come in the same order, so both are
/// walked in step, getting back in step over a few added or removed
/// instances; only what that leaves over is matched through a hash map
/// (SipHash: ids come from the server, and must not make this quadratic).
fn pair_by_id(before: &[InstanceResponse], after: &[InstanceResponse]) -> Vec<Option<usize>> {
    let mut partners = vec![None; after.len()];
    let (mut left_before, mut left_after) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    let position = |list: &[InstanceResponse], from: usize, id: &str| {
        list.iter()
            .skip(from)
            .take(RESYNC_WINDOW)
            .position(|other| other.id == id)
            .map(|offset| from + offset)
    };
    while i < before.len() && j < after.len() {
        if before[i].id == after[j].id {
            partners[j] = Some(i);
        } else if let Some(k) = position(before, i + 1, &after[j].id) {
            left_before.extend(i..k);
            partners[j] = Some(k);
            i = k;
        } else if let Some(k) = position(after, j + 1, &before[i].id) {
            left_after.extend(j..k);
            partners[k] = Some(i);
            j = k;
        } else {
            left_before.push(i);
            left_after.push(j);
        }
        i += 1;
        j += 1;
    }
    left_before.extend(i..before.len());
    left_after.extend(j..after.len());
    let by_id: HashMap<&str, usize> = left_before
        .into_iter()
        .map(|index| (before[index].id.as_str(), index))
        .collect();
    for index in left_after {
        partners[index] = by_id.get(after[index].id.as_str()).copied();
    }
    partners
}

fn push_status_change(changes: &mut Vec<Change>, old: &InstanceResponse, now: &InstanceResponse) {
    if old.status != now.status {
        changes.push(Change::Status {
            from: old.status.clone(),
            now: now.clone(),
        });
    }
}

/// A status change waiting out the debounce window.
struct Pending {
    from: InstanceStatus,
    via: Vec<InstanceStatus>,
    since: Instant,
    at: DateTime<Utc>,
}

/// The watch's state between events.
struct Watch<'a> {
    client: &'a Client,
    options: WatchOptions,
    started: Instant,
    started_wall: DateTime<Utc>,
    last: Option<Vec<InstanceResponse>>,
    pending: BTreeMap<String, Pending>,
    events: std::collections::VecDeque<FleetEvent>,
    next_poll: Instant,
}

impl Client {
    /// Watches every instance: one `GET /instances` per `interval`,
    /// consecutive lists diffed into [`FleetEvent`]s (the first poll is a
    /// `Snapshot`). A 429 or a limiter wait is a `BackingOff` event, a
    /// failed poll a `PollFailed` event; the stream never ends by itself.
    /// Dropping it stops the polling.
    pub fn watch_instances(
        &self,
        options: WatchOptions,
    ) -> impl Stream<Item = FleetEvent> + Send + '_ {
        let now = Instant::now();
        let watch = Watch {
            client: self,
            options,
            started: now,
            started_wall: Utc::now(),
            last: None,
            pending: BTreeMap::new(),
            events: std::collections::VecDeque::new(),
            next_poll: now,
        };
        futures_util::stream::unfold(watch, |mut watch| async move {
            let event = watch.next().await;
            Some((event, watch))
        })
    }
}

impl Watch<'_> {
    /// Wall time on tokio's clock, so paused tests see it move.
    fn wall(&self, at: Instant) -> DateTime<Utc> {
        self.started_wall + (at - self.started)
    }

    async fn next(&mut self) -> FleetEvent {
        loop {
            if let Some(event) = self.events.pop_front() {
                return event;
            }
            tokio::time::sleep_until(self.next_poll).await;
            self.poll().await;
        }
    }

    async fn poll(&mut self) {
        if let Some(wait) = self.client.rate_limit_delay("list_instances")
            && !wait.is_zero()
        {
            self.back_off(wait);
            return;
        }
        let mut request = self.client.list_instances();
        if let Some(status) = &self.options.status {
            request = request.filter_status(status.clone());
        }
        let polled_at = Instant::now();
        self.next_poll = polled_at + self.options.interval;
        match request.send().await {
            Ok(listed) => self.listed(listed, polled_at),
            Err(Error::RateLimited { retry_after, .. }) => {
                self.back_off(retry_after.unwrap_or(self.options.interval));
            }
            Err(error) => self.events.push_back(FleetEvent::PollFailed {
                error: Arc::new(error),
            }),
        }
    }

    fn back_off(&mut self, wait: Duration) {
        self.next_poll = Instant::now() + wait;
        self.events
            .push_back(FleetEvent::BackingOff { retry_after: wait });
    }

    fn listed(&mut self, listed: Vec<InstanceResponse>, polled_at: Instant) {
        let at = self.wall(polled_at);
        let Some(before) = self.last.replace(listed.clone()) else {
            self.events.push_back(FleetEvent::Snapshot {
                instances: listed,
                at,
            });
            return;
        };
        for change in diff_instances(&before, &listed) {
            match change {
                Change::Appeared(instance) => self.events.push_back(FleetEvent::Appeared {
                    instance: Box::new(instance),
                    at,
                }),
                Change::Disappeared(instance) => {
                    self.pending.remove(&instance.id);
                    self.events.push_back(FleetEvent::Disappeared {
                        instance: Box::new(instance),
                        at,
                    });
                }
                Change::Status { from, now } => self.status_changed(from, now, polled_at),
            }
        }
        self.settle(&listed, polled_at);
    }

    fn status_changed(&mut self, from: InstanceStatus, now: InstanceResponse, polled_at: Instant) {
        let Some(_) = self.options.flap_window else {
            self.events.push_back(FleetEvent::StatusChanged {
                instance: Box::new(now),
                from,
                at: self.wall(polled_at),
            });
            return;
        };
        let at = self.wall(polled_at);
        let pending = self.pending.entry(now.id.clone()).or_insert(Pending {
            from,
            via: Vec::new(),
            since: polled_at,
            at,
        });
        if now.status != pending.from {
            pending.via.push(now.status.clone());
        }
    }

    /// Ends the debounce of each pending change: back where it started is
    /// a flap; still changed after the window is a (late) change.
    fn settle(&mut self, listed: &[InstanceResponse], polled_at: Instant) {
        let Some(window) = self.options.flap_window else {
            return;
        };
        let by_id: HashMap<&str, &InstanceResponse> =
            listed.iter().map(|i| (i.id.as_str(), i)).collect();
        let ids: Vec<String> = self.pending.keys().cloned().collect();
        for id in ids {
            let Some(instance) = by_id.get(id.as_str()) else {
                continue;
            };
            let pending = &self.pending[&id];
            let event = if instance.status == pending.from {
                Some(FleetEvent::Flapped {
                    instance: Box::new((*instance).clone()),
                    via: pending.via.clone(),
                    at: pending.at,
                })
            } else if polled_at - pending.since >= window {
                Some(FleetEvent::StatusChanged {
                    instance: Box::new((*instance).clone()),
                    from: pending.from.clone(),
                    at: pending.at,
                })
            } else {
                None
            };
            if let Some(event) = event {
                self.pending.remove(&id);
                self.events.push_back(event);
            }
        }
    }
}

// ----------------------------------------------------------------- ensure

/// A field of an existing instance that differs from what was asked for,
/// which the API has no way to change (there is no update endpoint).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Difference {
    /// The field (`phone`).
    pub field: &'static str,
    /// What was asked for.
    pub wanted: String,
    /// What the instance has.
    pub actual: String,
}

/// What [`Client::ensure_instance`] found or did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Ensured {
    /// There was none: it was created.
    Created(Box<InstanceWithQrCode>),
    /// One with exactly that name exists; the differences it has from what
    /// was asked for (empty: it matches).
    Exists {
        /// The instance.
        instance: Box<InstanceResponse>,
        /// Fields that differ (the webhook URL is not listed by the API, so
        /// it cannot be compared).
        differences: Vec<Difference>,
    },
}

/// One instance of a desired fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredInstance {
    /// The name, unique in the account.
    pub name: String,
    /// The phone number (E.164).
    pub phone: String,
    /// The webhook URL, if any.
    pub webhook_url: Option<String>,
}

impl DesiredInstance {
    /// An instance called `name` for `phone`.
    pub fn new(name: impl Into<String>, phone: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            phone: phone.into(),
            webhook_url: None,
        }
    }

    /// With a webhook URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The create request's documented rules, broken: the same check the
    /// client makes before sending (the catalog's), so a fleet can be
    /// refused before anything is sent.
    pub fn violations(&self) -> Vec<crate::catalog_types::Violation> {
        let Some(create) = crate::catalog::find("create_instance") else {
            return Vec::new();
        };
        let mut body = serde_json::Map::new();
        body.insert("name".into(), self.name.clone().into());
        body.insert("phone".into(), self.phone.clone().into());
        if let Some(url) = &self.webhook_url {
            body.insert("webhook_url".into(), url.clone().into());
        }
        create.check_body(&serde_json::Value::Object(body))
    }

    fn differences(&self, existing: &InstanceResponse) -> Vec<Difference> {
        let mut differences = Vec::new();
        if existing.phone != self.phone {
            differences.push(Difference {
                field: "phone",
                wanted: self.phone.clone(),
                actual: existing.phone.clone(),
            });
        }
        differences
    }
}

impl Client {
    /// Makes sure an instance called exactly `desired.name` exists: finds
    /// it (`filter[name]` matches part of a name, so the match is made
    /// here), or creates it. A create refused with 422 because the name was
    /// taken meanwhile finds the winner instead. Differences it cannot fix
    /// (another phone) are reported, never hidden.
    pub async fn ensure_instance(&self, desired: &DesiredInstance) -> Result<Ensured, Error> {
        self.ensure_with(desired, || self.create(desired)).await
    }

    /// [`Client::ensure_instance`], creating with `create` (which the
    /// connect flow paces by the create limit and its deadline).
    pub(crate) async fn ensure_with<Fut>(
        &self,
        desired: &DesiredInstance,
        create: impl FnOnce() -> Fut,
    ) -> Result<Ensured, Error>
    where
        Fut: std::future::Future<Output = Result<InstanceWithQrCode, Error>>,
    {
        if let Some(existing) = self.find_by_name(&desired.name).await? {
            return Ok(self.existing(desired, existing));
        }
        match create().await {
            Ok(created) => Ok(Ensured::Created(Box::new(created))),
            Err(Error::Http(e)) if e.status == 422 => match self.find_by_name(&desired.name).await?
            {
                Some(existing) => Ok(self.existing(desired, existing)),
                None => Err(Error::Http(e)),
            },
            Err(error) => Err(error),
        }
    }

    fn existing(&self, desired: &DesiredInstance, existing: InstanceResponse) -> Ensured {
        Ensured::Exists {
            differences: desired.differences(&existing),
            instance: Box::new(existing),
        }
    }

    async fn find_by_name(&self, name: &str) -> Result<Option<InstanceResponse>, Error> {
        let listed = self.list_instances().filter_name(name).send().await?;
        Ok(listed.into_iter().find(|i| i.name == name))
    }

    pub(crate) async fn create(
        &self,
        desired: &DesiredInstance,
    ) -> Result<InstanceWithQrCode, Error> {
        let mut request = self
            .create_instance()
            .phone(&desired.phone)
            .name(&desired.name);
        if let Some(url) = &desired.webhook_url {
            request = request.webhook_url(url);
        }
        request.send().await
    }
}

// ------------------------------------------------------------ plan, apply

/// What applying a desired fleet would do to one instance.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlanStep {
    /// `+ create`: no instance has that name.
    Create(DesiredInstance),
    /// `= exists`: it exists as wanted.
    Exists(DesiredInstance, Box<InstanceResponse>),
    /// `! differs`: it exists with differences the API cannot change.
    Differs(DesiredInstance, Box<InstanceResponse>, Vec<Difference>),
}

/// The outcome of one create of [`Client::apply_plan`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Applied {
    /// What was wanted.
    pub desired: DesiredInstance,
    /// The created instance (or where it went wrong; a name taken meanwhile
    /// finds the existing instance).
    pub result: Result<Ensured, Error>,
}

impl Client {
    /// Plans a desired fleet against the account with one list request:
    /// each desired instance is created, exists, or differs.
    pub async fn plan_fleet(&self, desired: &[DesiredInstance]) -> Result<Vec<PlanStep>, Error> {
        let listed = self.list_instances().send().await?;
        let by_name: HashMap<&str, &InstanceResponse> =
            listed.iter().map(|i| (i.name.as_str(), i)).collect();
        Ok(desired
            .iter()
            .map(|wanted| match by_name.get(wanted.name.as_str()) {
                None => PlanStep::Create(wanted.clone()),
                Some(existing) => {
                    let differences = wanted.differences(existing);
                    let existing = Box::new((*existing).clone());
                    if differences.is_empty() {
                        PlanStep::Exists(wanted.clone(), existing)
                    } else {
                        PlanStep::Differs(wanted.clone(), existing, differences)
                    }
                }
            })
            .collect())
    }

    /// Carries out a plan's creates, paced by the create limit (whatever
    /// the client's mode: it waits for each slot, so it never meets a 429
    /// of its own), calling `progress` after each. The others are left as
    /// they are.
    pub async fn apply_plan(
        &self,
        plan: &[PlanStep],
        mut progress: impl FnMut(&Applied),
    ) -> Vec<Applied> {
        let mut outcomes = Vec::new();
        for step in plan {
            let PlanStep::Create(desired) = step else {
                continue;
            };
            let result = crate::pace::when_allowed(self, "create_instance", || {
                self.ensure_instance(desired)
            })
            .await;
            let applied = Applied {
                desired: desired.clone(),
                result,
            };
            progress(&applied);
            outcomes.push(applied);
        }
        outcomes
    }
}

// -------------------------------------------------------- doctor, restart

/// What the vendor's docs say to do about an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// WORKING: nothing.
    Nothing,
    /// Stuck in STARTING or PENDING, STOPPED, or FAILED: restart it (and,
    /// FAILED still after a restart, the dashboard or support).
    Restart,
    /// SCAN_QR_CODE: someone must scan a fresh QR code (`connect`).
    ScanQrCode,
    /// STARTING or PENDING for less than the threshold: give it time.
    Wait,
    /// A status this crate does not know: look at it.
    Unknown,
}

/// One instance and its remedy.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Diagnosis {
    /// The instance.
    pub instance: InstanceResponse,
    /// What to do.
    pub remedy: Remedy,
}

/// The remedy the docs give for `instance`, which has been in its status
/// for at least `stuck_for` (STARTING and PENDING are given time until
/// `threshold`).
pub fn diagnose(instance: &InstanceResponse, stuck_for: Duration, threshold: Duration) -> Remedy {
    match instance.status {
        InstanceStatus::Working => Remedy::Nothing,
        InstanceStatus::Starting | InstanceStatus::Pending if stuck_for < threshold => Remedy::Wait,
        InstanceStatus::Starting
        | InstanceStatus::Pending
        | InstanceStatus::Stopped
        | InstanceStatus::Failed => Remedy::Restart,
        InstanceStatus::ScanQrCode => Remedy::ScanQrCode,
        _ => Remedy::Unknown,
    }
}

impl Client {
    /// Diagnoses every instance (or those of `ids`): one list, and while
    /// some are STARTING or PENDING, another list every `poll` until
    /// `threshold` passed, so only those stuck that long get a restart.
    pub async fn diagnose_fleet(
        &self,
        ids: Option<&[String]>,
        threshold: Duration,
        poll: Duration,
    ) -> Result<Vec<Diagnosis>, Error> {
        let started = Instant::now();
        // Since when each instance has had its current status.
        let mut since: HashMap<String, (InstanceStatus, Instant)> = HashMap::new();
        loop {
            let now = Instant::now();
            let listed: Vec<InstanceResponse> = self
                .list_instances()
                .send()
                .await?
                .into_iter()
                .filter(|i| ids.is_none_or(|ids| ids.contains(&i.id)))
                .collect();
            for instance in &listed {
                let entry = since
                    .entry(instance.id.clone())
                    .or_insert((instance.status.clone(), started));
                if entry.0 != instance.status {
                    *entry = (instance.status.clone(), now);
                }
            }
            let waited = now - started;
            let still_starting = listed
                .iter()
                .any(|i| matches!(i.status, InstanceStatus::Starting | InstanceStatus::Pending));
            if !still_starting || waited >= threshold {
                return Ok(listed
                    .into_iter()
                    .map(|instance| {
                        let stuck_for = now - since[&instance.id].1;
                        Diagnosis {
                            remedy: diagnose(&instance, stuck_for, threshold),
                            instance,
                        }
                    })
                    .collect());
            }
            tokio::time::sleep(poll.min(threshold - waited)).await;
        }
    }
}

/// The outcome of one restart of [`Client::restart_many`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Restarted {
    /// The instance.
    pub id: String,
    /// The confirmation, or why it failed.
    pub result: Result<RestartResponse, Error>,
}

impl Client {
    /// Restarts every instance of `ids`, one after the other, paced by the
    /// restart limit (whatever the client's mode), calling `progress`
    /// after each; one failure does not stop the others.
    pub async fn restart_many(
        &self,
        ids: &[String],
        mut progress: impl FnMut(&Restarted),
    ) -> Vec<Restarted> {
        let mut outcomes = Vec::new();
        for id in ids {
            let result = crate::pace::when_allowed(self, "restart_instance", || {
                self.restart_instance(id).send()
            })
            .await;
            let restarted = Restarted {
                id: id.clone(),
                result,
            };
            progress(&restarted);
            outcomes.push(restarted);
        }
        outcomes
    }
}
