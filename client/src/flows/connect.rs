//! Connecting an instance in one call: the documented onboarding flow
//! (find or create, show the QR code, poll until WORKING), within the
//! documented rate limits, on tokio's clock.
//!
//! What is documented and what is inferred: the QR code expires after about
//! 60 s and a fresh one may be requested once a minute (documented); an
//! instance whose QR codes go unscanned for a few minutes turns FAILED and
//! one restart plus a fresh code recovers it (inferred from WAHA, which the
//! service appears to run on; hence `ConnectOptions::max_restarts`).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_core::Stream;
use tokio::time::Instant;

use super::fleet::{Difference, Ensured};
use super::pace::when_allowed;
use super::wait::{health_interval, is_transient};
use crate::error::Error;
use crate::generated::types::{
    HealthResponse, InstanceResponse, InstanceStatus, InstanceWithQrCode,
};
use crate::runtime::Client;
use crate::values::{QR_CODE_LIFETIME, QrCode};

/// What a new (or reused) instance is connected with: the same
/// description of an instance as a fleet's, so [`Client::connect`] finds or
/// creates it exactly as [`Client::ensure_instance`] does.
pub type ConnectRequest = super::fleet::DesiredInstance;

/// How [`Client::connect`] proceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    timeout: Duration,
    qr_lifetime: Duration,
    max_restarts: u32,
    poll_interval: Option<Duration>,
}

impl Default for ConnectOptions {
    /// Five minutes, QR codes good for [`QR_CODE_LIFETIME`], one restart
    /// for a FAILED instance, health checked at the documented limit's pace.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            qr_lifetime: QR_CODE_LIFETIME,
            max_restarts: 1,
            poll_interval: None,
        }
    }
}

impl ConnectOptions {
    /// When the flow gives up.
    pub fn timeout_duration(&self) -> Duration {
        self.timeout
    }

    /// Gives up after `timeout` (time spent waiting for the documented rate
    /// limits, for a create, a new QR code or a restart, is not counted:
    /// the timeout is the time given to the person scanning).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a QR code can be scanned (documented: about 60 s); a fresh
    /// one is requested when it has passed.
    pub fn qr_lifetime(mut self, lifetime: Duration) -> Self {
        self.qr_lifetime = lifetime;
        self
    }

    /// How many restarts a FAILED instance gets (default 1) before the flow
    /// gives up and the dashboard is the documented next step.
    pub fn max_restarts(mut self, restarts: u32) -> Self {
        self.max_restarts = restarts;
        self
    }

    /// Checks health every `interval` (default: the documented limit's pace).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }
}

/// What happened while connecting, in order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConnectEvent {
    /// The instance was created.
    Created(Box<InstanceWithQrCode>),
    /// An instance with exactly this name already existed and is used.
    Reused {
        /// The instance, as listed.
        instance: Box<InstanceResponse>,
        /// What it has that differs from the request and cannot be changed
        /// (another phone: the code to scan links that instance's number);
        /// empty when it matches.
        differences: Vec<Difference>,
    },
    /// A QR code to show: the first, or a fresh one after the last expired
    /// or after a restart (`number` counts them from 1).
    QrCode {
        /// The instance.
        instance_id: String,
        /// The code, with its expiry.
        qr_code: QrCode,
        /// Which code of this flow it is.
        number: u32,
    },
    /// The status changed (the first one seen included).
    Status {
        /// The instance.
        instance_id: String,
        /// The new status.
        status: InstanceStatus,
    },
    /// A FAILED instance was restarted.
    Restarted {
        /// The instance.
        instance_id: String,
    },
    /// The QR code expired and the documented limit holds the fresh one
    /// back for `fresh_in` (a wait that does not count against the
    /// timeout); the fresh code follows as [`QrCode`](Self::QrCode), unless
    /// the instance was scanned meanwhile.
    QrCodeExpired {
        /// The instance.
        instance_id: String,
        /// Which code expired.
        number: u32,
        /// How long until the limit allows a fresh code.
        fresh_in: Duration,
    },
    /// The instance is WORKING; the last event.
    Connected(Box<HealthResponse>),
    /// The flow stopped without a connection; the last event.
    GaveUp {
        /// The instance, if one was created or found.
        instance_id: Option<String>,
        /// Why.
        reason: GiveUpReason,
    },
}

/// Why [`Client::connect`] gave up.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The timeout passed; the last status seen, if any.
    TimedOut(Option<InstanceStatus>),
    /// The instance stayed FAILED after the allowed restarts (the docs'
    /// next step: the dashboard or support).
    Failed {
        /// Restarts tried.
        restarts: u32,
    },
    /// A call failed in a way waiting does not fix.
    Error(Arc<Error>),
}

