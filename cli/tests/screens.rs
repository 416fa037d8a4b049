//! What the live screens draw, read through tmux as a person would see
//! them, at 160x50, 100x45 and 60x20 and after resizes: `connect` (reusing
//! an instance whose phone differs, with `-v`) and `instances watch`. Each
//! check takes the whole captured screen apart into its blocks (runs of
//! lines between blank ones) and compares every block's text, so a stale
//! line, a cut message or a wrapped row fails it.

mod support;

use hypersender::InstanceStatus;
use hypersender_mock_server::MockConfig;
use support::*;

/// Sizes an operator's windows come in.
const SIZES: [(u16, u16); 3] = [(160, 50), (100, 45), (60, 20)];

/// The screen's blocks: each run of non-blank lines, its lines joined by
/// one space (so text wrapped at spaces reads whole), a QR code as
/// `<QR>`; digits as `#` and runs of spaces as one (countdowns and clocks
/// move while a test reads).
fn blocks(screen: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in screen.lines().chain([""]) {
        let line = line.trim_end();
        if !line.is_empty() {
            current.push(line);
            continue;
        }
        if current.is_empty() {
            continue;
        }
        if current.iter().any(|line| line.contains('█')) {
            assert!(
                current.iter().all(|line| line.contains('█')),
                "a QR code shares its block with text:\n{screen}"
            );
            blocks.push("<QR>".to_owned());
        } else {
            blocks.push(normalized(&current.join(" ")));
        }
        current.clear();
    }
    blocks
}

fn normalized(text: &str) -> String {
    let digits: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    digits.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every line of `screen` fits `width` columns, and it has `height` rows.
fn fits(screen: &str, width: u16, height: u16) -> bool {
    screen
        .lines()
        .all(|line| console::measure_text_width(line) <= usize::from(width))
        && screen.lines().count() == usize::from(height)
}

#[test]
fn connect_draws_every_window_size_whole_and_redraws_on_resize() {
    let mock = Mock::start(MockConfig::default());
    let reused = recorded_instances()
        .into_iter()
        .find(|i| i.status == InstanceStatus::ScanQrCode)
        .expect("the recorded list has a SCAN_QR_CODE instance");
    let other_phone = format!("{}9", reused.phone);
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' -v instances connect --phone '{other_phone}' --name '{}'; sleep 60",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url(),
        reused.name
    );
    let instance = format!("{} ({})", reused.name, reused.id);
    let head = normalized(&format!(
        "Instance  {instance} Status    SCAN_QR_CODE \
         Time left 4:59 (gives up then; rate-limit waits come on top) \
         warning: {instance} has phone {}, not {other_phone}; the API cannot change it",
        reused.phone
    ));
    let caption =
        normalized("QR code 1: expires in 59 s. Scan it in WhatsApp (Settings > Linked Devices).");
    let too_small = normalized(
        "The window is too small for QR code 1: it needs 41x32, this one is 60x20. \
         Enlarge it (the code is drawn again at once), or save the code with --qr-png FILE.",
    );

    let (width, height) = SIZES[0];
    let tmux = Tmux::start(&command, width, height);
    let mut sizes = SIZES.to_vec();
    sizes.push(SIZES[0]); // and back: nothing of the small window is left
    for (width, height) in sizes {
        tmux.resize(width, height);
        let small = width < 100;
        let expected = if small {
            vec![head.clone(), format!("{too_small} {caption}")]
        } else {
            vec![head.clone(), "<QR>".to_owned(), caption.clone()]
        };
        let screen = tmux.wait_until(&format!("the {width}x{height} screen"), |screen| {
            fits(screen, width, height) && blocks(screen) == expected
        });
        if !small {
            assert_eq!(
                Some(decode_drawn_qr(&screen)),
                mock.server.qr_payload(&reused.id),
                "the drawing scans, at {width}x{height}"
            );
        }
    }
}

