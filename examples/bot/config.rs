//! Configuration from environment variables. Nothing configured means the demo.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

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

/// `STATUSPAGE_*`.
#[derive(Debug, Clone)]
pub struct StatuspageConfig {
    pub api_key: Secret,
    pub page_id: String,
    pub base_url: Option<String>,
}

/// `OPSGENIE_*`, or with `OPSGENIE_BACKEND=jsm` the `JSM_*` variables.
#[derive(Debug, Clone)]
pub struct OpsgenieConfig {
    /// The Opsgenie API key, or the JSM API token.
    pub api_key: Secret,
    pub eu: bool,
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

/// `CAMPFIRE_URL`, `CAMPFIRE_BOT_KEY`, `BOT_LISTEN`, `BOT_WEBHOOK_SECRET`.
#[derive(Debug, Clone)]
pub struct CampfireConfig {
    pub url: String,
    pub bot_key: Secret,
    pub listen: SocketAddr,
    pub webhook_secret: Secret,
}

/// `CAMPFIRE_CLASSIC_*`.
#[derive(Debug, Clone)]
pub struct ClassicConfig {
    pub url: String,
    pub token: Secret,
    pub rooms: Vec<u64>,
    pub stream_url: Option<String>,
}

/// Who may run commands that change anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Operators {
    /// `BOT_OPERATORS` unset: nobody (outside the demo).
    Unset,
    /// `*`: everybody.
    Everyone,
    /// These user names or ids (compared case-insensitively).
    Only(BTreeSet<String>),
}

impl Operators {
    /// Whether a user (by name or id) is an operator.
    pub fn allows(&self, name: &str, id: Option<&str>) -> bool {
        match self {
            Operators::Unset => false,
            Operators::Everyone => true,
            Operators::Only(set) => {
                set.contains(&name.to_lowercase())
                    || id.is_some_and(|id| set.contains(&id.to_lowercase()))
            }
        }
    }
}

