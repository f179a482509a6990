//! One operation carried out as one principal: the request filled in from the row's datum and
//! the world's placeholders, sent with the principal's token (none for the anonymous caller), and
//! the answer kept as status, text, and a note (a push's ack, or `incomplete` for a `404` that
//! carries `Upload-Offset`).

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use sync_protocol::ids::UserId;

use super::push::{self, Target};
use super::setup::World;
use super::spec::{Action, Matrix, Op};
use crate::DEMO_PASSWORD;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub text: String,
    pub note: Option<String>,
}

/// The placeholders of `datum`: the world's, the datum's parameters, and for an object its value
/// (`object`, and `sha256` for a blob).
fn params(world: &World, matrix: &Matrix, datum: &str) -> BTreeMap<String, String> {
    let mut p = world.globals.clone();
    if let Some(d) = matrix.data.get(datum) {
        p.extend(d.clone());
    }
    if let Some(o) = world.objects.get(datum) {
        p.insert("object".into(), o.value.clone());
        if o.bytes.is_some() {
            p.insert("sha256".into(), o.value.clone());
        }
    }
    p
}

/// `template` with every `{name}` replaced; a placeholder left over is an error (JSON braces, as
/// in `{"officer": …}`, are not placeholders).
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> Result<String> {
    let mut out = template.to_owned();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    let mut rest = out.as_str();
    while let Some(start) = rest.find('{') {
        let tail = &rest[start + 1..];
        let name = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
        if name > 0 && tail[name..].starts_with('}') {
            bail!("{template:?}: no value for {{{}}}", &tail[..name]);
        }
        rest = tail;
    }
    Ok(out)
}

/// Whether `op` only reads: a `GET` or `HEAD` request, or a pull. What such calls see does not
/// depend on their order among themselves, so several may be sent at once ([`send`]).
pub fn reads_only(op: &Op) -> bool {
    match op.action {
        Action::Request => ["GET ", "HEAD "].iter().any(|method| op.call.starts_with(method)),
        Action::Pull | Action::PullEverything => true,
        Action::Login | Action::Refresh | Action::Push => false,
    }
}

/// Carries out `op` on `datum` as principal `who`.
pub async fn perform(world: &mut World, matrix: &Matrix, op: &Op, datum: &str, who: &str, serial: u64) -> Result<Answer> {
    let params = params(world, matrix, datum);
    match op.action {
        Action::Request | Action::Pull | Action::PullEverything => send(world, matrix, op, datum, who).await,
        Action::Login => login(world, matrix, op, who).await,
        Action::Refresh => refresh(world, who).await,
        Action::Push => {
            let kind = op.push.as_deref().context("a push op names its kind in `push`")?;
            let device = world.devices.get(who).with_context(|| format!("no device for {who}"))?;
            let caller: UserId = device.user.clone();
            let target = Target { params: &params, township_key: op.township.as_deref().unwrap_or("township"), caller: &caller, serial };
            let body = push::body(world, kind, &target)?;
            push_one(world, who, &body).await
        }
    }
}

/// Carries out a request or a pull of `op` on `datum` as principal `who`, which changes nothing of
/// the world (the principal's tokens stay): the server may change, by a request that writes, which
/// the run makes in file order ([`reads_only`]).
pub async fn send(world: &World, matrix: &Matrix, op: &Op, datum: &str, who: &str) -> Result<Answer> {
    let params = params(world, matrix, datum);
    match op.action {
        Action::Request => request(world, op, &params, datum, who).await,
        Action::Pull => pull(world, who, json!({})).await,
        Action::PullEverything => {
            let mut cursors = serde_json::Map::from_iter([("county".to_owned(), json!(0))]);
            for d in matrix.data.values() {
                for level in ["village", "township"] {
                    if let Some(unit) = d.get(level) {
                        cursors.insert(format!("{level}:{unit}"), json!(0));
                    }
                }
            }
            pull(world, who, Value::Object(cursors)).await
        }
        Action::Login | Action::Refresh | Action::Push => bail!("{}: neither a request nor a pull", op.call),
    }
}

async fn request(world: &World, op: &Op, params: &BTreeMap<String, String>, datum: &str, who: &str) -> Result<Answer> {
    let call = fill(&op.call, params)?;
    let (method, path) = call.split_once(' ').context("call is \"METHOD /path\"")?;
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let device = world.devices.get(who).with_context(|| format!("no device for {who}"))?;
    let mut builder = world.http.request(method, format!("{}{}", world.url, path.trim()));
    if let Some(token) = &device.token {
        builder = builder.bearer_auth(token);
    }
    builder = match op.body.as_deref() {
        None => builder,
        Some("{bytes}") => {
            let bytes = world.object(datum)?.bytes.clone().with_context(|| format!("{datum} has no bytes"))?;
            builder.header("upload-offset", 0).body(bytes)
        }
        Some(template) => builder.header("content-type", "application/json").body(fill(template, params)?),
    };
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let offset = response.headers().contains_key("upload-offset");
    let text = String::from_utf8_lossy(&response.bytes().await?).into_owned();
    let note = (status == 404 && offset).then(|| "incomplete".to_owned());
    Ok(Answer { status, text, note })
}

