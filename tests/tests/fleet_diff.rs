//! `diff_instances` against a plain quadratic reference on random pairs of
//! lists: same order, neighbours swapped, rotated, with instances added and removed, statuses
//! changed, and server-invented statuses. The lockstep fast path must give
//! exactly the reference's changes in the reference's order.

use hypersender::types::InstanceResponse;
use hypersender::{Change, InstanceStatus, diff_instances};
use proptest::prelude::*;

/// The spec's statuses and one the server invented.
fn statuses() -> Vec<&'static str> {
    InstanceStatus::VALUES
        .into_iter()
        .chain(["PAUSED_BY_VENDOR"])
        .collect()
}

fn instance(id: usize, status: &str) -> InstanceResponse {
    serde_json::from_value(serde_json::json!({
        "id": format!("id-{id}"),
        "name": format!("Instance{id}"),
        "phone": "+201234567890",
        "service_type": "whatsapp",
        "status": status,
        "access_token": null,
        "created_at": "2025-05-26T10:12:45",
    }))
    .expect("the test instance decodes")
}

/// What the function promises, written the obvious way.
fn reference(before: &[InstanceResponse], after: &[InstanceResponse]) -> Vec<Change> {
    let find = |list: &[InstanceResponse], id: &str| list.iter().rposition(|i| i.id == id);
    let mut changes = Vec::new();
    for now in after {
        match find(before, &now.id) {
            None => changes.push(Change::Appeared(now.clone())),
            Some(index) if before[index].status != now.status => changes.push(Change::Status {
                from: before[index].status.clone(),
                now: now.clone(),
            }),
            Some(_) => {}
        }
    }
    for old in before {
        if find(after, &old.id).is_none() {
            changes.push(Change::Disappeared(old.clone()));
        }
    }
    changes
}

/// A list of distinct ids out of 0..40 with random statuses, and a next
/// list that keeps a random subset (possibly shuffled), changes some
/// statuses and adds new ids.
fn two_lists() -> impl Strategy<Value = (Vec<InstanceResponse>, Vec<InstanceResponse>)> {
    (
        proptest::sample::subsequence((0..40).collect::<Vec<usize>>(), 0..40),
        proptest::collection::vec((any::<bool>(), 0..statuses().len()), 40),
        proptest::collection::vec(40usize..60, 0..5),
        0..3u8,
        any::<u64>(),
    )
        .prop_map(|(ids, edits, added, reorder, seed)| {
            let statuses = statuses();
            let before: Vec<_> = ids
                .iter()
                .map(|&id| instance(id, statuses[id % statuses.len()]))
                .collect();
            let mut after: Vec<_> = ids
                .iter()
                .filter(|&&id| edits[id].0 || id % 3 != 0)
                .map(|&id| instance(id, statuses[(id + edits[id].1) % statuses.len()]))
                .collect();
            let mut added = added;
            added.sort_unstable();
            added.dedup();
            after.extend(added.into_iter().map(|id| instance(id, "STARTING")));
            match reorder {
                // Far moves: everything shifted.
                1 => {
                    let len = after.len().max(1);
                    after.rotate_left(seed as usize % len);
                }
                // Near moves: some neighbours swapped.
                2 => {
                    for pair in (0..after.len().saturating_sub(1)).step_by(3) {
                        if seed >> (pair % 64) & 1 == 1 {
                            after.swap(pair, pair + 1);
                        }
                    }
                }
                _ => {}
            }
            (before, after)
        })
}

/// A list with some of its rows listed again (exact copies, anywhere).
fn repeating(list: &[InstanceResponse], copies: &[(usize, usize)]) -> Vec<InstanceResponse> {
    let mut repeated = list.to_vec();
    if list.is_empty() {
        return repeated;
    }
    for &(row, at) in copies {
        let copy = list[row % list.len()].clone();
        repeated.insert(at % (repeated.len() + 1), copy);
    }
    repeated
}

/// Each change as (kind, id), sorted: what happened, whatever the order.
fn what_changed(changes: &[Change]) -> Vec<(&'static str, String)> {
    let mut kinds: Vec<(&'static str, String)> = changes
        .iter()
        .map(|change| match change {
            Change::Appeared(i) => ("appeared", i.id.clone()),
            Change::Disappeared(i) => ("disappeared", i.id.clone()),
            Change::Status { now, .. } => ("status", now.id.clone()),
        })
        .collect();
    kinds.sort();
    kinds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_diff_equals_the_reference((before, after) in two_lists()) {
        prop_assert_eq!(diff_instances(&before, &after), reference(&before, &after));
    }

    /// A server that repeats rows (in either list) changes nothing: an
    /// instance listed twice is listed.
    #[test]
    fn repeated_rows_change_nothing(
        (before, after) in two_lists(),
        before_copies in proptest::collection::vec((0usize..60, 0usize..80), 0..4),
        after_copies in proptest::collection::vec((0usize..60, 0usize..80), 0..4),
    ) {
        let with_repeats = diff_instances(
            &repeating(&before, &before_copies),
            &repeating(&after, &after_copies),
        );
        prop_assert_eq!(what_changed(&with_repeats), what_changed(&reference(&before, &after)));
    }
}

#[test]
fn identical_lists_have_no_changes_and_a_status_change_is_reported_once() {
    let before: Vec<_> = (0..10).map(|id| instance(id, "WORKING")).collect();
    assert_eq!(diff_instances(&before, &before), vec![]);
    let mut after = before.clone();
    after[4] = instance(4, "FAILED");
    assert_eq!(
        diff_instances(&before, &after),
        vec![Change::Status {
            from: InstanceStatus::Working,
            now: instance(4, "FAILED"),
        }]
    );
}