/// Everything the bot reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub adapter: Adapter,
    pub bot_name: String,
    pub statuspage: Option<StatuspageConfig>,
    pub opsgenie: Option<OpsgenieConfig>,
    pub campfire: Option<CampfireConfig>,
    pub classic: Option<ClassicConfig>,
    pub operators: Operators,
    pub state_file: PathBuf,
    pub shell_user: String,
    /// `STATUSPAGE_PACING_MS`: client-side spacing of Statuspage requests (0 turns it off).
    pub statuspage_pacing: Option<std::time::Duration>,
    /// `BOT_CALL_TIMEOUT_MS`: how long one service call may take (default 10 s).
    pub call_timeout: std::time::Duration,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, Vec<String>> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `var` (empty values count as unset). Every problem is reported at once.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();
        let mut require = |name: &str, because: &str| {
            let value = var(name);
            if value.is_none() {
                problems.push(format!("{name} is required when {because} is set"));
            }
            value.unwrap_or_default()
        };

        let statuspage = var("STATUSPAGE_API_KEY").map(|key| StatuspageConfig {
            api_key: Secret(key),
            page_id: require("STATUSPAGE_PAGE_ID", "STATUSPAGE_API_KEY"),
            base_url: var("STATUSPAGE_BASE_URL"),
        });
        // Collected apart: `require` holds `problems` until the services are read.
        let mut jsm_problems: Vec<String> = Vec::new();
        let jsm = match var("OPSGENIE_BACKEND")
            .map(|b| b.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("opsgenie") => false,
            Some("jsm") => true,
            Some(other) => {
                jsm_problems.push(format!(
                    "OPSGENIE_BACKEND must be `opsgenie` or `jsm`, not `{other}`"
                ));
                false
            }
        };
        let opsgenie = if jsm {
            let site = var("JSM_SITE");
            let cloud_id = var("JSM_CLOUD_ID");
            if site.is_none() && cloud_id.is_none() {
                jsm_problems
                    .push("JSM_SITE or JSM_CLOUD_ID is required when OPSGENIE_BACKEND=jsm".into());
            }
            let email = var("JSM_EMAIL");
            let token = var("JSM_API_TOKEN");
            for (name, value) in [("JSM_EMAIL", &email), ("JSM_API_TOKEN", &token)] {
                if value.is_none() {
                    jsm_problems.push(format!("{name} is required when OPSGENIE_BACKEND=jsm"));
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
            var("OPSGENIE_API_KEY").map(|key| OpsgenieConfig {
                api_key: Secret(key),
                eu: false,
                base_url: var("OPSGENIE_BASE_URL"),
                jsm: None,
            })
        };
        let campfire = var("CAMPFIRE_URL").map(|url| CampfireConfig {
            url,
            bot_key: Secret(require("CAMPFIRE_BOT_KEY", "CAMPFIRE_URL")),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            webhook_secret: Secret(require("BOT_WEBHOOK_SECRET", "CAMPFIRE_URL")),
        });
        let classic = var("CAMPFIRE_CLASSIC_URL").map(|url| ClassicConfig {
            url,
            token: Secret(require("CAMPFIRE_CLASSIC_TOKEN", "CAMPFIRE_CLASSIC_URL")),
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
                .unwrap_or_else(|| "bot-state.json".to_owned())
                .into(),
            shell_user: var("BOT_SHELL_USER").unwrap_or_else(|| "shell".to_owned()),
            statuspage_pacing: None,
            call_timeout: std::time::Duration::from_secs(10),
        };
        problems.extend(jsm_problems);
        if let Some(ms) = var("BOT_CALL_TIMEOUT_MS") {
            match ms.parse::<u64>() {
                Ok(ms) if ms > 0 => config.call_timeout = std::time::Duration::from_millis(ms),
                _ => problems.push(format!(
                    "BOT_CALL_TIMEOUT_MS must be a positive number of milliseconds, not `{ms}`"
                )),
            }
        }
        if let Some(ms) = var("STATUSPAGE_PACING_MS") {
            match ms.parse() {
                Ok(ms) => config.statuspage_pacing = Some(std::time::Duration::from_millis(ms)),
                Err(_) => problems.push(format!(
                    "STATUSPAGE_PACING_MS must be a number of milliseconds, not `{ms}`"
                )),
            }
        }

        if let (Some(og), Some(region)) = (config.opsgenie.as_mut(), var("OPSGENIE_REGION")) {
            match region.to_ascii_lowercase().as_str() {
                "us" => og.eu = false,
                "eu" => og.eu = true,
                other => problems.push(format!(
                    "OPSGENIE_REGION must be `us` or `eu`, not `{other}`"
                )),
            }
        }
        if let (Some(cf), Some(listen)) = (config.campfire.as_mut(), var("BOT_LISTEN")) {
            match listen.parse() {
                Ok(addr) => cf.listen = addr,
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
        config.operators = match var("BOT_OPERATORS") {
            None => Operators::Unset,
            Some(list) if list == "*" => Operators::Everyone,
            Some(list) => Operators::Only(
                list.split(',')
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        };
        config.adapter = match var("BOT_ADAPTER")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("shell") => Adapter::Shell,
            Some("campfire") => {
                if config.campfire.is_none() {
                    problems.push("BOT_ADAPTER=campfire needs CAMPFIRE_URL, CAMPFIRE_BOT_KEY and BOT_WEBHOOK_SECRET".into());
                }
                Adapter::Campfire
            }
            Some("campfire-classic") => {
                if config.classic.is_none() {
                    problems.push(
                        "BOT_ADAPTER=campfire-classic needs CAMPFIRE_CLASSIC_URL, CAMPFIRE_CLASSIC_TOKEN and CAMPFIRE_CLASSIC_ROOMS"
                            .into(),
                    );
                }
                Adapter::CampfireClassic
            }
            Some(other) => {
                problems.push(format!(
                    "BOT_ADAPTER must be shell, campfire or campfire-classic, not `{other}`"
                ));
                Adapter::Shell
            }
        };
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The demo runs when no service at all is configured.
    pub fn is_demo(&self) -> bool {
        self.statuspage.is_none()
            && self.opsgenie.is_none()
            && self.campfire.is_none()
            && self.classic.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, Vec<String>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_is_the_demo() {
        let config = config(&[]).unwrap();
        assert!(config.is_demo());
        assert_eq!(config.adapter, Adapter::Shell);
        assert_eq!(config.bot_name, "opsbot");
        assert_eq!(config.operators, Operators::Unset);
    }

    #[test]
    fn partial_service_configuration_is_reported() {
        let problems = config(&[("STATUSPAGE_API_KEY", "k"), ("BOT_ADAPTER", "irc")]).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("STATUSPAGE_PAGE_ID")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("BOT_ADAPTER")),
            "{problems:?}"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let config = config(&[
            ("STATUSPAGE_API_KEY", "sp-secret-key"),
            ("STATUSPAGE_PAGE_ID", "page1"),
            ("OPSGENIE_API_KEY", "og-secret-key"),
            ("OPSGENIE_REGION", "EU"),
        ])
        .unwrap();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("sp-secret-key") && !debug.contains("og-secret-key"),
            "{debug}"
        );
        assert!(config.opsgenie.unwrap().eu);
        assert!(!debug.is_empty());
    }

    #[test]
    fn jsm_backend_needs_its_variables_and_keeps_them_secret() {
        let problems = config(&[("OPSGENIE_BACKEND", "jsm")]).unwrap_err();
        for name in ["JSM_SITE or JSM_CLOUD_ID", "JSM_EMAIL", "JSM_API_TOKEN"] {
            assert!(problems.iter().any(|p| p.contains(name)), "{problems:?}");
        }
        let problems = config(&[("OPSGENIE_BACKEND", "pagerduty")]).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("OPSGENIE_BACKEND")),
            "{problems:?}"
        );
        let config = config(&[
            ("OPSGENIE_BACKEND", "JSM"),
            ("JSM_SITE", "acme"),
            ("JSM_EMAIL", "ann.secret@example.com"),
            ("JSM_API_TOKEN", "jsm-secret-token"),
            ("OPSGENIE_API_KEY", "ignored-genie-key"),
        ])
        .unwrap();
        assert!(!config.is_demo());
        let og = config.opsgenie.clone().unwrap();
        let jsm = og.jsm.unwrap();
        assert_eq!(jsm.site.as_deref(), Some("acme"));
        assert_eq!(jsm.cloud_id, None);
        assert_eq!(og.api_key.0, "jsm-secret-token");
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("ann.secret@example.com") && !debug.contains("jsm-secret-token"),
            "{debug}"
        );
    }

    #[test]
    fn operators() {
        let only = config(&[("BOT_OPERATORS", "Ann, 42")]).unwrap().operators;
        assert!(only.allows("ann", None));
        assert!(only.allows("zed", Some("42")));
        assert!(!only.allows("bob", Some("7")));
        assert!(
            config(&[("BOT_OPERATORS", "*")])
                .unwrap()
                .operators
                .allows("anyone", None)
        );
        assert!(!Operators::Unset.allows("ann", None));
    }

    #[test]
    fn classic_rooms_are_parsed() {
        let config = config(&[
            ("BOT_ADAPTER", "campfire-classic"),
            ("CAMPFIRE_CLASSIC_URL", "http://127.0.0.1:1"),
            ("CAMPFIRE_CLASSIC_TOKEN", "t"),
            ("CAMPFIRE_CLASSIC_ROOMS", "1, 2 3"),
        ])
        .unwrap();
        assert_eq!(config.classic.unwrap().rooms, vec![1, 2, 3]);
    }
}
