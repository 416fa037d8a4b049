//! Peak heap memory of decoding a 10,000-instance list: generated types
//! versus the hand-written struct, measured by a counting allocator in the
//! same process. `cargo run --release -p hypersender-bench --bin decode_memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use hypersender::types::InstanceResponse;
use hypersender_bench::instance_list;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call unchanged to the system allocator; it only
// counts sizes in atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated above the starting point while `work` runs.
fn peak_during<T>(work: impl FnOnce() -> T) -> (usize, T) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let result = work();
    (PEAK.load(Ordering::SeqCst) - base, result)
}

fn main() {
    let body = instance_list(10_000);
    println!("body: {} bytes, 10000 instances", body.len());
    let (hand, list) = peak_during(|| {
        serde_json::from_slice::<Vec<baseline_client::Instance>>(body.as_bytes()).unwrap()
    });
    drop(list);
    let (generated, list) = peak_during(|| {
        hypersender::decode_response::<Vec<InstanceResponse>>("list_instances", body.as_bytes())
            .unwrap()
    });
    assert_eq!(list.len(), 10_000);
    drop(list);
    println!("peak heap, hand-written struct: {hand} bytes");
    println!("peak heap, generated types:     {generated} bytes");
    println!(
        "ratio generated / hand-written: {:.3}",
        generated as f64 / hand as f64
    );
}
