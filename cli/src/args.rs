//! The command line, as clap reads it. Values the spec constrains (phone,
//! name, webhook URL) are checked by the library before anything is sent
//! (its catalog holds the rules), and reported as bad input; the status is
//! parsed strictly here.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use hypersender::{DesiredInstance, InstanceStatus};

/// Manage Hypersender WhatsApp instances from a terminal.
#[derive(Debug, Parser)]
#[command(name = "hypersender", version, after_help = crate::failure::EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line of this process (exits with clap's usage error
    /// when it is wrong), knowing where the token came from.
    pub fn read() -> Self {
        let matches = Self::command().get_matches();
        let mut cli = Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.global.token_on_command_line =
            matches.value_source("token") == Some(ValueSource::CommandLine);
        cli
    }
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The API's base URL [env: HYPERSENDER_BASE_URL] [default:
    /// https://app.hypersender.com/api/whatsapp/v1]
    // The environment is read in `commands::connect`, not by clap: a
    // variable left set must not conflict with `--mock`.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The API token (never printed).
    #[arg(long, global = true, env = hypersender::TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print instance access tokens in full instead of masking them.
    #[arg(long, global = true)]
    pub show_secrets: bool,
    /// Run the command against an embedded mock of the API: nothing leaves
    /// this machine.
    #[arg(long, global = true, conflicts_with = "base_url")]
    pub mock: bool,
    /// How long one attempt of a request may take (`30`, `30s`; default 30 s).
    #[arg(long = "request-timeout", global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<std::time::Duration>,
    /// Show what the client does on stderr: every request (-v), and the
    /// HTTP stack under it (-vv). Retries and rate-limit waits are always shown.
    #[arg(long = "verbose", short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Whether `--token` was given on the command line (not read from the
    /// environment): the mock adopts only a token given so.
    #[arg(skip)]
    pub token_on_command_line: bool,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage instances.
    #[command(subcommand)]
    Instances(Instances),
    /// Serve the stateful mock of the API until interrupted (Ctrl-C), or
    /// play a phone scanning an instance's QR code on it (`mock scan ID`).
    Mock(MockArgs),
    /// Call any operation of the API by its id, as the spec defines it
    /// (without an operation: list them).
    Api(ApiArgs),
    /// Make the account match a fleet file: plan, then (--yes) create what
    /// is missing, paced by the create limit.
    Apply(ApplyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Receive webhooks as Hypersender posts them (`listen`), or post one
    /// to an endpoint of yours (`send`).
    #[command(subcommand)]
    Webhook(Webhook),
    /// Run the fleet from a browser: a live table, QR onboarding, paced
    /// restarts with a result per row; served on loopback behind a
    /// one-time login link (printed), until Ctrl-C.
    Console(ConsoleArgs),
}

/// `console`.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Where to serve the console (a warning is printed when it is not a
    /// loopback address); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Time between polls of the fleet (one list request each).
    #[arg(long, default_value = "15s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: std::time::Duration,
    /// STARTING or PENDING for this long counts as stuck (a restart is
    /// advised).
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub stuck_after: std::time::Duration,
    /// Also receive webhooks on ADDR: a live monitor of the events, and
    /// the statuses they report merged with the polls.
    #[arg(long, value_name = "ADDR")]
    pub webhooks: Option<SocketAddr>,
    /// The secret of those webhooks (their whole `Authorization` header).
    #[arg(
        long,
        requires = "webhooks",
        env = "HYPERSENDER_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// With --webhooks: mark a WORKING instance that has sent nothing for
    /// this long.
    #[arg(long, default_value = "30m", value_parser = parse_duration, value_name = "DURATION")]
    pub webhooks_silent_after: std::time::Duration,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    #[command(flatten)]
    pub mock_fleet: MockFleetArgs,
    /// The onboarding's connect flow.
    #[command(flatten)]
    pub qr_lifetime: QrLifetimeArg,
}

/// What `/metrics` shows.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Leave out the per-instance series (each instance's status and last
    /// webhook time), for large fleets.
    #[arg(long)]
    pub no_instance_metrics: bool,
}

/// The embedded mock's made-up fleet (with `--mock`).
#[derive(Debug, Args)]
pub struct MockFleetArgs {
    /// With --mock: add this many made-up instances.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub mock_instances: usize,
    /// With --mock: the seed of the made-up instances.
    #[arg(long, default_value_t = 42, value_name = "SEED")]
    pub mock_seed: u64,
    /// With --mock: every DURATION, one WORKING instance flaps to STARTING
    /// for 10 s.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub mock_flap_every: Option<std::time::Duration>,
}

/// `webhook`.
#[derive(Debug, Subcommand)]
pub enum Webhook {
    /// Answer deliveries as the library's receiver does (401 without the
    /// secret, 400 for what is not an event, a repeat marked duplicate)
    /// and print each one, until Ctrl-C.
    Listen(ListenArgs),
    /// Post a recorded example (`message.any`, ...) or a file (`@event.json`)
    /// to URL, as Hypersender would.
    Send(SendArgs),
}

