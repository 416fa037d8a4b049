//! Watching the whole fleet: one `GET /instances` per poll, consecutive
//! lists diffed into events, status changes debounced into flaps; with
//! [`Client::watch_instances_with`], what the instances report themselves
//! (webhooks) merged in, each change reported once, with its source.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::Either;
use tokio::time::Instant;

use super::diff::{Change, diff_with_repeats};
use crate::error::Error;
use crate::generated::types::{InstanceResponse, InstanceStatus};
use crate::runtime::Client;

/// How [`Client::watch_instances`] polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchOptions {
    interval: Duration,
    status: Option<InstanceStatus>,
    flap_window: Option<Duration>,
    silent_after: Option<Duration>,
}

impl WatchOptions {
    /// One `GET /instances` every `interval` (it covers every instance).
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            status: None,
            flap_window: None,
            silent_after: None,
        }
    }

    /// With [`Client::watch_instances_with`]: a WORKING instance that has
    /// reported nothing for `quiet` (since the watch started, or since its
    /// last report) is a [`FleetEvent::WebhooksSilent`], once until it
    /// reports again. Deliveries that stop while the status stays WORKING
    /// are what users of the servers the service resembles meet most.
    pub fn webhooks_silent_after(mut self, quiet: Duration) -> Self {
        self.silent_after = Some(quiet);
        self
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

/// Where a status change was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A poll of `GET /instances`.
    Poll,
    /// A report of the instance's own (a webhook status event).
    Webhook,
}

/// Something an instance reported itself, such as a received webhook, for
/// [`Client::watch_instances_with`]: who, and the status if it says one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstanceReport {
    /// The instance.
    pub instance_id: String,
    /// The status it reports (`None` for any other event, which still
    /// counts as a sign of life).
    pub status: Option<InstanceStatus>,
    /// When it was received.
    pub at: DateTime<Utc>,
}

impl InstanceReport {
    /// A report received now.
    pub fn new(instance_id: impl Into<String>, status: Option<InstanceStatus>) -> Self {
        Self {
            instance_id: instance_id.into(),
            status,
            at: Utc::now(),
        }
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
        /// The instance, as now listed (or as last listed, with the status
        /// it reported).
        instance: Box<InstanceResponse>,
        /// The status before.
        from: InstanceStatus,
        /// When the change was first seen.
        at: DateTime<Utc>,
        /// Where it was first seen: a change a webhook reported is not
        /// reported again by the next poll.
        source: Source,
    },
    /// A WORKING instance has reported nothing for
    /// [`WatchOptions::webhooks_silent_after`].
    WebhooksSilent {
        /// The instance, as last listed.
        instance: Box<InstanceResponse>,
        /// Since when nothing was heard (its last report, or the start of
        /// the watch).
        since: DateTime<Utc>,
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
    /// The list repeated rows: these instances were listed more than once
    /// (a server bug). The watch counts each once; this is reported when
    /// the repeated ids change, not at every poll that repeats them.
    RepeatedRows {
        /// The ids listed more than once.
        ids: Vec<String>,
        /// When.
        at: DateTime<Utc>,
    },
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
    /// The ids last reported as repeated rows.
    repeated: Vec<String>,
    pending: BTreeMap<String, Pending>,
    events: VecDeque<FleetEvent>,
    next_poll: Instant,
    /// What the instances report themselves, if merged.
    reports: Option<Pin<Box<dyn Stream<Item = InstanceReport> + Send + 'a>>>,
    /// When each instance last reported anything.
    heard: HashMap<String, Instant>,
    /// Instances reported silent, until they report again.
    silent: HashSet<String>,
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
        self.watch(options, None)
    }

