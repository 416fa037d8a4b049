//! Waiting for an instance to reach a status, at the documented pace of
//! health checks, on tokio's clock; how a wait ends without the status is
//! a [`WaitError`].

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::generated::types::{HealthResponse, InstanceStatus};
use crate::runtime::Client;

/// Called with each health seen while waiting.
type OnHealth = Arc<dyn Fn(&HealthResponse) + Send + Sync>;

/// How [`Client::wait_for_status`] waits.
#[derive(Clone)]
pub struct WaitOptions {
    timeout: Duration,
    poll_interval: Option<Duration>,
    stop_on_failed: bool,
    on_health: Option<OnHealth>,
}

impl Default for WaitOptions {
    /// Two minutes; one check per slot of the health limit (6 s for the
    /// documented 10 per minute); a FAILED instance ends the wait.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            poll_interval: None,
            stop_on_failed: true,
            on_health: None,
        }
    }
}

impl std::fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("stop_on_failed", &self.stop_on_failed)
            .finish_non_exhaustive()
    }
}

impl WaitOptions {
    /// Gives up after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks health every `interval` (default: the documented limit's
    /// spacing, 60 s / 10). The client's limiter never lets checks exceed
    /// the documented limit, whatever the interval.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }

    /// Whether FAILED ends the wait with [`WaitError::Failed`] (default
    /// true; ignored when FAILED is the target).
    pub fn stop_on_failed(mut self, stop: bool) -> Self {
        self.stop_on_failed = stop;
        self
    }

    /// Calls `on_health` with every health seen (a progress line, a UI).
    pub fn on_health(
        mut self,
        on_health: impl Fn(&HealthResponse) + Send + Sync + 'static,
    ) -> Self {
        self.on_health = Some(Arc::new(on_health));
        self
    }
}

/// Why [`Client::wait_for_status`] returned without the status.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// The timeout passed before the instance reached the status.
    TimedOut {
        /// The instance waited for.
        instance: String,
        /// The status waited for.
        target: InstanceStatus,
        /// The last health seen, if any check succeeded.
        last: Option<Box<HealthResponse>>,
        /// How long it waited.
        waited: Duration,
    },
    /// The instance is FAILED (and the wait was not for FAILED): the docs'
    /// remedy is a restart, then the dashboard.
    Failed(Box<HealthResponse>),
    /// A health check failed in a way waiting does not fix.
    Api(Error),
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TimedOut {
                instance,
                target,
                last,
                waited,
            } => {
                write!(
                    f,
                    "timed out after {} s waiting for {instance} to be {target}",
                    waited.as_secs()
                )?;
                match last {
                    Some(health) => write!(f, " (it is {})", health.status),
                    None => write!(f, " (no health check succeeded)"),
                }
            }
            Self::Failed(health) => write!(
                f,
                "{} is FAILED: restart it, then check the dashboard",
                health.instance_id
            ),
            Self::Api(error) => std::fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The API error stands for itself: its causes are its own.
            Self::Api(error) => error.source(),
            _ => None,
        }
    }
}

impl From<Error> for WaitError {
    fn from(error: Error) -> Self {
        Self::Api(error)
    }
}

/// The default spacing of health checks: the limit the client keeps for
/// them (6 s for the documented 10 per minute).
pub(crate) fn health_interval(client: &Client) -> Duration {
    client
        .rate_limit("check_health")
        .map_or(Duration::from_secs(6), |limit| limit.spacing())
}

/// Whether an error may go away by itself (worth another check).
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
        Error::Http(e) => e.status.is_server_error(),
        _ => false,
    }
}

impl Client {
    /// Polls `instance`'s health until it is `target`, within the documented
    /// health limit (the client's limiter waits for free slots; a 429 inside
    /// the deadline is waited out).
    ///
    /// Returns the last health, or [`WaitError::TimedOut`] (carrying the
    /// last status seen) when the timeout passes first, or
    /// [`WaitError::Failed`] when the instance is FAILED and the target is
    /// not. A transient error (connection, 5xx, 429) is retried at the next
    /// check; any other is [`WaitError::Api`] at once.
    ///
    /// ```no_run
    /// # async fn example(client: hypersender::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use hypersender::{InstanceStatus, WaitOptions};
    ///
    /// client.restart_instance("fa3d01c4").send().await?;
    /// let options = WaitOptions::default().timeout(Duration::from_secs(60));
    /// let health = client.wait_for_status("fa3d01c4", InstanceStatus::Working, options).await?;
    /// println!("connected at {:?}", health.connected_at);
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_status(
        &self,
        instance: &str,
        target: InstanceStatus,
        options: WaitOptions,
    ) -> Result<HealthResponse, WaitError> {
        let started = Instant::now();
        let deadline = started + options.timeout;
        let interval = options
            .poll_interval
            .unwrap_or_else(|| health_interval(self));
        let mut last: Option<HealthResponse> = None;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let check = tokio::time::timeout(remaining, self.check_health(instance).send()).await;
            let mut pause = interval;
            match check {
                Err(_) => break,
                Ok(Ok(health)) => {
                    if let Some(on_health) = &options.on_health {
                        on_health(&health);
                    }
                    if health.status == target {
                        return Ok(health);
                    }
                    if options.stop_on_failed && health.status == InstanceStatus::Failed {
                        return Err(WaitError::Failed(Box::new(health)));
                    }
                    last = Some(health);
                }
                Ok(Err(error)) if is_transient(&error) => {
                    tracing::info!(error = %error, "health check failed; checking again");
                    if let Some(wait) = error.retry_after() {
                        pause = pause.max(wait);
                    }
                }
                Ok(Err(error)) => return Err(WaitError::Api(error)),
            }
            let wake = Instant::now() + pause;
            if wake >= deadline {
                tokio::time::sleep_until(deadline).await;
                break;
            }
            tokio::time::sleep_until(wake).await;
        }
        Err(WaitError::TimedOut {
            instance: instance.to_owned(),
            target,
            last: last.map(Box::new),
            waited: started.elapsed(),
        })
    }
}