/// The secret deliveries carry in `Authorization`.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// The webhook secret: the whole `Authorization` header of a delivery
    /// (never printed).
    #[arg(long, env = "HYPERSENDER_WEBHOOK_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
}

/// `webhook listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Where to listen; port 0 picks a free port (the URL is printed).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Accept deliveries without the secret (anyone who can reach the port
    /// can then post events).
    #[arg(long, conflicts_with = "secret")]
    pub accept_unauthenticated: bool,
    /// Post each accepted delivery's body on to URL (with the secret, if
    /// any), as it came.
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
}

/// `webhook send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// A recorded example's event name, or `@FILE` for a body of your own.
    #[arg(value_name = "EVENT|@FILE")]
    pub event: String,
    /// The endpoint to post to.
    #[arg(long, value_name = "URL")]
    pub to: String,
    #[command(flatten)]
    pub secret: SecretArgs,
}

/// `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The fleet file (TOML): `[[instance]]` tables with `name`, `phone`
    /// and an optional `webhook_url`.
    #[arg(value_name = "FLEET.toml")]
    pub file: PathBuf,
    /// Carry the plan out (without it, only the plan is printed).
    #[arg(long)]
    pub yes: bool,
    /// After creating, connect each new instance in turn (its QR code).
    #[arg(long, requires = "yes")]
    pub connect: bool,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The operation id (`check_health`); leave out to list every operation.
    pub operation: Option<String>,
    /// A path, query or body parameter, by its name in the spec
    /// (`--param instance=ID`, `--param 'filter[status]=WORKING'`).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub params: Vec<(String, String)>,
    /// The JSON body, inline or `@FILE` (named body `--param`s are laid over it).
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,
}

/// The instance commands.
#[derive(Debug, Subcommand)]
pub enum Instances {
    /// List instances, optionally filtered.
    List(ListArgs),
    /// Create an instance and show the QR code to scan.
    Create(CreateArgs),
    /// Check an instance's health.
    Health(InstanceArg),
    /// Request a new QR code for an instance and show it.
    Qr(QrArgs),
    /// Restart an instance.
    Restart(RestartArgs),
    /// Poll an instance's health until it reaches a status.
    Wait(WaitArgs),
    /// Create (or reuse) an instance and connect it: show its QR code, a
    /// fresh one when it expires, until it is WORKING.
    Connect(ConnectArgs),
    /// Watch every instance: a live table on a terminal, JSON Lines
    /// otherwise (one event per line).
    Watch(WatchArgs),
    /// Say what the docs advise for each instance that is not WORKING, and
    /// (--fix) restart the ones a restart helps, within the rate limits.
    Doctor(DoctorArgs),
}

/// `instances restart`: one instance, or every one with a status.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The instance id.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Every instance (with `--status`, every instance with that status),
    /// one after the other within the restart limit: the plan is printed,
    /// and carried out with `--yes` (or when confirmed at the terminal).
    #[arg(long)]
    pub all: bool,
    /// With `--all`: only instances with this status.
    #[arg(long, value_parser = status_parser(), value_name = "STATUS", requires = "all")]
    pub status: Option<InstanceStatus>,
    /// With `--all`: carry the plan out without asking.
    #[arg(long, requires = "all")]
    pub yes: bool,
}

/// `instances watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Time between polls (one list request covers every instance).
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: std::time::Duration,
    /// Only instances with this status.
    #[arg(long, value_parser = status_parser(), value_name = "STATUS")]
    pub status: Option<InstanceStatus>,
    /// Report a status change only once it lasted this long; one that
    /// reverts sooner is reported once, as a flap.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub debounce: Option<std::time::Duration>,
    /// Also receive webhooks on ADDR (as `webhook listen` does) and merge
    /// the status each reports with the polls: a change is reported once,
    /// with where it was seen first.
    #[arg(long, value_name = "ADDR")]
    pub webhooks: Option<SocketAddr>,
    /// The secret of those webhooks (their whole `Authorization` header).
    #[arg(
        long,
        requires = "webhooks",
        env = "HYPERSENDER_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// With --webhooks: report a WORKING instance that has sent nothing for
    /// this long.
    #[arg(long, requires = "webhooks", value_parser = parse_duration, value_name = "DURATION")]
    pub webhooks_silent_after: Option<std::time::Duration>,
    /// Serve Prometheus metrics of the fleet on http://ADDR/metrics.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<SocketAddr>,
    #[command(flatten)]
    pub metrics_options: MetricsArgs,
    /// Stop after this many events (for scripts and tests).
    #[arg(long, hide = true)]
    pub events: Option<usize>,
}

/// `instances doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The instances to look at.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub ids: Vec<String>,
    /// Every instance.
    #[arg(long)]
    pub all: bool,
    /// Carry the plan out: restart what a restart helps.
    #[arg(long)]
    pub fix: bool,
    /// STARTING or PENDING this long counts as stuck (it is watched that
    /// long before a restart is planned; 0: at once).
    #[arg(long, default_value = "2m", value_parser = parse_duration_or_zero, value_name = "DURATION")]
    pub stuck_after: std::time::Duration,
}