impl std::fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TimedOut(Some(status)) => write!(f, "timed out while the instance was {status}"),
            Self::TimedOut(None) => f.write_str("timed out before the instance was seen"),
            Self::Failed { restarts } => write!(
                f,
                "the instance is FAILED after {restarts} restart(s): check the dashboard or contact support"
            ),
            Self::Error(error) => write!(f, "{}", error.display_chain()),
        }
    }
}

impl Client {
    /// Connects an instance in one call: the documented onboarding flow as a
    /// stream of [`ConnectEvent`]s.
    ///
    /// 1. An instance whose name is exactly `request`'s is reused (a
    ///    WORKING one connects at once); otherwise it is created (a create
    ///    refused because the name was taken meanwhile reuses the winner).
    /// 2. Its QR code is an event; a fresh one is requested when it expires,
    ///    exactly when the documented 1-per-minute limit allows.
    /// 3. Health is checked at the documented pace; each change is an event.
    /// 4. FAILED gets `max_restarts` restarts (each followed by a fresh QR
    ///    code); WORKING ends the stream with [`ConnectEvent::Connected`];
    ///    the timeout, a lasting FAILED or an error with
    ///    [`ConnectEvent::GaveUp`].
    ///
    /// Nothing runs in the background: dropping the stream stops the flow,
    /// and no request is sent after that. Every wait is on tokio's clock.
    ///
    /// ```no_run
    /// # async fn example(client: hypersender::Client) {
    /// use futures_util::StreamExt;
    /// use hypersender::{ConnectEvent, ConnectOptions, ConnectRequest};
    ///
    /// let flow = client.connect(ConnectRequest::new("Support Line", "+201234567892"), ConnectOptions::default());
    /// let mut flow = std::pin::pin!(flow);
    /// while let Some(event) = flow.next().await {
    ///     match event {
    ///         ConnectEvent::QrCode { qr_code, .. } => println!("scan: {}", qr_code.data_uri()),
    ///         ConnectEvent::Connected(health) => println!("connected at {:?}", health.connected_at),
    ///         ConnectEvent::GaveUp { reason, .. } => eprintln!("gave up: {reason}"),
    ///         _ => {}
    ///     }
    /// }
    /// # }
    /// ```
    pub fn connect(
        &self,
        request: ConnectRequest,
        options: ConnectOptions,
    ) -> impl Stream<Item = ConnectEvent> + Send + '_ {
        let flow = Flow::new(self, request, options, None);
        futures_util::stream::unfold(flow, |mut flow| async move {
            let event = flow.next().await?;
            Some((event, flow))
        })
    }

    /// The same flow for an instance just created (by
    /// [`Client::create_instance`] or [`Client::apply_plan`]): its QR code is
    /// the first event, so the code the create returned is shown, not
    /// replaced by a new one; then health is followed and fresh codes come
    /// as in [`Client::connect`].
    pub fn connect_created(
        &self,
        created: InstanceWithQrCode,
        options: ConnectOptions,
    ) -> impl Stream<Item = ConnectEvent> + Send + '_ {
        let request = ConnectRequest::new(&created.name, &created.phone);
        let flow = Flow::new(self, request, options, Some(Box::new(created)));
        futures_util::stream::unfold(flow, |mut flow| async move {
            let event = flow.next().await?;
            Some((event, flow))
        })
    }
}

/// The connect flow's state between events.
struct Flow<'a> {
    client: &'a Client,
    request: ConnectRequest,
    options: ConnectOptions,
    deadline: Instant,
    interval: Duration,
    started: bool,
    finished: bool,
    /// An instance created before the flow, to start from.
    created: Option<Box<InstanceWithQrCode>>,
    instance_id: Option<String>,
    status: Option<InstanceStatus>,
    /// When the current QR code stops being scannable.
    qr_expires: Option<Instant>,
    qr_codes: u32,
    /// The current code's expiry was reported (with the limit's wait).
    expiry_reported: bool,
    restarts: u32,
    events: VecDeque<ConnectEvent>,
}

impl<'a> Flow<'a> {
    fn new(
        client: &'a Client,
        request: ConnectRequest,
        options: ConnectOptions,
        created: Option<Box<InstanceWithQrCode>>,
    ) -> Self {
        Self {
            created,
            deadline: Instant::now() + options.timeout,
            interval: options
                .poll_interval
                .unwrap_or_else(|| health_interval(client)),
            client,
            request,
            options,
            started: false,
            finished: false,
            instance_id: None,
            status: None,
            qr_expires: None,
            qr_codes: 0,
            expiry_reported: false,
            restarts: 0,
            events: VecDeque::new(),
        }
    }