    /// [`watch_instances`](Self::watch_instances), with what the instances
    /// report themselves merged in (each received webhook as an
    /// [`InstanceReport`]): a status a report brings is a
    /// [`FleetEvent::StatusChanged`] from [`Source::Webhook`] at once, and
    /// the next poll that lists it reports nothing more; a status a poll
    /// sees first is from [`Source::Poll`]. Reports of instances not listed
    /// yet only count as signs of life. With
    /// [`WatchOptions::webhooks_silent_after`], quiet WORKING instances are
    /// reported as [`FleetEvent::WebhooksSilent`].
    pub fn watch_instances_with<'a>(
        &'a self,
        options: WatchOptions,
        reports: impl Stream<Item = InstanceReport> + Send + 'a,
    ) -> impl Stream<Item = FleetEvent> + Send + 'a {
        self.watch(options, Some(Box::pin(reports)))
    }

    fn watch<'a>(
        &'a self,
        options: WatchOptions,
        reports: Option<Pin<Box<dyn Stream<Item = InstanceReport> + Send + 'a>>>,
    ) -> impl Stream<Item = FleetEvent> + Send + 'a {
        let now = Instant::now();
        let watch = Watch {
            client: self,
            options,
            started: now,
            started_wall: Utc::now(),
            last: None,
            repeated: Vec::new(),
            pending: BTreeMap::new(),
            events: VecDeque::new(),
            next_poll: now,
            reports,
            heard: HashMap::new(),
            silent: HashSet::new(),
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
            let poll_due = std::pin::pin!(tokio::time::sleep_until(self.next_poll));
            let report = match &mut self.reports {
                // Whichever comes first: a report, or the next poll. (No
                // `tokio::select!`: the crate does not need tokio's macros.)
                Some(reports) => match futures_util::future::select(reports.next(), poll_due).await
                {
                    Either::Left((report, _)) => Some(report),
                    Either::Right(((), _)) => None,
                },
                None => {
                    poll_due.await;
                    None
                }
            };
            match report {
                Some(Some(report)) => self.reported(report),
                // The reports ended: the watch polls on alone.
                Some(None) => self.reports = None,
                None => self.poll().await,
            }
        }
    }

    /// A report of an instance's own: a sign of life, and a change at once
    /// if it brings a status the last list does not have.
    fn reported(&mut self, report: InstanceReport) {
        self.heard
            .insert(report.instance_id.clone(), Instant::now());
        self.silent.remove(&report.instance_id);
        let Some(status) = report.status else {
            return;
        };
        let Some(listed) = self
            .last
            .as_mut()
            .and_then(|last| last.iter_mut().find(|i| i.id == report.instance_id))
        else {
            return;
        };
        if listed.status == status {
            return;
        }
        let from = std::mem::replace(&mut listed.status, status);
        let instance = Box::new(listed.clone());
        self.pending.remove(&report.instance_id);
        self.events.push_back(FleetEvent::StatusChanged {
            instance,
            from,
            at: report.at,
            source: Source::Webhook,
        });
    }

    /// WORKING instances quiet for longer than allowed, once each.
    fn quiet_ones(&mut self, listed: &[InstanceResponse], polled_at: Instant) {
        let (Some(quiet), Some(_)) = (self.options.silent_after, &self.reports) else {
            return;
        };
        for instance in listed {
            if instance.status != InstanceStatus::Working || self.silent.contains(&instance.id) {
                continue;
            }
            let last_heard = self
                .heard
                .get(&instance.id)
                .copied()
                .unwrap_or(self.started);
            if polled_at.saturating_duration_since(last_heard) >= quiet {
                self.silent.insert(instance.id.clone());
                self.events.push_back(FleetEvent::WebhooksSilent {
                    instance: Box::new(instance.clone()),
                    since: self.wall(last_heard),
                });
            }
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
                // Without a Retry-After, the limiter holds the list back
                // (a whole window); that is the wait.
                let held = self
                    .client
                    .rate_limit_delay("list_instances")
                    .filter(|wait| !wait.is_zero());
                self.back_off(retry_after.or(held).unwrap_or(self.options.interval));
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

    fn listed(&mut self, mut listed: Vec<InstanceResponse>, polled_at: Instant) {
        let at = self.wall(polled_at);
        let before = self.last.take();
        let diff = diff_with_repeats(before.as_deref().unwrap_or_default(), &listed);
        self.repeated_rows(&diff.repeated, &mut listed, at);
        self.last = Some(listed.clone());
        if before.is_none() {
            // The snapshot first, then any instance already quiet.
            let queued = self.events.len();
            self.quiet_ones(&listed, polled_at);
            let quiet = self.events.split_off(queued);
            self.events.push_back(FleetEvent::Snapshot {
                instances: listed,
                at,
            });
            self.events.extend(quiet);
            return;
        }
        for change in diff.changes {
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
        self.quiet_ones(&listed, polled_at);
    }

    /// Keeps the first row of each repeated id, and reports the repeated
    /// ids when they are not those reported last.
    fn repeated_rows(
        &mut self,
        repeated: &[String],
        listed: &mut Vec<InstanceResponse>,
        at: DateTime<Utc>,
    ) {
        if !repeated.is_empty() {
            let mut seen = std::collections::HashSet::new();
            listed.retain(|instance| seen.insert(instance.id.clone()));
        }
        if repeated != self.repeated.as_slice() {
            self.repeated = repeated.to_vec();
            if !repeated.is_empty() {
                self.events.push_back(FleetEvent::RepeatedRows {
                    ids: repeated.to_vec(),
                    at,
                });
            }
        }
    }

    fn status_changed(&mut self, from: InstanceStatus, now: InstanceResponse, polled_at: Instant) {
        let Some(_) = self.options.flap_window else {
            self.events.push_back(FleetEvent::StatusChanged {
                instance: Box::new(now),
                from,
                at: self.wall(polled_at),
                source: Source::Poll,
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
                    source: Source::Poll,
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
