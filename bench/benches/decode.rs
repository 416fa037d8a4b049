//! Decoding a 10,000-instance list into the generated types versus a minimal
//! hand-written serde struct (same fields, `String` timestamps and status).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hypersender::types::InstanceResponse;
use hypersender_bench::instance_list;

fn decode(c: &mut Criterion) {
    let body = instance_list(10_000);
    let mut group = c.benchmark_group("decode 10k instances");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(30);
    group.bench_function("hand-written serde struct", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<baseline_client::Instance>>(body.as_bytes()).unwrap()
        })
    });
    group.bench_function("generated types", |b| {
        b.iter(|| {
            hypersender::decode_response::<Vec<InstanceResponse>>("list_instances", body.as_bytes())
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
