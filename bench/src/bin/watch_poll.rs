//! One watch poll over 500 instances: decoding the list alone (the
//! baseline) versus decoding it and diffing it against the previous poll.
//! `cargo run --release -p hypersender-bench --bin watch_poll`
//!
//! Time: the two (and the diff alone) are measured in alternating rounds,
//! so that drift of a shared VM's speed hits all alike; criterion measures
//! one function after the other, and on this VM its two medians moved by up
//! to 20 % between runs, more than the diff costs. Memory: peak heap of
//! each, by a counting allocator.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hypersender::diff_instances;
use hypersender::types::InstanceResponse;
use hypersender_bench::fleet::{FLEET_SIZE, two_polls};
use hypersender_bench::{Counting, peak_during};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: usize = 61;
const POLLS_PER_ROUND: u32 = 100;

fn decode(body: &str) -> Vec<InstanceResponse> {
    hypersender::decode_response("list_instances", body.as_bytes()).unwrap()
}

/// The mean time of one `work` over a round.
fn round(work: &mut impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..POLLS_PER_ROUND {
        work();
    }
    started.elapsed() / POLLS_PER_ROUND
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn main() {
    let (before_body, now_body) = two_polls();
    let before = decode(&before_body);
    let mut decode_alone = || drop(black_box(decode(&now_body)));
    let mut decode_and_diff = || {
        let now = decode(&now_body);
        drop(black_box(diff_instances(&before, &now)));
    };
    let now = decode(&now_body);
    let mut diff_alone = || drop(black_box(diff_instances(&before, &now)));
    let (mut alone, mut with_diff, mut diff) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        alone.push(round(&mut decode_alone));
        with_diff.push(round(&mut decode_and_diff));
        diff.push(round(&mut diff_alone));
    }
    let (alone, with_diff, diff) = (median(alone), median(with_diff), median(diff));
    let changes = diff_instances(&before, &decode(&now_body)).len();
    println!("{FLEET_SIZE} instances, {changes} changes between the two polls");
    println!(
        "time, median of {ROUNDS} alternating rounds of {POLLS_PER_ROUND} polls: \
         decode alone {alone:?}, decode + diff {with_diff:?}, ratio {:.3}",
        with_diff.as_secs_f64() / alone.as_secs_f64()
    );
    println!(
        "diff alone {diff:?}: {:.1} % of decoding",
        100.0 * diff.as_secs_f64() / alone.as_secs_f64()
    );
    let (alone_heap, list) = peak_during(|| decode(&now_body));
    drop(list);
    let (diff_heap, changes) = peak_during(|| diff_instances(&before, &decode(&now_body)));
    drop(changes);
    println!(
        "peak heap: decode alone {alone_heap} bytes, decode + diff {diff_heap} bytes, ratio {:.3}",
        diff_heap as f64 / alone_heap as f64
    );
}
