//! What the vendor's docs prescribe for each instance, and restarting many
//! instances at the pace of the restart limit.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::flows::pace::when_allowed;
use crate::generated::types::{InstanceResponse, InstanceStatus, RestartResponse};
use crate::runtime::Client;

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
    /// after each; one failure does not stop the others. An id given twice
    /// is restarted once (a second restart would spend the limit and
    /// interrupt the first), so there is one outcome per distinct id, in
    /// the order first given.
    pub async fn restart_many(
        &self,
        ids: &[String],
        mut progress: impl FnMut(&Restarted),
    ) -> Vec<Restarted> {
        let mut outcomes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
            let result = when_allowed(self, "restart_instance", || {
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
