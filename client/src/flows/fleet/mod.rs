//! Fleet operations for accounts with hundreds of instances: watch the
//! whole fleet through one list request per poll, ensure an instance
//! exists, plan and apply a desired fleet, diagnose what the docs say to
//! fix, and restart many instances within the documented limits.

mod diff;
mod doctor;
mod ensure;
mod plan;
mod watch;

pub use diff::{Change, diff_instances};
pub use doctor::{Diagnosis, Remedy, Restarted, diagnose};
pub use ensure::{DesiredInstance, Difference, Ensured};
pub use plan::{Applied, PlanStep};
pub use watch::{FleetEvent, InstanceReport, Source, WatchOptions};
