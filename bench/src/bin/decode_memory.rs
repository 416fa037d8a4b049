//! Peak heap memory of decoding a 10,000-instance list: generated types
//! versus the hand-written struct, measured by a counting allocator in the
//! same process. `cargo run --release -p hypersender-bench --bin decode_memory`

use hypersender::types::InstanceResponse;
use hypersender_bench::{Counting, instance_list, peak_during};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