/// The instance that `create` makes and `connect` makes or reuses.
#[derive(Debug, Args)]
pub struct NewInstanceArgs {
    /// Phone number in E.164 format, such as +201234567890.
    #[arg(long, value_name = "PHONE")]
    pub phone: String,
    /// Instance name, at most 50 characters, unique among your instances.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// An https URL to receive incoming messages and status events.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
}

impl NewInstanceArgs {
    /// The instance as the library describes one.
    pub fn desired(&self) -> DesiredInstance {
        let desired = DesiredInstance::new(&self.name, &self.phone);
        match &self.webhook_url {
            Some(url) => desired.webhook_url(url),
            None => desired,
        }
    }
}

/// `instances connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub instance: NewInstanceArgs,
    /// Give up after this long (`300`, `300s`, `5m`).
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub qr_lifetime: QrLifetimeArg,
    /// With `--mock`: the embedded mock's phone scans each QR code after
    /// this long, so the whole flow runs offline (without it nobody can
    /// scan an embedded mock's code).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub mock_scan_after: Option<std::time::Duration>,
    #[command(flatten)]
    pub qr: QrOutput,
}

/// How long a QR code is shown before a fresh one is asked for.
#[derive(Debug, Args)]
pub struct QrLifetimeArg {
    /// How long a QR code can be scanned (documented: about 60 s); for
    /// mocks and tests.
    #[arg(long, default_value = "60s", value_parser = parse_duration, hide = true)]
    pub qr_lifetime: std::time::Duration,
}

/// `instances list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only instances with this status.
    #[arg(long, value_parser = status_parser(), value_name = "STATUS")]
    pub status: Option<InstanceStatus>,
    /// Only instances whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Only the instance with this phone number (E.164).
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// Only the instance with this id.
    #[arg(long, value_name = "ID")]
    pub uuid: Option<String>,
}

/// `instances create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub instance: NewInstanceArgs,
    #[command(flatten)]
    pub qr: QrOutput,
}

/// `instances qr`.
#[derive(Debug, Args)]
pub struct QrArgs {
    /// The instance id.
    pub id: String,
    #[command(flatten)]
    pub qr: QrOutput,
}

/// Where the QR code goes besides the terminal.
#[derive(Debug, Args)]
pub struct QrOutput {
    /// Also save the QR code's PNG image to this file.
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,
}

/// Commands that take one instance.
#[derive(Debug, Args)]
pub struct InstanceArg {
    /// The instance id.
    pub id: String,
}

/// `instances wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The instance id.
    pub id: String,
    /// The status to wait for.
    #[arg(long, value_parser = status_parser(), default_value = "WORKING", value_name = "STATUS")]
    pub until: InstanceStatus,
    /// Give up after this long (`120`, `120s`, `2m`).
    #[arg(long, default_value = "120", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

/// `mock`: serve, or `mock scan ID`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MockArgs {
    #[command(subcommand)]
    pub action: Option<MockAction>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What `mock` does besides serving.
#[derive(Debug, Subcommand)]
pub enum MockAction {
    /// Play a phone scanning the current QR code of an instance on a
    /// running `hypersender mock` (pass its --base-url and --token).
    Scan(InstanceArg),
}

/// How `mock` serves.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Add this many made-up instances (statuses drawn from --seed).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub instances: usize,
    /// The seed of the made-up instances: the same seed, the same fleet.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Every DURATION, one WORKING instance flaps to STARTING for 10 s.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub flap_every: Option<std::time::Duration>,
    /// Post every instance's events to URL, as Hypersender posts to a
    /// webhook_url: a status event at each change (its shape inferred), and
    /// message events asked for on `/__mock/instances/ID/messages`.
    #[arg(long, value_name = "URL")]
    pub webhook_to: Option<String>,
    /// The `Authorization` header of what --webhook-to posts (given here
    /// only: a secret in the environment is not adopted).
    #[arg(long, requires = "webhook_to", value_name = "SECRET")]
    pub webhook_secret: Option<String>,
}

/// A status the spec documents (shells complete them).
fn status_parser() -> impl TypedValueParser<Value = InstanceStatus> {
    PossibleValuesParser::new(InstanceStatus::VALUES).map(|text| InstanceStatus::parse(&text))
}

/// Like [`parse_duration`], but 0 is allowed.
fn parse_duration_or_zero(text: &str) -> Result<std::time::Duration, String> {
    if text.trim().trim_end_matches(['s', 'm', 'h']) == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    parse_duration(text)
}

/// `300`, `300s`, `5m` or `1h`, at least one second.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| "expected a duration such as 90, 90s, 5m or 1h".to_owned())?;
    let seconds = match unit {
        "s" => Some(number),
        "m" => number.checked_mul(60),
        "h" => number.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(|| "expected a duration such as 90, 90s, 5m or 1h".to_owned())?;
    if seconds == 0 {
        return Err("the timeout must be at least 1 second".to_owned());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| "expected NAME=VALUE".to_owned())
}
