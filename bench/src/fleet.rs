//! Two consecutive `GET /instances` answers of one fleet, for the watch
//! benchmarks: the second has some statuses changed, one instance gone and
//! one new, as a poll of a live account would.

use serde_json::Value;

/// The instances in each poll.
pub const FLEET_SIZE: usize = 500;

/// One instance in this many changes status between the two polls.
const CHANGED_EVERY: usize = 20;

/// The previous poll and the current one, as response bodies.
pub fn two_polls() -> (String, String) {
    let before = crate::instance_list(FLEET_SIZE);
    let mut items: Vec<Value> = serde_json::from_str(&before).expect("the list is JSON");
    for item in items.iter_mut().step_by(CHANGED_EVERY) {
        let next = if item["status"] == "WORKING" {
            "STARTING"
        } else {
            "WORKING"
        };
        item["status"] = Value::String(next.to_owned());
    }
    let mut added = items.remove(1);
    added["id"] = Value::String("fa3d01c4-1234-4c0d-a12f-ffffffffffff".to_owned());
    items.push(added);
    (before, Value::Array(items).to_string())
}
