//! Components and component groups, their uptime.

use super::*;

impl State {
    pub(super) fn component(&self, id: &str) -> Result<Component, Reply> {
        self.components
            .iter()
            .find(|c| c.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    pub(super) fn check_group(&self, group: Option<&String>) -> Result<(), Reply> {
        match group {
            Some(g) if !self.groups.iter().any(|x| x.id.as_str() == g) => {
                Err(Reply::invalid("Group does not exist"))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn create_component(&mut self, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let status = f
            .component_status("status")?
            .unwrap_or(ComponentStatus::Operational);
        let group = f.string("group_id")?;
        self.check_group(group.as_ref())?;
        let group = group.map(ComponentGroupId::new);
        let mut component = self.add_component(&name, status, group.as_ref())?;
        self.apply_component_fields(component.id.as_str(), &f)?;
        component = self.component(component.id.as_str())?;
        Reply::created(component)
    }

    pub(super) fn apply_component_fields(&mut self, id: &str, f: &Fields<'_>) -> Result<(), Reply> {
        let name = f.name("name")?;
        let status = f.component_status("status")?;
        let group = f.string("group_id")?;
        self.check_group(group.as_ref())?;
        let description = f.string("description")?;
        let showcase = f.boolean("showcase")?;
        let only = f.boolean("only_show_if_degraded")?;
        let start = f.date("start_date")?;
        let index = self
            .components
            .iter()
            .position(|c| c.id.as_str() == id)
            .ok_or_else(Reply::not_found)?;
        if let Some(group) = &group {
            let cid = ComponentId::new(id);
            for g in &mut self.groups {
                g.components.retain(|c| c != &cid);
                if g.id.as_str() == group {
                    g.components.push(cid.clone());
                }
            }
        }
        let Some(c) = self.components.get_mut(index) else {
            return Err(Reply::not_found());
        };
        if let Some(v) = name {
            c.name = v;
        }
        if let Some(v) = status {
            c.status = v;
        }
        if let Some(v) = group {
            c.group_id = Some(ComponentGroupId::new(v));
        }
        if f.has("description") {
            c.description = description;
        }
        if let Some(v) = showcase {
            c.showcase = Some(v);
        }
        if let Some(v) = only {
            c.only_show_if_degraded = Some(v);
        }
        if let Some(v) = start {
            c.start_date = Some(v);
        }
        c.updated_at = Some(Utc::now());
        Ok(())
    }

    pub(super) fn update_component(&mut self, id: &str, fields: &Map<String, Value>) -> Outcome {
        self.component(id)?;
        self.apply_component_fields(id, &Fields(fields))?;
        Reply::ok(self.component(id)?)
    }

    pub(super) fn delete_component(&mut self, id: &str) -> Outcome {
        let component = self.component(id)?;
        self.components.retain(|c| c.id != component.id);
        for group in &mut self.groups {
            group.components.retain(|c| c != &component.id);
        }
        self.groups.retain(|g| !g.components.is_empty());
        Reply::no_content()
    }

    pub(super) fn uptime(&self, id: &str, query: &HashMap<String, String>) -> Outcome {
        let name = match self.component(id) {
            Ok(c) => c.name,
            Err(_) => self.group(id)?.name,
        };
        let today = Utc::now().date_naive();
        let date = |key: &str, default: NaiveDate| -> Result<NaiveDate, Reply> {
            query.get(key).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| Reply::bad_request(&format!("{key} must be a date")))
            })
        };
        let start = date("start", today - chrono::Duration::days(90))?;
        let end = date("end", today)?;
        if end < start {
            return Err(Reply::bad_request("end must not be before start"));
        }
        Reply::ok(json!({
            "id": id, "name": name, "range_start": start, "range_end": end,
            "uptime_percentage": 100.0, "major_outage": 0, "partial_outage": 0,
            "warnings": [], "related_events": {"major_outage": [], "partial_outage": []},
        }))
    }

    // ----- groups -----

    pub(super) fn group(&self, id: &str) -> Result<ComponentGroup, Reply> {
        self.groups
            .iter()
            .find(|g| g.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    pub(super) fn create_group(&mut self, body: Option<&Value>) -> Outcome {
        let f = Fields(wrapped(body, "component_group")?);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let members: Vec<ComponentId> = f
            .ids("components")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        let description = body
            .and_then(|b| b.get("description"))
            .and_then(Value::as_str);
        Reply::created(self.add_group(&name, description, &members)?)
    }

    pub(super) fn update_group(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let group = self.group(id)?;
        let f = Fields(wrapped(body, "component_group")?);
        let name = f.name("name")?;
        let members = f.ids("components")?;
        let description = body
            .and_then(|b| b.get("description"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(members) = members {
            let members: Vec<ComponentId> = members.into_iter().map(ComponentId::new).collect();
            if members.is_empty() {
                return Err(Reply::invalid("Components can't be blank"));
            }
            if members
                .iter()
                .any(|m| !self.components.iter().any(|c| &c.id == m))
            {
                return Err(Reply::invalid("Components must exist"));
            }
            for c in &mut self.components {
                if members.contains(&c.id) {
                    c.group_id = Some(group.id.clone());
                } else if c.group_id.as_ref() == Some(&group.id) {
                    c.group_id = None;
                }
            }
            for g in &mut self.groups {
                if g.id == group.id {
                    g.components = members.clone();
                } else {
                    g.components.retain(|c| !members.contains(c));
                }
            }
        }
        let Some(g) = self.groups.iter_mut().find(|g| g.id == group.id) else {
            return Err(Reply::not_found());
        };
        if let Some(name) = name {
            g.name = name;
        }
        if description.is_some() {
            g.description = description;
        }
        g.updated_at = Some(Utc::now());
        Reply::ok(g.clone())
    }

    pub(super) fn delete_group(&mut self, id: &str) -> Outcome {
        let group = self.group(id)?;
        self.groups.retain(|g| g.id != group.id);
        for c in &mut self.components {
            if c.group_id.as_ref() == Some(&group.id) {
                c.group_id = None;
            }
        }
        Reply::ok(group)
    }
}
