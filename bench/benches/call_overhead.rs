//! Per-call overhead: `list_instances` through the generated client versus a
//! minimal hand-written reqwest + serde call of the same endpoint, against
//! the same loopback keep-alive server, in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use hypersender_bench::{TOKEN, instance_list, serve_fixed};

fn call_overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base_url = runtime.block_on(serve_fixed(instance_list(2)));
    let generated = hypersender::Client::builder(TOKEN)
        .base_url(&base_url)
        .build()
        .unwrap();
    let baseline = baseline_client::Baseline::new(&base_url, TOKEN);

    let mut group = c.benchmark_group("list_instances call");
    group.bench_function("hand-written reqwest + serde", |b| {
        b.to_async(&runtime)
            .iter(|| async { baseline.list_instances(Some("WORKING")).await.unwrap() })
    });
    group.bench_function("generated hypersender client", |b| {
        b.to_async(&runtime).iter(|| async {
            generated
                .list_instances()
                .filter_status(hypersender::InstanceStatus::Working)
                .send()
                .await
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, call_overhead);
criterion_main!(benches);
