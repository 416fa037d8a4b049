//! The build script's work: preparing the spec and generating the client
//! source (what a maintainer pays on every spec change).

use criterion::{Criterion, criterion_group, criterion_main};
use hypersender_openapi::{Source, client_source, prepare_for_progenitor};

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("build script");
    group.sample_size(20);
    group.bench_function("prepare (overlay, 3.1 -> 3.0, operation ids)", |b| {
        b.iter(|| prepare_for_progenitor(Source::VENDORED, Source::OVERLAY).unwrap())
    });
    group.bench_function("prepare + progenitor + SDK layer + prettyplease", |b| {
        b.iter(|| client_source(Source::VENDORED, Source::OVERLAY).unwrap())
    });
    group.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