#[test]
fn connect_shows_the_wait_for_a_fresh_code_and_ends_clean_on_ctrl_c() {
    let mock = Mock::start(MockConfig::default());
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' instances connect --phone +201234567870 --name Waits --qr-lifetime 2s; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url()
    );
    let tmux = Tmux::start(&command, 100, 45);
    // The create's own code shows first; once it expires, the documented
    // limit holds the next back, and the screen says so, counting down.
    tmux.wait_for("QR code 1: expires in");
    let waiting = tmux.wait_until("the wait for a fresh code", |screen| {
        blocks(screen).last().is_some_and(|last| {
            last == &normalized(
                "QR code 1 expired; waiting for the rate limit: Request New QR Code in 58 s",
            )
        })
    });
    assert!(
        !waiting.contains('█'),
        "an expired code is not drawn:\n{waiting}"
    );
    tmux.keys("C-c");
    let done = tmux.wait_for("EXIT=");
    let id = created_id(&mock, "Waits");
    // The live screen is gone; one line (the terminal wraps it) says what
    // was done.
    let text: String = done.lines().map(str::trim_end).collect();
    assert_eq!(
        text,
        format!(
            "interrupted: Waits ({id}) is SCAN_QR_CODE; run the same command again to go on connecting it (it is reused)EXIT=130"
        ),
        "{done}"
    );
}

#[test]
fn watch_fits_its_table_to_any_window_and_redraws_on_resize() {
    let fleet = 50;
    // A frozen clock: no status moves while the test compares.
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 1, 2, 3, 4, 5).unwrap();
    let mock = Mock::start(
        MockConfig::default()
            .frozen_clock(at)
            .generated_instances(fleet, 7),
    );
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' instances watch --interval 1s",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url()
    );
    let listed = listed(&mock);
    let not_working = listed
        .iter()
        .filter(|i| i.status != InstanceStatus::Working)
        .count();
    let (width, height) = SIZES[0];
    let tmux = Tmux::start(&command, width, height);
    for (width, height) in [(160, 50), (100, 45), (70, 20), (60, 20), (160, 50)] {
        tmux.resize(width, height);
        let screen = tmux.wait_until(&format!("the {width}x{height} table"), |screen| {
            fits(screen, width, height)
                && blocks(screen).first().is_some_and(|b| {
                    b.starts_with(&normalized(&format!("{} instances: ", listed.len())))
                })
        });
        let lines: Vec<&str> = screen.lines().collect();
        // A row starts with its instance's id, shortened on narrow windows.
        let names_an_instance = |word: &str| {
            listed.iter().any(|i| {
                i.id == word
                    || word
                        .strip_suffix("...")
                        .is_some_and(|start| start.len() == 8 && i.id.starts_with(start))
            })
        };
        let rows: Vec<&&str> = lines
            .iter()
            .filter(|line| {
                line.split_whitespace()
                    .next()
                    .is_some_and(names_an_instance)
            })
            .collect();
        let more = lines.iter().find(|line| line.starts_with("... and "));
        let hidden = more.map_or(0, |line| {
            line["... and ".len()..]
                .split(' ')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        });
        assert_eq!(
            rows.len() + hidden,
            not_working,
            "every instance that is not WORKING is shown or counted, at {width}x{height}:\n{screen}"
        );
        assert!(
            lines.iter().any(|line| line.trim_end() == "LATEST CHANGES"),
            "the changes' header stays on screen at {width}x{height}:\n{screen}"
        );
        for row in rows {
            assert!(
                InstanceStatus::VALUES
                    .iter()
                    .any(|status| row.split_whitespace().any(|word| word == *status)),
                "each row shows its status whole, at {width}x{height}: {row}"
            );
        }
    }
}

