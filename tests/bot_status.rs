//! The Status page commands of incidents that know their components, end to end in process
//! (`Bot::handle` against `FakeStatuspage`, and `FakeOpsgenie` for what happened in chat), with
//! the fake's resulting state asserted after every command: `open ... on ...`, `affect`,
//! `resolve`, several components at once, `impact`, `templates`, `open from`, subscriber
//! counts, `uptime`, `postmortem`; unknown and ambiguous names, bad statuses and impacts, and a
//! non-operator trying each changing command.

use opsbot::{Bot, Operators, Speaker, Store};
use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;
use statuspage_client::{Component, ComponentStatus, Impact, Incident, IncidentStatus};

struct World {
    statuspage: FakeStatuspage,
    opsgenie: FakeOpsgenie,
    client: statuspage_client::Client,
    bot: Bot,
}

async fn world() -> World {
    let statuspage = FakeStatuspage::start().await.expect("statuspage fake");
    let opsgenie = FakeOpsgenie::builder()
        .start()
        .await
        .expect("opsgenie fake");
    let client = statuspage.client().expect("a client");
    let bot = Bot::builder("opsbot")
        .statuspage(client.clone(), statuspage.page_id().to_string())
        .opsgenie(opsgenie.client().expect("a client"))
        .operators(Operators::parse(Some("ann")))
        .store(Store::in_memory())
        .build();
    World {
        statuspage,
        opsgenie,
        client,
        bot,
    }
}

impl World {
    async fn ann(&self, line: &str) -> String {
        self.bot.handle(&Speaker::shell("ann"), line).await
    }

    async fn bob(&self, line: &str) -> String {
        self.bot.handle(&Speaker::shell("bob"), line).await
    }

    fn page(&self) -> String {
        self.statuspage.page_id().to_string()
    }

    fn component(&self, name: &str) -> Component {
        self.statuspage
            .component_by_name(name)
            .unwrap_or_else(|| panic!("no component {name}"))
    }

    fn status_of(&self, name: &str) -> ComponentStatus {
        self.component(name).status
    }

    fn statuses(&self) -> Vec<(String, ComponentStatus)> {
        self.statuspage
            .components()
            .into_iter()
            .map(|c| (c.name, c.status))
            .collect()
    }

    fn incident(&self, id: &str) -> Incident {
        self.statuspage
            .incidents()
            .into_iter()
            .find(|i| i.id.as_str() == id)
            .expect("the incident")
    }

    async fn subscribe(&self, n: usize) {
        let page = self.page();
        for i in 0..n {
            self.client
                .subscribers(&page)
                .create()
                .email(format!("reader{i}@example.invalid"))
                .skip_confirmation_notification(true)
                .await
                .expect("a subscriber");
        }
    }
}

fn names(incident: &Incident) -> Vec<String> {
    let mut names: Vec<String> = incident.components.iter().map(|c| c.name.clone()).collect();
    names.sort();
    names
}

