//! Configuration from environment variables. Nothing configured means the demo; a configured
//! adapter or service with a missing variable is an error, never a silent demo.
//!
//! [`VARIABLES`] is the one list of what the bot reads: `--help` prints it, and a test holds
//! [`Config::from_vars`] to reading nothing else.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::identity::{Operators, UserId};

/// Every environment variable the bot reads, with what it means (`--help` prints this).
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "BOT_ADAPTER",
        "shell (default), campfire (current Campfire, webhooks) or campfire-classic (streaming)",
    ),
    ("BOT_NAME", "the name the bot answers to (default opsbot)"),
    (
        "BOT_OPERATORS",
        "who may run changing commands, comma-separated, or * for everyone: Campfire user ids \
         (the numbers in user URLs) on the Campfire adapters, user names in the shell",
    ),
    (
        "BOT_STATE_FILE",
        "the SQLite file of per-user settings and the audit log (default opsbot.db); a \
         bot-state.json beside it is imported once",
    ),
    (
        "BOT_SHELL_USER",
        "the user name the shell adapter speaks as (default shell)",
    ),
    (
        "BOT_CALL_TIMEOUT_MS",
        "how long one service call may take (default 10000)",
    ),
    (
        "BOT_LISTEN",
        "address of the HTTP listener (GET /healthz; POST /campfire/<secret> for the campfire \
         adapter; POST /opsgenie/<secret> and /statuspage/<secret> when BOT_WEBHOOK_SECRET is \
         set); default 127.0.0.1:8080 with the campfire adapter or a webhook secret, no listener \
         otherwise unless set",
    ),
    (
        "BOT_WEBHOOK_SECRET",
        "the secret path segment of the webhook URLs (required with the campfire adapter); when \
         set, the bot also takes Opsgenie/JSM and Statuspage webhooks on any adapter",
    ),
    (
        "BOT_NOTIFY_ROOMS",
        "room ids notifications are posted into, comma-separated (default: CAMPFIRE_CLASSIC_ROOMS \
         on classic; the shell prints them)",
    ),
    (
        "BOT_NOTIFY_OWN",
        "1 to also announce the alert actions the bot itself made (default 0)",
    ),
    (
        "OPSGENIE_APP_URL",
        "the Opsgenie (or JSM) web app URL, e.g. https://acme.app.opsgenie.com: notifications \
         link to alerts",
    ),
    (
        "BOT_SHUTDOWN_GRACE_MS",
        "on SIGTERM or SIGINT, how long work in flight may take to finish (default 30000)",
    ),
    (
        "BOT_LOG_FORMAT",
        "text (default) or json: one JSON object per log line",
    ),
    (
        "RUST_LOG",
        "log filter, e.g. info or info,opsgenie_client=debug (default info; warn for the shell)",
    ),
    ("STATUSPAGE_API_KEY", "Statuspage API key"),
    (
        "STATUSPAGE_PAGE_ID",
        "the Statuspage page the status commands act on",
    ),
    (
        "STATUSPAGE_BASE_URL",
        "Statuspage API base URL (for tests and proxies)",
    ),
    (
        "STATUSPAGE_PACING_MS",
        "client-side spacing of Statuspage requests (default 1000, 0 turns it off)",
    ),
    ("OPSGENIE_API_KEY", "Opsgenie API key"),
    ("OPSGENIE_REGION", "us (default) or eu"),
    (
        "OPSGENIE_BASE_URL",
        "Opsgenie API base URL (for tests and proxies)",
    ),
    (
        "OPSGENIE_BACKEND",
        "opsgenie (default) or jsm (Jira Service Management Operations)",
    ),
    (
        "JSM_SITE",
        "with OPSGENIE_BACKEND=jsm: your-site, your-site.atlassian.net or a URL",
    ),
    (
        "JSM_CLOUD_ID",
        "with OPSGENIE_BACKEND=jsm: the cloud id (instead of JSM_SITE)",
    ),
    (
        "JSM_EMAIL",
        "with OPSGENIE_BACKEND=jsm: the Atlassian account e-mail",
    ),
    ("JSM_API_TOKEN", "with OPSGENIE_BACKEND=jsm: its API token"),
    ("CAMPFIRE_URL", "current Campfire: the server's URL"),
    ("CAMPFIRE_BOT_KEY", "current Campfire: the bot's key"),
    ("CAMPFIRE_CLASSIC_URL", "classic Campfire: the account URL"),
    ("CAMPFIRE_CLASSIC_TOKEN", "classic Campfire: the API token"),
    (
        "CAMPFIRE_CLASSIC_ROOMS",
        "classic Campfire: room ids to join, comma-separated",
    ),
    (
        "CAMPFIRE_CLASSIC_STREAM_URL",
        "classic Campfire: the streaming API URL (default streaming.campfirenow.com)",
    ),
];

