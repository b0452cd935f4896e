//! Metrics and their data points.

use super::*;

impl State {
    pub(super) fn metric(&self, id: &str) -> Result<Metric, Reply> {
        self.metrics
            .iter()
            .find(|m| m.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    pub(super) fn point(value: &Value) -> Result<MetricPoint, Reply> {
        let timestamp = value
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| Reply::invalid("timestamp must be Unix seconds"))?;
        let number = value
            .get("value")
            .and_then(Value::as_f64)
            .ok_or_else(|| Reply::invalid("value must be a number"))?;
        let at = timestamp
            .checked_sub(timestamp.rem_euclid(30))
            .and_then(|snapped| DateTime::from_timestamp(snapped, 0))
            .ok_or_else(|| Reply::invalid("timestamp is out of range"))?;
        if at < Utc::now() - chrono::Duration::days(28) {
            return Err(Reply::invalid("timestamp is more than 28 days in the past"));
        }
        Ok(MetricPoint::new(at, number))
    }

    pub(super) fn record(&mut self, metric: MetricId, point: MetricPoint) {
        let points = self.points.entry(metric).or_default();
        // Points snap to 30 s; a second point in the same slot replaces the first.
        points.retain(|p| p.timestamp != point.timestamp);
        points.push(point);
        points.sort_by_key(|p| p.timestamp);
    }

    pub(super) fn submit_point(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let metric = self.metric(id)?.id;
        let data = body
            .and_then(|b| b.get("data"))
            .ok_or_else(|| Reply::bad_request("param is missing or the value is empty: data"))?;
        let point = Self::point(data)?;
        self.record(metric, point);
        Reply::created(json!({"data": point}))
    }

    pub(super) fn submit_bulk(&mut self, body: Option<&Value>) -> Outcome {
        let data = wrapped(body, "data")?;
        let mut accepted = Vec::new();
        for (id, points) in data {
            let metric = self
                .metric(id)
                .map_err(|_| Reply::invalid(format!("Metric {id} does not exist")))?
                .id;
            let points = points
                .as_array()
                .ok_or_else(|| Reply::invalid("data must map metric ids to lists of points"))?;
            for point in points {
                accepted.push((metric.clone(), Self::point(point)?));
            }
        }
        for (metric, point) in accepted {
            self.record(metric, point);
        }
        Ok(Reply {
            status: 202,
            body: Some(json!({})),
        })
    }
}