/// The id the answer "Opened incident <id> ..." names.
fn opened_id(answer: &str) -> String {
    answer
        .strip_prefix("Opened incident ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("not an opening: {answer}"))
        .to_owned()
}

/// `open ... on A, B <status>` sets them through the incident (its affected components, recorded
/// on its first update); `affect` adds one; `resolve` puts all of them back to operational.
#[tokio::test]
async fn components_go_through_the_incident_from_open_to_resolve() {
    let w = world().await;
    w.subscribe(3).await;
    let answer = w
        .ann("status open investigating API down: requests fail on API, website major outage")
        .await;
    assert!(answer.starts_with("Opened incident "), "{answer}");
    assert!(
        answer.contains("API, Website: now major outage through it."),
        "{answer}"
    );
    assert!(
        answer.ends_with("Notifications are on: 3 subscribers will be told."),
        "{answer}"
    );
    let id = opened_id(&answer);
    let incident = w.incident(&id);
    assert_eq!(incident.name, "API down");
    assert_eq!(incident.status, IncidentStatus::Investigating);
    assert_eq!(names(&incident), ["API", "Website"]);
    let first = incident.latest_update().expect("the first update");
    assert_eq!(first.body.as_deref(), Some("requests fail"));
    assert_eq!(first.deliver_notifications, Some(true));
    let changed: Vec<_> = first
        .affected_components
        .iter()
        .flatten()
        .map(|a| (a.name.clone(), a.new_status.clone()))
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(
        changed
            .iter()
            .all(|(_, s)| *s == Some(ComponentStatus::MajorOutage))
    );
    assert_eq!(w.status_of("API"), ComponentStatus::MajorOutage);
    assert_eq!(w.status_of("Website"), ComponentStatus::MajorOutage);
    assert_eq!(
        w.status_of("Build Processing"),
        ComponentStatus::Operational
    );

    let answer = w.ann("status AFFECT build processing degraded").await;
    assert!(
        answer.starts_with(
            "Build Processing is now degraded performance (was: operational) through the most \
             recent unresolved incident"
        ),
        "{answer}"
    );
    assert!(
        answer.contains("Its affected components: API, Build Processing, Website."),
        "{answer}"
    );
    assert!(answer.contains("3 subscribers will be told"), "{answer}");
    assert_eq!(
        names(&w.incident(&id)),
        ["API", "Build Processing", "Website"]
    );
    assert_eq!(
        w.status_of("Build Processing"),
        ComponentStatus::DegradedPerformance
    );

    // With the incident's id, a bad status, an unknown component: a clear answer, nothing changed.
    let before = w.statuses();
    let answer = w
        .ann(&format!("/status affect {id} Log Streaming sideways"))
        .await;
    assert!(
        answer.starts_with("say which component and its status"),
        "{answer}"
    );
    let answer = w.ann(&format!("status affect {id} Nope major")).await;
    assert!(
        answer.starts_with("No component matches \"Nope\""),
        "{answer}"
    );
    assert_eq!(w.statuses(), before);

    let answer = w.ann("status resolve all good").await;
    assert!(
        answer.starts_with("Resolved the most recent unresolved incident"),
        "{answer}"
    );
    assert!(
        answer.contains("Back to operational: API, Build Processing, Website."),
        "{answer}"
    );
    assert!(answer.contains("3 subscribers will be told"), "{answer}");
    assert_eq!(w.incident(&id).status, IncidentStatus::Resolved);
    for name in ["API", "Website", "Build Processing"] {
        assert_eq!(w.status_of(name), ComponentStatus::Operational, "{name}");
    }

    // A resolved incident takes no more components.
    let answer = w.ann(&format!("status affect {id} API major")).await;
    assert!(
        answer.contains("is resolved, not open: nothing changed"),
        "{answer}"
    );
    assert_eq!(w.status_of("API"), ComponentStatus::Operational);
}

/// The `on ...` clause counts only when it names known components; otherwise it stays text. A
/// name that matches several components is a question, and nothing is opened.
#[tokio::test]
async fn on_clauses_that_name_no_component_stay_in_the_text() {
    let w = world().await;
    let answer = w
        .ann("status open identified Slow builds: jobs wait on Fridays major")
        .await;
    assert!(
        answer.contains("No component is called \"Fridays\""),
        "{answer}"
    );
    assert!(
        answer.ends_with("Notifications are on: 0 subscribers will be told."),
        "{answer}"
    );
    let incident = w.incident(&opened_id(&answer));
    assert_eq!(incident.name, "Slow builds");
    assert_eq!(
        incident.latest_update().and_then(|u| u.body.clone()),
        Some("jobs wait on Fridays major".to_owned())
    );
    assert!(incident.components.is_empty());

    // A substring does not name a component: "it" is in "Website", but "on it" is text.
    let answer = w
        .ann("status open investigating Outage: we are on it major")
        .await;
    let incident = w.incident(&opened_id(&answer));
    assert_eq!(
        incident.latest_update().and_then(|u| u.body.clone()),
        Some("we are on it major".to_owned())
    );
    assert!(incident.components.is_empty());
    assert_eq!(w.status_of("Website"), ComponentStatus::Operational);

    // Without a message the clause ends the name.
    let answer = w
        .ann("status open investigating Logs lag on log streaming partial")
        .await;
    let incident = w.incident(&opened_id(&answer));
    assert_eq!(incident.name, "Logs lag");
    assert_eq!(names(&incident), ["Log Streaming"]);
    assert_eq!(w.status_of("Log Streaming"), ComponentStatus::PartialOutage);

    w.statuspage
        .add_component("Build Cache", ComponentStatus::Operational, None)
        .expect("a component");
    let before = (w.statuspage.incidents().len(), w.statuses());
    let answer = w
        .ann("status open investigating Builds: slow on Build major")
        .await;
    assert_eq!(
        answer,
        "\"Build\" matches several components: Build Processing, Build Cache. Which one?"
    );
    assert_eq!((w.statuspage.incidents().len(), w.statuses()), before);
}

/// `status A, B <status>` sets each (every name found first); a name that does not match one
/// component changes nothing.
#[tokio::test]
async fn several_components_at_once() {
    let w = world().await;
    let answer = w.ann("status API, website, Api major outage").await;
    assert_eq!(
        answer,
        "Set 2 of 2 components to major outage:\n\
         Status for API is now major outage (was: operational).\n\
         Status for Website is now major outage (was: operational)."
    );
    assert_eq!(w.status_of("API"), ComponentStatus::MajorOutage);
    assert_eq!(w.status_of("Website"), ComponentStatus::MajorOutage);

    w.statuspage
        .add_component("Build Cache", ComponentStatus::Operational, None)
        .expect("a component");
    let before = w.statuses();
    let answer = w.ann("status Log Streaming, Nope degraded").await;
    assert!(
        answer.starts_with("No component matches \"Nope\""),
        "{answer}"
    );
    let answer = w.ann("status Log Streaming, Build degraded").await;
    assert!(answer.contains("matches several components"), "{answer}");
    let answer = w.ann("status Log Streaming, , API degraded").await;
    assert!(
        answer.starts_with("a component name is missing between the commas"),
        "{answer}"
    );
    assert_eq!(w.statuses(), before);
}

/// `status impact [<id>] <impact>` overrides the impact; a bad impact or an unknown incident
/// changes nothing.
#[tokio::test]
async fn impact_of_an_incident() {
    let w = world().await;
    let answer = w.ann("status impact major").await;
    assert_eq!(answer, "There is no unresolved incident.");
    let id = opened_id(&w.ann("status open investigating Queue stuck").await);
    let answer = w.ann("status impact CRITICAL").await;
    assert!(
        answer.starts_with(&format!(
            "Impact of the most recent unresolved incident, {id} \"Queue stuck\" is now critical (was: "
        )),
        "{answer}"
    );
    assert_eq!(w.incident(&id).impact_override, Some(Impact::Critical));
    assert_eq!(w.incident(&id).impact, Some(Impact::Critical));
    let answer = w.ann(&format!("status impact {id} minor")).await;
    assert!(
        answer.ends_with("is now minor (was: critical)."),
        "{answer}"
    );
    assert_eq!(w.incident(&id).impact_override, Some(Impact::Minor));

    let answer = w.ann("status impact huge").await;
    assert_eq!(
        answer,
        "`huge` is not an impact: say none, minor, major or critical; usage: status impact \
         [<incident id>] <none|minor|major|critical>"
    );
    let answer = w.ann("status impact zzzz0000zzzz major").await;
    assert_eq!(answer, "There is no incident zzzz0000zzzz.");
    assert_eq!(w.incident(&id).impact_override, Some(Impact::Minor));
    // No update was posted for an impact change: nobody was notified of it.
    assert_eq!(w.incident(&id).incident_updates.len(), 1);
}

/// `status templates` lists them; `status open from <template>` opens with the template's title,
/// body, state, components and notification choice, then the same `on ...` flow.
#[tokio::test]
async fn incidents_from_templates() {
    let w = world().await;
    w.subscribe(2).await;
    assert_eq!(
        w.ann("status templates").await,
        "There are no incident templates on this page."
    );
    let page = w.page();
    let builds = w.component("Build Processing");
    w.client
        .incident_templates(&page)
        .create("Slow builds", "Builds are slower than usual")
        .body("We are looking into slow build starts.")
        .update_status(IncidentStatus::Identified)
        .should_send_notifications(false)
        .component_ids([builds.id.clone()])
        .await
        .expect("a template");
    w.client
        .incident_templates(&page)
        .create("Slow API", "The API is slow")
        .await
        .expect("a template");

    let list = w.ann("status templates").await;
    assert_eq!(
        list,
        "2 incident templates:\n\
         Slow builds: \"Builds are slower than usual\" (identified, no notifications; components: Build Processing)\n\
         Slow API: \"The API is slow\" (investigating, notifies subscribers)\n\
         Open one with: status open from <template name>"
    );

    let answer = w.ann("status open from slow builds on API partial").await;
    assert!(
        answer.contains("from the template \"Slow builds\""),
        "{answer}"
    );
    assert!(
        answer.contains("API: now partial outage through it."),
        "{answer}"
    );
    assert!(
        answer.ends_with("Notifications are off: subscribers are not told."),
        "{answer}"
    );
    let incident = w.incident(&opened_id(&answer));
    assert_eq!(incident.name, "Builds are slower than usual");
    assert_eq!(incident.status, IncidentStatus::Identified);
    assert_eq!(names(&incident), ["API", "Build Processing"]);
    let update = incident.latest_update().expect("an update");
    assert_eq!(
        update.body.as_deref(),
        Some("We are looking into slow build starts.")
    );
    assert_eq!(update.deliver_notifications, Some(false));
    assert_eq!(w.status_of("API"), ComponentStatus::PartialOutage);

    let answer = w.ann("status open from slow api").await;
    assert!(
        answer.ends_with("Notifications are on: 2 subscribers will be told."),
        "{answer}"
    );
    assert_eq!(w.incident(&opened_id(&answer)).name, "The API is slow");

    // Ambiguous and unknown templates open nothing.
    let count = w.statuspage.incidents().len();
    assert_eq!(
        w.ann("status open from slow").await,
        "\"slow\" matches several templates: Slow builds, Slow API. Which one?"
    );
    let answer = w.ann("status open from Fire drill").await;
    assert_eq!(
        answer,
        "No template matches \"Fire drill\". Known templates: Slow builds, Slow API."
    );
    assert_eq!(w.statuspage.incidents().len(), count);
}

/// `status uptime <component>`: the percentage over the period the API reports.
#[tokio::test]
async fn uptime_of_a_component() {
    let w = world().await;
    let answer = w.ann("status uptime build").await;
    let today = chrono::Utc::now().date_naive();
    let start = today - chrono::Duration::days(90);
    assert_eq!(
        answer,
        format!(
            "Build Processing: 100.00% uptime from {start} to {today} (0s of major outage, 0s of \
             partial outage)."
        )
    );
    // Anyone may ask.
    assert!(
        w.bob("status uptime Website")
            .await
            .starts_with("Website: 100.00% uptime")
    );
    let answer = w.ann("status uptime Nope").await;
    assert!(
        answer.starts_with("No component matches \"Nope\""),
        "{answer}"
    );
}

/// `status postmortem`: a draft on the most recent incident from its updates and the commands
/// run in chat during it (component changes, an acknowledged alert); never replacing a draft.
#[tokio::test]
async fn postmortem_drafts_from_updates_and_chat() {
    let w = world().await;
    let id = opened_id(
        &w.ann("status open investigating Checkout errors: payments fail on API major")
            .await,
    );
    let alert = w
        .opsgenie
        .alerts()
        .into_iter()
        .find(|a| a.is_open() && !a.acknowledged)
        .expect("an open demo alert");
    let tiny = alert.tiny_id.clone().expect("a tiny id");
    let acked = w.ann(&format!("genie ack {tiny}")).await;
    assert!(
        acked.starts_with(&format!("Acknowledged #{tiny}")),
        "{acked}"
    );
    w.ann("status update identified a bad deploy of the payment service")
        .await;
    w.bob("status resolve sneaky").await; // refused: not in the draft
    w.ann("status resolve rolled back").await;

    let answer = w.ann("status postmortem").await;
    let link = format!(
        "https://manage.statuspage.io/pages/{}/incidents/{id}/postmortem",
        w.page()
    );
    assert!(
        answer.starts_with(&format!(
            "Saved a postmortem draft on {id} \"Checkout errors\" from 3 updates and 4 chat commands: {link}"
        )),
        "{answer}"
    );
    assert!(answer.contains("the bot never publishes"), "{answer}");

    let postmortem = w
        .client
        .incidents(w.page())
        .postmortem(id.clone())
        .get()
        .await
        .expect("the draft was saved");
    assert_eq!(postmortem.published_at, None);
    let draft = postmortem.body_draft.expect("a draft");
    for want in [
        "# Postmortem: Checkout errors",
        "- Affected components: API",
        "investigating: payments fail (API operational -> major outage)",
        "identified: a bad deploy of the payment service",
        "resolved: rolled back (API major outage -> operational)",
        &format!("ann in shell: `genie ack {tiny}` -> ok: Acknowledged #{tiny}"),
        "ann in shell: `status open investigating Checkout errors: payments fail on API major` -> ok: Opened incident",
        "ann in shell: `status resolve rolled back` -> ok: Resolved",
        "## Root cause",
        "## Follow-up actions",
    ] {
        assert!(draft.contains(want), "{want:?} not in\n{draft}");
    }
    assert!(!draft.contains("sneaky"), "{draft}");
    assert!(
        draft.contains("- Resolved: ") && draft.contains("(after 0h 0m)"),
        "{draft}"
    );

    // A second run never replaces the draft.
    let again = w.ann("status postmortem").await;
    assert_eq!(
        again,
        format!(
            "{id} \"Checkout errors\" already has a postmortem draft; it was not replaced: {link}"
        )
    );

    // An older incident by id: nothing was run in chat during it.
    let old = w
        .statuspage
        .incidents()
        .into_iter()
        .find(|i| i.name == "Slow build starts")
        .expect("the demo incident");
    let answer = w.ann(&format!("status postmortem {}", old.id)).await;
    assert!(
        answer.contains("from 2 updates and 0 chat commands"),
        "{answer}"
    );
    let draft = w
        .client
        .incidents(w.page())
        .postmortem(old.id.clone())
        .get()
        .await
        .expect("a draft")
        .body_draft
        .unwrap_or_default();
    assert!(
        draft.contains("- No commands were run in chat during the incident."),
        "{draft}"
    );
    assert_eq!(
        w.ann("status postmortem zzzz0000zzzz").await,
        "There is no incident zzzz0000zzzz."
    );
}

/// A non-operator is refused every changing command, and nothing changes at Statuspage.
#[tokio::test]
async fn non_operators_change_nothing() {
    let w = world().await;
    let id = opened_id(&w.ann("status open investigating Already open").await);
    let page = w.page();
    w.client
        .incident_templates(&page)
        .create("Slow builds", "Builds are slow")
        .await
        .expect("a template");
    let snapshot = |w: &World| (w.statuses(), w.statuspage.incidents());
    let before = snapshot(&w);
    for line in [
        "status open investigating Sneaky: x on API major",
        "status open from Slow builds",
        "status affect API major",
        &format!("status affect {id} Website major"),
        "status impact critical",
        "status API, Website major",
        "status postmortem",
        &format!("status postmortem {id}"),
    ] {
        let answer = w.bob(line).await;
        assert_eq!(
            answer, "Sorry bob, you are not an operator: ask to be added to BOT_OPERATORS.",
            "{line}"
        );
    }
    assert_eq!(snapshot(&w), before);
    let postmortem = w.client.incidents(&page).postmortem(id).get().await;
    assert!(
        postmortem.is_err_and(|e| e.is_not_found()),
        "a non-operator saved a postmortem"
    );
    // Reading is for everyone.
    assert!(
        w.bob("status templates")
            .await
            .starts_with("1 incident template:")
    );
}

/// `help` has a line for each new command.
#[tokio::test]
async fn help_lists_the_new_commands() {
    let w = world().await;
    let help = w.bob("help").await;
    for usage in [
        "status open from <template name>",
        "status open <state> <name>[: <message>] [on <component>[, <component>...] <status>]",
        "status affect [<incident id>] <component> <status>",
        "status impact [<incident id>] <none|minor|major|critical>",
        "status templates",
        "status uptime <component>",
        "status postmortem [<incident id>]",
        "status <component>, <component>... <operational|degraded|partial|major|maintenance>",
    ] {
        assert!(
            help.lines().any(|l| l.starts_with(usage)),
            "{usage} not in help"
        );
    }
}
