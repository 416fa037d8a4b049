//! Ctrl-C. Every command ends on it with one line saying what was done and
//! what was not, and exit code 130 ([`EXIT_INTERRUPTED`]). Long commands
//! (connect, apply, restart --all, watch, wait, doctor) listen themselves
//! and say what they got through; any other command is ended by `main`,
//! which says that nothing more was sent.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// The exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

static PRESSED: OnceLock<watch::Receiver<bool>> = OnceLock::new();
static HANDLED: AtomicBool = AtomicBool::new(false);

/// Starts listening for Ctrl-C (once, on the running runtime).
pub fn listen() {
    let (sender, receiver) = watch::channel(false);
    if PRESSED.set(receiver).is_ok() {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = sender.send(true);
            }
        });
    }
}

/// Resolves when Ctrl-C is pressed (never, when nobody listens).
pub async fn pressed() {
    let Some(receiver) = PRESSED.get() else {
        return std::future::pending().await;
    };
    let mut receiver = receiver.clone();
    if receiver.wait_for(|pressed| *pressed).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The running command reports an interruption itself: `main` waits for it.
pub fn handled_by_command() {
    HANDLED.store(true, Ordering::SeqCst);
}

/// What `main` waits for beside the command: Ctrl-C, unless the command
/// handles it (then never).
pub async fn unhandled() {
    pressed().await;
    if HANDLED.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
}
