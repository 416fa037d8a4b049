//! The changes between two lists of instances, matched by id.

use std::collections::HashMap;

use crate::InstanceStatus;
use crate::types::InstanceResponse;

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