/// A key or token: printed as `<redacted>`.
#[derive(Clone, PartialEq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which chat the bot listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// One command per stdin line, replies on stdout.
    Shell,
    /// Current Campfire: serves the outgoing webhook, posts through the bot API.
    Campfire,
    /// Classic campfirenow.com: follows room streams, answers through speak.
    CampfireClassic,
}

impl Adapter {
    /// The name used in `BOT_ADAPTER`, the store and the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::Shell => "shell",
            Adapter::Campfire => "campfire",
            Adapter::CampfireClassic => "campfire-classic",
        }
    }

    /// Whether users are identified by the chat's numeric user ids (not by name).
    pub fn has_user_ids(self) -> bool {
        !matches!(self, Adapter::Shell)
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `STATUSPAGE_*`.
#[derive(Debug, Clone)]
pub struct StatuspageConfig {
    /// `STATUSPAGE_API_KEY`.
    pub api_key: Secret,
    /// `STATUSPAGE_PAGE_ID`.
    pub page_id: String,
    /// `STATUSPAGE_BASE_URL`.
    pub base_url: Option<String>,
}

/// `OPSGENIE_*`, or with `OPSGENIE_BACKEND=jsm` the `JSM_*` variables.
#[derive(Debug, Clone)]
pub struct OpsgenieConfig {
    /// The Opsgenie API key, or the JSM API token.
    pub api_key: Secret,
    /// `OPSGENIE_REGION=eu`.
    pub eu: bool,
    /// `OPSGENIE_BASE_URL`.
    pub base_url: Option<String>,
    /// Set when the pager is Jira Service Management Operations.
    pub jsm: Option<JsmConfig>,
}

/// `JSM_SITE` or `JSM_CLOUD_ID`, and `JSM_EMAIL` (the token is `OpsgenieConfig::api_key`).
#[derive(Debug, Clone)]
pub struct JsmConfig {
    /// The site (`your-site`, `your-site.atlassian.net` or a URL) whose cloud id is looked up.
    pub site: Option<String>,
    /// The cloud id, when given directly (it wins over the site).
    pub cloud_id: Option<String>,
    /// The Atlassian account e-mail.
    pub email: Secret,
}

/// `CAMPFIRE_URL`, `CAMPFIRE_BOT_KEY`, `BOT_WEBHOOK_SECRET`.
#[derive(Debug, Clone)]
pub struct CampfireConfig {
    /// `CAMPFIRE_URL`.
    pub url: String,
    /// `CAMPFIRE_BOT_KEY`.
    pub bot_key: Secret,
    /// `BOT_WEBHOOK_SECRET`.
    pub webhook_secret: Secret,
}

/// `CAMPFIRE_CLASSIC_*`.
#[derive(Debug, Clone)]
pub struct ClassicConfig {
    /// `CAMPFIRE_CLASSIC_URL`.
    pub url: String,
    /// `CAMPFIRE_CLASSIC_TOKEN`.
    pub token: Secret,
    /// `CAMPFIRE_CLASSIC_ROOMS`.
    pub rooms: Vec<u64>,
    /// `CAMPFIRE_CLASSIC_STREAM_URL`.
    pub stream_url: Option<String>,
}

/// The log line format (`BOT_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines with a timestamp and level.
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything the bot reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BOT_ADAPTER`.
    pub adapter: Adapter,
    /// `BOT_NAME`.
    pub bot_name: String,
    /// Statuspage, when configured.
    pub statuspage: Option<StatuspageConfig>,
    /// Opsgenie (or JSM), when configured.
    pub opsgenie: Option<OpsgenieConfig>,
    /// Current Campfire, when configured.
    pub campfire: Option<CampfireConfig>,
    /// Classic Campfire, when configured.
    pub classic: Option<ClassicConfig>,
    /// `BOT_OPERATORS`.
    pub operators: Operators,
    /// `BOT_STATE_FILE`.
    pub state_file: PathBuf,
    /// `BOT_SHELL_USER`.
    pub shell_user: String,
    /// `STATUSPAGE_PACING_MS`: client-side spacing of Statuspage requests (0 turns it off).
    pub statuspage_pacing: Option<Duration>,
    /// `BOT_CALL_TIMEOUT_MS`: how long one service call may take (default 10 s).
    pub call_timeout: Duration,
    /// `BOT_LISTEN`: where the HTTP listener serves, when the bot listens.
    pub listen: Option<SocketAddr>,
    /// `BOT_SHUTDOWN_GRACE_MS`: how long work in flight may take to finish after a signal.
    pub shutdown_grace: Duration,
    /// `BOT_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `BOT_WEBHOOK_SECRET`: with it the listener takes vendors' webhooks, on any adapter.
    pub webhook_secret: Option<Secret>,
    /// `BOT_NOTIFY_ROOMS`: where notifications go (on classic Campfire, by default its rooms).
    pub notify_rooms: Vec<u64>,
    /// `BOT_NOTIFY_OWN=1`: announce the bot's own alert actions too.
    pub notify_own: bool,
    /// `OPSGENIE_APP_URL`: the web app, for links in notifications.
    pub opsgenie_app_url: Option<String>,
}

