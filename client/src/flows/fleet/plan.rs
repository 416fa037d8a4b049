//! Planning a desired fleet against the account, and applying the plan's
//! creates at the pace of the create limit.

use std::collections::HashMap;

use super::ensure::{DesiredInstance, Difference, Ensured};
use crate::error::Error;
use crate::flows::pace::when_allowed;
use crate::generated::types::InstanceResponse;
use crate::runtime::Client;

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
            let result =
                when_allowed(self, "create_instance", || self.ensure_instance(desired)).await;
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