/// A login through the op's route (`POST /v1/auth/login`, or the console's sign-in).
async fn login(world: &World, matrix: &Matrix, op: &Op, who: &str) -> Result<Answer> {
    let device = world.devices.get(who).with_context(|| format!("no device for {who}"))?;
    let username = matrix.principal(who).and_then(|p| p.user.clone()).unwrap_or_else(|| "nobody-at-all".into());
    let body = json!({
        "username": username,
        "password": DEMO_PASSWORD,
        "device": { "device_id": device.device, "public_key": device.key.public(), "label": "access matrix" },
    });
    let path = op.call.split_once(' ').map(|(_, path)| path.trim()).context("call is \"METHOD /path\"")?;
    let response = world.http.post(format!("{}{path}", world.url)).json(&body).send().await?;
    let status = response.status().as_u16();
    Ok(Answer { status, text: response.text().await?, note: None })
}

async fn refresh(world: &mut World, who: &str) -> Result<Answer> {
    let device = world.devices.get_mut(who).with_context(|| format!("no device for {who}"))?;
    let body = json!({ "refresh_token": device.refresh.clone().unwrap_or_default() });
    let response = world.http.post(format!("{}/v1/auth/refresh", world.url)).json(&body).send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    if status == 200 {
        let reply: Value = serde_json::from_str(&text)?;
        device.token = reply["access_token"].as_str().map(str::to_owned);
        device.refresh = reply["refresh_token"].as_str().map(str::to_owned);
    }
    Ok(Answer { status, text, note: None })
}

/// Pulls from `cursors` until no page has more; the text is every page's events.
async fn pull(world: &World, who: &str, cursors: Value) -> Result<Answer> {
    let device = world.devices.get(who).with_context(|| format!("no device for {who}"))?;
    let mut cursors = cursors;
    let mut text = String::new();
    loop {
        let request = json!({ "events": [], "cursors": cursors, "limit": 5000, "hlc": device.hlc });
        let (status, body) = device.post("/v1/sync", &serde_json::to_vec(&request)?).await?;
        if status != reqwest::StatusCode::OK {
            return Ok(Answer { status: status.as_u16(), text: String::from_utf8_lossy(&body).into_owned(), note: None });
        }
        let reply: Value = serde_json::from_slice(&body)?;
        let pages = reply["pages"].as_array().cloned().unwrap_or_default();
        let mut next = serde_json::Map::new();
        for page in &pages {
            text.push_str(&page["events"].to_string());
            if let Some(bucket) = page["bucket"].as_str() {
                next.insert(bucket.to_owned(), page["cursor"].clone());
            }
        }
        if !pages.iter().any(|p| p["more"] == json!(true)) {
            return Ok(Answer { status: 200, text, note: None });
        }
        cursors = Value::Object(next);
    }
}

/// Seals `body` on the principal's device and pushes it alone; the note is its ack.
async fn push_one(world: &mut World, who: &str, body: &sync_protocol::body::Body) -> Result<Answer> {
    let device = world.devices.get_mut(who).with_context(|| format!("no device for {who}"))?;
    let event = device.seal(body);
    let request = json!({ "events": [event], "cursors": {}, "limit": 1, "hlc": device.hlc });
    let (status, reply) = device.post("/v1/sync", &serde_json::to_vec(&request)?).await?;
    let text = String::from_utf8_lossy(&reply).into_owned();
    if status != reqwest::StatusCode::OK {
        return Ok(Answer { status: status.as_u16(), text, note: None });
    }
    let reply: Value = serde_json::from_str(&text)?;
    let ack = &reply["acks"][0];
    let note = match ack["status"].as_str() {
        Some("rejected") => ack["reason"].as_str().map(str::to_owned),
        other => other.map(str::to_owned),
    };
    Ok(Answer { status: 200, text: String::new(), note })
}

#[cfg(test)]
mod tests {
    use super::fill;
    use std::collections::BTreeMap;

    #[test]
    fn placeholders_are_filled_and_a_missing_one_is_an_error() {
        let params = BTreeMap::from([("now".to_owned(), "17".to_owned()), ("village".to_owned(), "T01-V01".to_owned())]);
        assert_eq!(fill("GET /v1/flags?village={village}", &params).expect("filled"), "GET /v1/flags?village=T01-V01");
        assert_eq!(fill(r#"{"from": {now}, "x": {}}"#, &params).expect("JSON braces stay"), r#"{"from": 17, "x": {}}"#);
        assert!(fill("GET /v1/blobs/{sha256}", &params).is_err());
    }
}