    /// The next event: queued ones first, else the next step's.
    async fn next(&mut self) -> Option<ConnectEvent> {
        while self.events.is_empty() && !self.finished {
            let step = if self.started {
                self.poll().await
            } else {
                self.started = true;
                self.start().await
            };
            if let Err(reason) = step {
                self.give_up(reason);
            }
        }
        self.events.pop_front()
    }

    fn give_up(&mut self, reason: GiveUpReason) {
        self.finished = true;
        self.events.push_back(ConnectEvent::GaveUp {
            instance_id: self.instance_id.clone(),
            reason,
        });
    }

    fn id(&self) -> String {
        self.instance_id.clone().unwrap_or_default()
    }

    /// Finds or creates the instance (creating when the create limit
    /// allows) and shows its first QR code.
    async fn start(&mut self) -> Result<(), GiveUpReason> {
        if let Some(created) = self.created.take() {
            self.instance_id = Some(created.id.clone());
            self.status_seen(created.status.clone());
            self.show_qr(created.qr_code);
            return Ok(());
        }
        self.spare_the_timeout("create_instance");
        let ensure = self.client.ensure_with(&self.request, || {
            when_allowed(self.client, "create_instance", || {
                self.client.create(&self.request)
            })
        });
        let ensured = match tokio::time::timeout_at(self.deadline, ensure).await {
            Ok(outcome) => outcome.map_err(|error| gave_up(error.into()))?,
            Err(_) => return Err(GiveUpReason::TimedOut(self.status.clone())),
        };
        match ensured {
            Ensured::Created(instance) => {
                self.instance_id = Some(instance.id.clone());
                let qr = instance.qr_code.clone();
                let status = instance.status.clone();
                self.events.push_back(ConnectEvent::Created(instance));
                self.status_seen(status);
                self.show_qr(qr);
                Ok(())
            }
            Ensured::Exists {
                instance,
                differences,
            } => self.reuse(*instance, differences).await,
        }
    }

    async fn reuse(
        &mut self,
        existing: InstanceResponse,
        differences: Vec<Difference>,
    ) -> Result<(), GiveUpReason> {
        self.instance_id = Some(existing.id.clone());
        let status = existing.status.clone();
        self.events.push_back(ConnectEvent::Reused {
            instance: Box::new(existing),
            differences,
        });
        self.status_seen(status.clone());
        match status {
            InstanceStatus::Working => self.check().await,
            InstanceStatus::Failed => self.restart().await,
            // Stopped does not start by itself: the remedy is a restart,
            // which does not count against the restarts of a FAILED one.
            InstanceStatus::Stopped => self.restart_stopped().await,
            InstanceStatus::ScanQrCode => self.fresh_qr_code_unless_scanned().await,
            _ => Ok(()),
        }
    }

    /// One step after the pace's pause: a fresh QR code when the last one
    /// expired and the limit allows, else a health check.
    async fn poll(&mut self) -> Result<(), GiveUpReason> {
        let now = Instant::now();
        let mut wake = now + self.interval;
        if self.status == Some(InstanceStatus::ScanQrCode) {
            // Wake up exactly when the code expires (to say so), then when
            // a fresh one may be requested.
            let expired_at = self.qr_expires.unwrap_or(now);
            let held = if self.expiry_reported {
                self.qr_delay()
            } else {
                Duration::ZERO
            };
            wake = wake.min(expired_at.max(now + held));
        }
        if wake >= self.deadline {
            tokio::time::sleep_until(self.deadline).await;
            return Err(GiveUpReason::TimedOut(self.status.clone()));
        }
        tokio::time::sleep_until(wake).await;
        if self.needs_qr_code() {
            let held = self.qr_delay();
            if held.is_zero() {
                return self.fresh_qr_code_unless_scanned().await;
            }
            self.report_expiry(held);
        }
        self.check().await
    }

    /// A fresh QR code, unless a health check finds the instance scanned
    /// meanwhile (a new code would unlink the phone) or no longer waiting
    /// for a scan.
    async fn fresh_qr_code_unless_scanned(&mut self) -> Result<(), GiveUpReason> {
        self.check().await?;
        if self.finished || self.status != Some(InstanceStatus::ScanQrCode) {
            return Ok(());
        }
        self.fresh_qr_code().await
    }

    /// The code expired while the limit holds the next back: said once per
    /// code, and that wait is added to the deadline.
    fn report_expiry(&mut self, held: Duration) {
        if self.expiry_reported {
            return;
        }
        self.expiry_reported = true;
        self.deadline += held;
        self.events.push_back(ConnectEvent::QrCodeExpired {
            instance_id: self.id(),
            number: self.qr_codes,
            fresh_in: held,
        });
    }

    /// Waiting for a documented rate limit does not count against the
    /// timeout, which is the time given to the person scanning.
    fn spare_the_timeout(&mut self, operation: &str) {
        self.deadline += self.client.rate_limit_delay(operation).unwrap_or_default();
    }

