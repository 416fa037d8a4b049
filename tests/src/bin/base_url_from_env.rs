//! Prints what `hypersender::base_url_from_env()` reads from this
//! process's environment, for `tests/environment.rs`, which runs it with
//! each kind of value (a test cannot change its own environment safely).

fn main() {
    match hypersender::base_url_from_env() {
        Ok(Some(url)) => println!("set: {url}"),
        Ok(None) => println!("not set"),
        Err(error) => println!("error: {error}"),
    }
}
