//! What users do with the API over minutes, built on the public
//! [`Client`](crate::Client) alone: waiting for a status, connecting an
//! instance, and running a fleet. Every wait is on tokio's clock and every
//! request within the documented limits.

mod connect;
mod fleet;
mod pace;
mod wait;

pub use connect::{ConnectEvent, ConnectOptions, ConnectRequest, GiveUpReason};
pub use fleet::{
    Applied, Change, DesiredInstance, Diagnosis, Difference, Ensured, FleetEvent, InstanceReport,
    PlanStep, Remedy, Restarted, Source, WatchOptions, diagnose, diff_instances,
};
pub use wait::{WaitError, WaitOptions};