    /// One health check and what it calls for.
    async fn check(&mut self) -> Result<(), GiveUpReason> {
        let id = self.id();
        match self.client.check_health(&id).send().await {
            Ok(health) => self.health_seen(health).await,
            Err(error) if is_transient(&error) => Ok(()),
            Err(error) => Err(gave_up(error.into())),
        }
    }

    async fn health_seen(&mut self, health: HealthResponse) -> Result<(), GiveUpReason> {
        self.status_seen(health.status.clone());
        match health.status {
            InstanceStatus::Working => {
                self.finished = true;
                self.events
                    .push_back(ConnectEvent::Connected(Box::new(health)));
                Ok(())
            }
            InstanceStatus::Failed => self.restart().await,
            _ => Ok(()),
        }
    }

    fn status_seen(&mut self, status: InstanceStatus) {
        if self.status.as_ref() != Some(&status) {
            self.status = Some(status.clone());
            self.events.push_back(ConnectEvent::Status {
                instance_id: self.id(),
                status,
            });
        }
    }

    /// Waiting for a scan with no code, or an expired one.
    fn needs_qr_code(&self) -> bool {
        self.status == Some(InstanceStatus::ScanQrCode)
            && self
                .qr_expires
                .is_none_or(|expires| Instant::now() >= expires)
    }

    fn qr_delay(&self) -> Duration {
        self.client
            .rate_limit_delay("request_new_qr_code")
            .unwrap_or_default()
    }

    fn show_qr(&mut self, qr_code: QrCode) {
        let qr_code = qr_code.with_lifetime(self.options.qr_lifetime);
        self.qr_codes += 1;
        self.qr_expires = Some(qr_code.expires_at());
        self.expiry_reported = false;
        self.events.push_back(ConnectEvent::QrCode {
            instance_id: self.id(),
            qr_code,
            number: self.qr_codes,
        });
    }

    async fn fresh_qr_code(&mut self) -> Result<(), GiveUpReason> {
        self.spare_the_timeout("request_new_qr_code");
        let id = self.id();
        let fresh = self
            .when_allowed("request_new_qr_code", || {
                self.client.request_new_qr_code(&id).send()
            })
            .await
            .map_err(gave_up)?;
        self.status_seen(fresh.status.clone());
        if fresh.status == InstanceStatus::Failed {
            // A code for a FAILED instance cannot be scanned: restart first.
            return self.restart().await;
        }
        self.show_qr(fresh.qr_code);
        Ok(())
    }

    /// A restart of a FAILED instance, within `max_restarts`.
    async fn restart(&mut self) -> Result<(), GiveUpReason> {
        if self.restarts >= self.options.max_restarts {
            return Err(GiveUpReason::Failed {
                restarts: self.restarts,
            });
        }
        self.send_restart().await?;
        self.restarts += 1;
        Ok(())
    }

    /// The one restart of a reused STOPPED instance.
    async fn restart_stopped(&mut self) -> Result<(), GiveUpReason> {
        self.send_restart().await
    }

    async fn send_restart(&mut self) -> Result<(), GiveUpReason> {
        self.spare_the_timeout("restart_instance");
        let id = self.id();
        self.when_allowed("restart_instance", || {
            self.client.restart_instance(&id).send()
        })
        .await
        .map_err(gave_up)?;
        // The restarted instance shows a new code once it asks for a scan.
        self.qr_expires = None;
        self.events
            .push_back(ConnectEvent::Restarted { instance_id: id });
        Ok(())
    }

    /// Sends with `send` once the client's limiter allows `operation`
    /// (whatever its mode), waiting out a 429; past the deadline, the flow
    /// times out instead.
    async fn when_allowed<T, F, Fut>(&self, operation: &str, send: F) -> Result<T, Stop>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let paced = when_allowed(self.client, operation, send);
        match tokio::time::timeout_at(self.deadline, paced).await {
            Ok(outcome) => outcome.map_err(Stop::Error),
            Err(_) => Err(Stop::PastDeadline(self.status.clone())),
        }
    }
}

/// Why a paced call of the flow did not return.
enum Stop {
    /// The call failed.
    Error(Error),
    /// The flow's deadline passed while it waited for a rate limit; the
    /// status seen last.
    PastDeadline(Option<InstanceStatus>),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Self::Error(error)
    }
}

/// The reason to give up after a paced call stopped.
fn gave_up(stop: Stop) -> GiveUpReason {
    match stop {
        Stop::PastDeadline(status) => GiveUpReason::TimedOut(status),
        Stop::Error(error) => GiveUpReason::Error(Arc::new(error)),
    }
}
