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
/// row always is, unless `before` repeated it too): a poll in which nothing
/// appeared or disappeared costs nothing more, and one with a few changes
/// a scan per unmatched row.
pub(crate) fn diff_with_repeats(before: &[InstanceResponse], after: &[InstanceResponse]) -> Diff {
    let partners = pair_by_id(before, after);
    let mut still_listed = vec![false; before.len()];
    for old in partners.iter().flatten() {
        still_listed[*old] = true;
    }
    let questions = partners.iter().filter(|p| p.is_none()).count()
        + still_listed.iter().filter(|listed| !**listed).count();
    let copies = Copies::new(after, &partners, questions);
    let mut changes = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    let mut reported: HashSet<&str> = HashSet::new();
    // Both lists repeating a row pairs it twice: its change counts once.
    let mut changed: HashSet<&str> = HashSet::new();
    for (index, (now, partner)) in after.iter().zip(&partners).enumerate() {
        match *partner {
            Some(old) => {
                if before[old].status != now.status && changed.insert(&now.id) {
                    changes.push(Change::Status {
                        from: before[old].status.clone(),
                        now: now.clone(),
                    });
                }
            }
            None => {
                let of_id = copies.of(&now.id);
                if of_id.count > 1 && reported.insert(&now.id) {
                    repeated.push(now.id.clone());
                }
                // Another row stands for the instance: the one paired with
                // `before`, or else the first.
                if of_id.paired.is_none() && of_id.first == index {
                    changes.push(Change::Appeared(now.clone()));
                }
            }
        }
    }
    // A `before` that repeats a row must not make it disappear twice.
    let mut gone: HashSet<&str> = HashSet::new();
    for (old, listed) in before.iter().zip(still_listed) {
        if !listed && copies.of(&old.id).count == 0 && gone.insert(&old.id) {
            changes.push(Change::Disappeared(old.clone()));
        }
    }
    Diff { changes, repeated }
}

/// Whether `questions` lookups are worth hashing every id once (a scan
/// each is cheaper for a few). Either way the answers are the same.
fn worth_hashing(questions: usize) -> bool {
    questions > 16
}

/// The rows of a list with one id.
#[derive(Clone, Copy, Default)]
struct OfId {
    /// How many rows list it.
    count: usize,
    /// The first of them.
    first: usize,
    /// The first of them paired with `before`, if any.
    paired: Option<usize>,
}

/// Answers "which rows list this id" for the rows pairing left unmatched:
/// by scanning the list when there are few of them (ids differ in their
/// first bytes, so a scan is a few hundred cheap comparisons), by hashing
/// every id once when there are many.
enum Copies<'a> {
    Scan {
        list: &'a [InstanceResponse],
        partners: &'a [Option<usize>],
    },
    Hashed(HashMap<&'a str, OfId>),
}

impl<'a> Copies<'a> {
    fn new(list: &'a [InstanceResponse], partners: &'a [Option<usize>], questions: usize) -> Self {
        if !worth_hashing(questions) {
            return Self::Scan { list, partners };
        }
        let mut rows: HashMap<&str, OfId> = HashMap::with_capacity(list.len());
        for (index, (instance, partner)) in list.iter().zip(partners).enumerate() {
            let of_id = rows.entry(instance.id.as_str()).or_insert(OfId {
                count: 0,
                first: index,
                paired: None,
            });
            of_id.count += 1;
            if partner.is_some() && of_id.paired.is_none() {
                of_id.paired = Some(index);
            }
        }
        Self::Hashed(rows)
    }

    fn of(&self, id: &str) -> OfId {
        match self {
            Self::Hashed(rows) => rows.get(id).copied().unwrap_or_default(),
            Self::Scan { list, partners } => {
                let mut of_id = OfId::default();
                let rows = list.iter().enumerate().filter(|(_, i)| i.id == id);
                for (index, _) in rows {
                    if of_id.count == 0 {
                        of_id.first = index;
                    }
                    of_id.count += 1;
                    if partners[index].is_some() && of_id.paired.is_none() {
                        of_id.paired = Some(index);
                    }
                }
                of_id
            }
        }
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