/// The listener's address when `BOT_LISTEN` is not set and the adapter needs one.
pub const DEFAULT_LISTEN: ([u8; 4], u16) = ([127, 0, 0, 1], 8080);

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, Vec<String>> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `var` (empty values count as unset). Every problem is
    /// reported at once; a problem names a variable, never a value that could be a secret.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();
        // A group's variables set without its main one: a half-configured service is an error.
        let orphans = |main: &str, others: &[&str], problems: &mut Vec<String>| {
            if var(main).is_none() {
                for other in others.iter().filter(|o| var(o).is_some()) {
                    problems.push(format!("{other} is set but {main} is not"));
                }
            }
        };
        let require = |name: &str, because: &str, problems: &mut Vec<String>| {
            let value = var(name);
            if value.is_none() {
                problems.push(format!("{name} is required when {because} is set"));
            }
            value.unwrap_or_default()
        };

        orphans(
            "STATUSPAGE_API_KEY",
            &["STATUSPAGE_PAGE_ID", "STATUSPAGE_BASE_URL"],
            &mut problems,
        );
        let statuspage = var("STATUSPAGE_API_KEY").map(|key| StatuspageConfig {
            api_key: Secret(key),
            page_id: require("STATUSPAGE_PAGE_ID", "STATUSPAGE_API_KEY", &mut problems),
            base_url: var("STATUSPAGE_BASE_URL"),
        });
        let jsm = match var("OPSGENIE_BACKEND")
            .map(|b| b.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("opsgenie") => false,
            Some("jsm") => true,
            Some(other) => {
                problems.push(format!(
                    "OPSGENIE_BACKEND must be `opsgenie` or `jsm`, not `{other}`"
                ));
                false
            }
        };
        let opsgenie = if jsm {
            let site = var("JSM_SITE");
            let cloud_id = var("JSM_CLOUD_ID");
            if site.is_none() && cloud_id.is_none() {
                problems
                    .push("JSM_SITE or JSM_CLOUD_ID is required when OPSGENIE_BACKEND=jsm".into());
            }
            let email = var("JSM_EMAIL");
            let token = var("JSM_API_TOKEN");
            for (name, value) in [("JSM_EMAIL", &email), ("JSM_API_TOKEN", &token)] {
                if value.is_none() {
                    problems.push(format!("{name} is required when OPSGENIE_BACKEND=jsm"));
                }
            }
            Some(OpsgenieConfig {
                api_key: Secret(token.unwrap_or_default()),
                eu: false,
                base_url: var("OPSGENIE_BASE_URL"),
                jsm: Some(JsmConfig {
                    site,
                    cloud_id,
                    email: Secret(email.unwrap_or_default()),
                }),
            })
        } else {
            orphans(
                "OPSGENIE_API_KEY",
                &["OPSGENIE_REGION", "OPSGENIE_BASE_URL"],
                &mut problems,
            );
            var("OPSGENIE_API_KEY").map(|key| OpsgenieConfig {
                api_key: Secret(key),
                eu: false,
                base_url: var("OPSGENIE_BASE_URL"),
                jsm: None,
            })
        };
        orphans("CAMPFIRE_URL", &["CAMPFIRE_BOT_KEY"], &mut problems);
        let campfire = var("CAMPFIRE_URL").map(|url| CampfireConfig {
            url,
            bot_key: Secret(require("CAMPFIRE_BOT_KEY", "CAMPFIRE_URL", &mut problems)),
            webhook_secret: Secret(require("BOT_WEBHOOK_SECRET", "CAMPFIRE_URL", &mut problems)),
        });
        orphans(
            "CAMPFIRE_CLASSIC_URL",
            &[
                "CAMPFIRE_CLASSIC_TOKEN",
                "CAMPFIRE_CLASSIC_ROOMS",
                "CAMPFIRE_CLASSIC_STREAM_URL",
            ],
            &mut problems,
        );
        let classic = var("CAMPFIRE_CLASSIC_URL").map(|url| ClassicConfig {
            url,
            token: Secret(require(
                "CAMPFIRE_CLASSIC_TOKEN",
                "CAMPFIRE_CLASSIC_URL",
                &mut problems,
            )),
            rooms: Vec::new(),
            stream_url: var("CAMPFIRE_CLASSIC_STREAM_URL"),
        });
        let mut config = Config {
            adapter: Adapter::Shell,
            bot_name: var("BOT_NAME").unwrap_or_else(|| "opsbot".to_owned()),
            statuspage,
            opsgenie,
            campfire,
            classic,
            operators: Operators::Unset,
            state_file: var("BOT_STATE_FILE")
                .unwrap_or_else(|| "opsbot.db".to_owned())
                .into(),
            shell_user: var("BOT_SHELL_USER").unwrap_or_else(|| "shell".to_owned()),
            statuspage_pacing: None,
            call_timeout: Duration::from_secs(10),
            listen: None,
            shutdown_grace: Duration::from_secs(30),
            log_format: LogFormat::Text,
            webhook_secret: var("BOT_WEBHOOK_SECRET").map(Secret),
            notify_rooms: Vec::new(),
            notify_own: false,
            opsgenie_app_url: var("OPSGENIE_APP_URL"),
        };
        config.notify_own = match var("BOT_NOTIFY_OWN").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                problems.push(format!("BOT_NOTIFY_OWN must be 0 or 1, not `{other}`"));
                false
            }
        };
        if let Some(rooms) = var("BOT_NOTIFY_ROOMS") {
            for room in rooms
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|r| !r.is_empty())
            {
                match room.parse() {
                    Ok(id) => config.notify_rooms.push(id),
                    Err(_) => problems.push(format!(
                        "BOT_NOTIFY_ROOMS holds `{room}`, which is not a room id"
                    )),
                }
            }
        }
        if let Some(url) = &config.opsgenie_app_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            problems.push("OPSGENIE_APP_URL must be an http(s) URL".to_owned());
        }
        let millis = |name: &str, zero_ok: bool, problems: &mut Vec<String>| {
            let text = var(name)?;
            match text.parse::<u64>() {
                Ok(ms) if zero_ok || ms > 0 => Some(Duration::from_millis(ms)),
                _ => {
                    problems.push(format!(
                        "{name} must be a {}number of milliseconds, not `{text}`",
                        if zero_ok { "" } else { "positive " }
                    ));
                    None
                }
            }
        };
        if let Some(timeout) = millis("BOT_CALL_TIMEOUT_MS", false, &mut problems) {
            config.call_timeout = timeout;
        }
        if let Some(grace) = millis("BOT_SHUTDOWN_GRACE_MS", true, &mut problems) {
            config.shutdown_grace = grace;
        }
        config.statuspage_pacing = millis("STATUSPAGE_PACING_MS", true, &mut problems);
        if let Some(region) = var("OPSGENIE_REGION") {
            match (
                config.opsgenie.as_mut(),
                region.to_ascii_lowercase().as_str(),
            ) {
                // Without OPSGENIE_API_KEY this is reported above as set on its own.
                (None, _) => {}
                (Some(og), "us") => og.eu = false,
                (Some(og), "eu") => og.eu = true,
                (_, other) => problems.push(format!(
                    "OPSGENIE_REGION must be `us` or `eu`, not `{other}`"
                )),
            }
        }
        config.log_format = match var("BOT_LOG_FORMAT").map(|f| f.to_ascii_lowercase()) {
            None => LogFormat::Text,
            Some(f) if f == "text" => LogFormat::Text,
            Some(f) if f == "json" => LogFormat::Json,
            Some(other) => {
                problems.push(format!(
                    "BOT_LOG_FORMAT must be `text` or `json`, not `{other}`"
                ));
                LogFormat::Text
            }
        };
        if let Some(listen) = var("BOT_LISTEN") {
            match listen.parse() {
                Ok(addr) => config.listen = Some(addr),
                Err(_) => problems.push(format!(
                    "BOT_LISTEN must be an address like 127.0.0.1:8080, not `{listen}`"
                )),
            }
        }
        if let Some(classic) = config.classic.as_mut() {
            let rooms = var("CAMPFIRE_CLASSIC_ROOMS").unwrap_or_default();
            for room in rooms
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|r| !r.is_empty())
            {
                match room.parse() {
                    Ok(id) => classic.rooms.push(id),
                    Err(_) => problems.push(format!(
                        "CAMPFIRE_CLASSIC_ROOMS holds `{room}`, which is not a room id"
                    )),
                }
            }
            if classic.rooms.is_empty() {
                problems.push("CAMPFIRE_CLASSIC_ROOMS (room ids) is required when CAMPFIRE_CLASSIC_URL is set".into());
            }
        }
        config.operators = Operators::parse(var("BOT_OPERATORS").as_deref());
        config.adapter = match var("BOT_ADAPTER")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("shell") => Adapter::Shell,
            Some("campfire") => Adapter::Campfire,
            Some("campfire-classic") => Adapter::CampfireClassic,
            Some(other) => {
                problems.push(format!(
                    "BOT_ADAPTER must be shell, campfire or campfire-classic, not `{other}`"
                ));
                Adapter::Shell
            }
        };
        match config.adapter {
            Adapter::Campfire if config.campfire.is_none() => problems.push(
                "BOT_ADAPTER=campfire needs CAMPFIRE_URL, CAMPFIRE_BOT_KEY and BOT_WEBHOOK_SECRET"
                    .into(),
            ),
            Adapter::CampfireClassic if config.classic.is_none() => problems.push(
                "BOT_ADAPTER=campfire-classic needs CAMPFIRE_CLASSIC_URL, CAMPFIRE_CLASSIC_TOKEN \
                 and CAMPFIRE_CLASSIC_ROOMS"
                    .into(),
            ),
            _ => {}
        }
        // A chat configured but not selected would be silently ignored.
        if config.campfire.is_some() && config.adapter != Adapter::Campfire {
            problems.push("CAMPFIRE_URL is set but BOT_ADAPTER is not campfire".into());
        }
        if config.classic.is_some() && config.adapter != Adapter::CampfireClassic {
            problems
                .push("CAMPFIRE_CLASSIC_URL is set but BOT_ADAPTER is not campfire-classic".into());
        }
        if config.notify_rooms.is_empty()
            && let Some(classic) = &config.classic
        {
            config.notify_rooms = classic.rooms.clone();
        }
        if (config.adapter == Adapter::Campfire || config.webhook_secret.is_some())
            && config.listen.is_none()
        {
            config.listen = Some(SocketAddr::from(DEFAULT_LISTEN));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The demo runs when no service and no chat is configured.
    pub fn is_demo(&self) -> bool {
        self.statuspage.is_none()
            && self.opsgenie.is_none()
            && self.campfire.is_none()
            && self.classic.is_none()
            && self.adapter == Adapter::Shell
    }

    /// What is worth a warning at start, though the bot can run: `BOT_OPERATORS` entries that
    /// can never match on this adapter (names where only ids count), changing commands turned off.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.adapter.has_user_ids() {
            for entry in self.operators.entries() {
                if UserId::numeric(entry).is_none() {
                    warnings.push(format!(
                        "BOT_OPERATORS entry `{entry}` is not a user id: on the {} adapter only \
                         Campfire user ids (numbers) grant anything, so it is ignored",
                        self.adapter
                    ));
                }
            }
        }
        if self.operators == Operators::Unset && !self.is_demo() {
            warnings.push(
                "BOT_OPERATORS is not set: changing commands are refused until it is".to_owned(),
            );
        }
        warnings
    }

    /// The services that are configured, by the names `/healthz` and `--check` use.
    pub fn services(&self) -> Vec<&'static str> {
        let mut services = Vec::new();
        if self.statuspage.is_some() {
            services.push("statuspage");
        }
        if self.opsgenie.is_some() {
            services.push("opsgenie");
        }
        if self.campfire.is_some() {
            services.push("campfire");
        }
        if self.classic.is_some() {
            services.push("campfire-classic");
        }
        services
    }
}

/// `--help`: the program, its flags and every variable.
pub fn help_text() -> String {
    let width = VARIABLES.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut out = String::from(
        "opsbot: a ChatOps bot for Statuspage, Opsgenie (or JSM) and Campfire\n\n\
         usage: opsbot [--check | --help]\n\n\
         With nothing configured it runs the demo: a shell against in-process fakes.\n\n\
         flags:\n  \
         --check  validate the configuration, call each configured service once, and exit\n           \
         (0 when all answered, 1 when one failed, 2 when the configuration is invalid)\n  \
         --help   this text\n\n\
         environment variables:\n",
    );
    for (name, meaning) in VARIABLES {
        out.push_str(&format!("  {name:width$}  {meaning}\n"));
    }
    out
}

#[cfg(test)]
mod tests;
