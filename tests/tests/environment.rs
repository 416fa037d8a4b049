//! `HYPERSENDER_BASE_URL` as `base_url_from_env` (and so `Client::from_env`
//! and the CLI) reads it: a URL is used as given, unset, empty and blank all
//! mean "not set", text that is not UTF-8 is an error naming the variable.
//! Each case runs a small program with that environment.

use std::ffi::OsString;
use std::process::Command;

fn read_with(value: Option<OsString>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_base_url_from_env"));
    command.env_remove(hypersender::BASE_URL_ENV);
    if let Some(value) = value {
        command.env(hypersender::BASE_URL_ENV, value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn a_base_url_in_the_environment_is_used_as_given() {
    assert_eq!(
        read_with(Some("http://127.0.0.1:9/api/whatsapp/v1".into())),
        "set: http://127.0.0.1:9/api/whatsapp/v1"
    );
}

#[test]
fn unset_empty_and_blank_mean_not_set() {
    assert_eq!(read_with(None), "not set");
    assert_eq!(read_with(Some("".into())), "not set");
    assert_eq!(read_with(Some("  \t".into())), "not set");
}

#[test]
fn text_that_is_not_utf8_is_an_error_naming_the_variable() {
    use std::os::unix::ffi::OsStringExt;
    let said = read_with(Some(OsString::from_vec(vec![b'h', 0xff, b'x'])));
    assert!(said.starts_with("error: "), "{said}");
    assert!(said.contains(hypersender::BASE_URL_ENV), "{said}");
}
