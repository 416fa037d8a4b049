//! The memory of the webhook deduplicator, [`MemorySeen`], full at its
//! default capacity, with ids of the recorded examples' length (27 bytes),
//! counted by the counting allocator (which is why this is not part of
//! `webhook_throughput`: counting every allocation slows the receiver more
//! than the bare handler it is compared with).
//! `cargo run --release -p hypersender-bench --bin webhook_memory`

use hypersender::webhooks::{MemorySeen, SeenEvents};
use hypersender_bench::{Counting, peak_during};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let (bytes, seen) = peak_during(|| {
        let seen = MemorySeen::default();
        for n in 0..MemorySeen::DEFAULT_CAPACITY {
            seen.first_delivery(&format!("evt_01xany9g8h7j6k5l{n:010}"));
        }
        seen
    });
    assert_eq!(seen.len(), MemorySeen::DEFAULT_CAPACITY);
    println!(
        "MemorySeen full at its default capacity ({} ids of 27 bytes): {bytes} bytes peak ({:.0} per id)",
        MemorySeen::DEFAULT_CAPACITY,
        bytes as f64 / MemorySeen::DEFAULT_CAPACITY as f64
    );
}
