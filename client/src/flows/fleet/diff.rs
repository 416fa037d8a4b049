//! The changes between two lists of instances, matched by id.

use std::collections::{HashMap, HashSet};

use crate::generated::types::{InstanceResponse, InstanceStatus};

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
///
/// A list that repeats a row (a server bug seen in paginated lists) changes
/// nothing: an instance listed twice is listed, so it neither appears again
/// nor disappears, and is reported once.
pub fn diff_instances(before: &[InstanceResponse], after: &[InstanceResponse]) -> Vec<Change> {
    diff_with_repeats(before, after).changes
}

/// The changes between two lists, and the ids `after` lists more than once.
pub(crate) struct Diff {
    pub changes: Vec<Change>,
    /// Ids listed more than once in `after`, in the order first seen.
    pub repeated: Vec<String>,
}

/// [`diff_instances`], also reporting the ids `after` repeats. Repeats are
/// looked for only among the rows that pairing left unmatched (a repeated
/// row always is, unless `before` repeated it too), so a poll in which
/// nothing appeared or disappeared costs nothing more.
pub(crate) fn diff_with_repeats(before: &[InstanceResponse], after: &[InstanceResponse]) -> Diff {
    let partners = pair_by_id(before, after);
    let mut still_listed = vec![false; before.len()];
    let mut changes = Vec::new();
    let unmatched = partners.iter().any(Option::is_none);
    let mut repeats =
        (unmatched || before.len() != after.len()).then(|| Repeats::of(after, &partners));
    // Both lists repeating a row pairs it twice: its change counts once.
    let mut changed: HashSet<&str> = HashSet::new();
    for (index, (now, partner)) in after.iter().zip(&partners).enumerate() {
        match *partner {
            Some(old) => {
                still_listed[old] = true;
                if before[old].status != now.status && changed.insert(&now.id) {
                    changes.push(Change::Status {
                        from: before[old].status.clone(),
                        now: now.clone(),
                    });
                }
            }
            None if repeats.as_mut().is_some_and(|r| r.is_repeat(index)) => {}
            None => changes.push(Change::Appeared(now.clone())),
        }
    }
    // A `before` that repeats a row must not make it disappear twice.
    let mut gone: HashSet<&str> = HashSet::new();
    for (old, listed) in before.iter().zip(still_listed) {
        let present = listed || repeats.as_ref().is_some_and(|r| r.lists(&old.id));
        if !present && gone.insert(&old.id) {
            changes.push(Change::Disappeared(old.clone()));
        }
    }
    Diff {
        changes,
        repeated: repeats.map(Repeats::into_ids).unwrap_or_default(),
    }
}

/// Which rows of a list repeat an instance another of its rows stands for.
struct Repeats<'a> {
    /// Id -> the first row listing it, the row paired with `before` (if
    /// any), and whether the id is already in `repeated`.
    rows: HashMap<&'a str, Row>,
    /// Per row: whether another row stands for its instance (the row paired
    /// with `before`, or else the first row of the id).
    repeat: Vec<bool>,
    repeated: Vec<String>,
}

#[derive(Clone, Copy)]
struct Row {
    first: usize,
    paired: Option<usize>,
    reported: bool,
}

impl<'a> Repeats<'a> {
    fn of(after: &'a [InstanceResponse], partners: &[Option<usize>]) -> Self {
        let mut rows: HashMap<&str, Row> = HashMap::with_capacity(after.len());
        for (index, (instance, partner)) in after.iter().zip(partners).enumerate() {
            let row = rows.entry(instance.id.as_str()).or_insert(Row {
                first: index,
                paired: None,
                reported: false,
            });
            if partner.is_some() && row.paired.is_none() {
                row.paired = Some(index);
            }
        }
        let mut repeated = Vec::new();
        let mut repeat = Vec::with_capacity(after.len());
        for (index, instance) in after.iter().enumerate() {
            let Some(row) = rows.get_mut(instance.id.as_str()) else {
                continue;
            };
            if row.first != index && !row.reported {
                row.reported = true;
                repeated.push(instance.id.clone());
            }
            repeat.push(row.paired.unwrap_or(row.first) != index);
        }
        Self {
            rows,
            repeat,
            repeated,
        }
    }

    /// Whether row `index` repeats an instance another row stands for.
    fn is_repeat(&self, index: usize) -> bool {
        self.repeat[index]
    }

    /// Whether some row lists `id`.
    fn lists(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    fn into_ids(self) -> Vec<String> {
        self.repeated
    }
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
    let mut by_id = by_id;
    for index in left_after {
        // Each row of `before` pairs with one row of `after` at most.
        partners[index] = by_id.remove(after[index].id.as_str());
    }
    partners
}