#[test]
fn webhook_listen_tables_what_arrives_at_any_window_size_and_ends_on_ctrl_c() {
    let secret = "screen-webhook-secret";
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let command = format!(
        "{} webhook listen --addr 127.0.0.1:{port} --secret {secret}; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_hypersender"),
    );
    let banner =
        format!("listening for webhooks on {url} (the secret is required); Ctrl-C to stop");
    let tmux = Tmux::start(&command, 160, 50);
    tmux.wait_until("the empty table", |screen| {
        blocks(screen).first() == Some(&normalized(&format!("{banner} 0 event(s), 0 duplicate(s)")))
    });

    // A recorded message twice (the second is a duplicate), then a status
    // update from another instance.
    let example: serde_json::Value =
        serde_json::from_str(hypersender::webhooks::recorded::example("message.any").unwrap())
            .unwrap();
    let messaging = example["data"]["instanceId"].as_str().unwrap().to_owned();
    let reporting = "0f0e0d0c-0b0a-4909-8807-060504030201";
    let status =
        std::env::temp_dir().join(format!("hypersender-screen-{}.json", std::process::id()));
    std::fs::write(
        &status,
        hypersender::webhooks::testing::session_status("evt_screen_status", reporting, "WORKING"),
    )
    .unwrap();
    let status_file = format!("@{}", status.display());
    for event in ["message.any", "message.any", status_file.as_str()] {
        let sent = hypersender(
            &["webhook", "send", event, "--to", &url, "--secret", secret],
            &[],
        );
        assert_eq!(sent.code, 0, "{sent:?}");
    }
    std::fs::remove_file(&status).unwrap();
    let counts = normalized(&format!(
        "{banner} 2 event(s), 1 duplicate(s): 1 message.any, 1 session.status"
    ));

    for (width, height) in [(160, 50), (100, 45), (60, 20), (160, 50)] {
        tmux.resize(width, height);
        let screen = tmux.wait_until(&format!("the {width}x{height} table"), |screen| {
            fits(screen, width, height) && blocks(screen).first() == Some(&counts)
        });
        let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
        let row_of = |id: &str| {
            lines
                .iter()
                .position(|line| {
                    line.split_whitespace().next().is_some_and(|word| {
                        word == id
                            || word
                                .strip_suffix("...")
                                .is_some_and(|start| start.len() == 8 && id.starts_with(start))
                    })
                })
                .unwrap_or_else(|| panic!("a row for {id} at {width}x{height}:\n{screen}"))
        };
        let (newest, older) = (row_of(reporting), row_of(&messaging));
        assert!(
            newest < older,
            "the latest heard first, at {width}x{height}:\n{screen}"
        );
        let words = |at: usize| lines[at].split_whitespace().collect::<Vec<_>>();
        assert_eq!(
            words(newest)[1..4],
            ["1", "session.status", "WORKING"],
            "{screen}"
        );
        assert_eq!(words(older)[1..4], ["1", "message.any", "-"], "{screen}");
        let latest = lines
            .iter()
            .position(|line| *line == "LATEST DELIVERIES")
            .unwrap_or_else(|| panic!("the deliveries' header at {width}x{height}:\n{screen}"));
        let deliveries: Vec<&str> = lines[latest + 1..]
            .iter()
            .copied()
            .filter(|line| !line.is_empty())
            .collect();
        assert_eq!(deliveries.len(), 3, "{screen}");
        if width >= 100 {
            assert!(
                deliveries[0].ends_with("evt_screen_status  WORKING"),
                "{screen}"
            );
            assert!(deliveries[1].ends_with("(duplicate)"), "{screen}");
            assert!(!deliveries[2].contains("(duplicate)"), "{screen}");
        }
    }
    tmux.keys("C-c");
    let done = tmux.wait_for("EXIT=");
    let text: String = done.lines().map(str::trim_end).collect();
    assert!(
        text.ends_with("stopped listening after 2 event(s) and 1 duplicate(s)EXIT=130"),
        "the live screen is gone and one line says what arrived:\n{done}"
    );
}
