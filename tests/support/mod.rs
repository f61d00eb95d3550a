//! A fake Discord on loopback for the end-to-end tests: a small HTTP/1.1
//! REST server that records every request and answers the routes the bot
//! uses, and a `ws://` gateway that speaks HELLO, IDENTIFY, READY,
//! heartbeats and RESUME, and dispatches the events a test asks for.
//!
//! Payloads carry the fields serenity 0.12.5 needs to deserialise them
//! (../shared/discord-testing.md, part B1).
//!
//! Sharding as Discord does it: `GET /gateway/bot` gives the shard count and
//! `max_concurrency` the fake was started with ([`FakeDiscord::start_sharded`];
//! 1 and 1 by default), READY echoes the IDENTIFY's `shard`, and an event
//! goes to the connection of its guild's shard, `(guild_id >> 22) %
//! shard_count` (shard 0 without a guild), the newest one if a shard has
//! several (as during a deploy; [`FakeDiscord::dispatch_to_every_session`]
//! sends to all of them).
//!
//! Rate limits, only when a test asks for them
//! ([`FakeDiscord::start_rate_limited`]): per-route buckets with Discord's
//! `X-RateLimit-*` headers and a 429 for a request over a bucket's limit
//! (see [`RateLimit`]).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The bot's user id in READY.
pub const BOT_ID: u64 = 900_000_000_000_000_001;
/// The application id in READY.
pub const APP_ID: u64 = 900_000_000_000_000_002;
/// A guild for guild messages.
pub const GUILD_ID: u64 = 700_000_000_000_000_001;

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// GET, POST, …
    pub method: String,
    /// The path, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// The JSON body (Null when empty or not JSON); for a multipart request
    /// (one that uploads files), its `payload_json` part.
    pub body: Value,
    /// The files a multipart request uploaded: file name and bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

/// What the gateway should do with the current connection.
#[derive(Debug)]
enum Control {
    Dispatch(String, Value),
    Drop,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    identifies: usize,
    resumes: usize,
    sessions: usize,
    identify_payloads: Vec<Value>,
    /// When each IDENTIFY came, with its shard id.
    identify_times: Vec<(u64, std::time::Instant)>,
    /// The rate-limit buckets by key (see [`bucket_key`]), when rate
    /// limited.
    buckets: std::collections::HashMap<String, Bucket>,
    /// The requests answered 429 (not in `requests`).
    rate_limited: Vec<Recorded>,
    /// Every session started (READY or RESUMED), oldest first: its shard
    /// and the way to its connection.
    connections: Vec<(u64, mpsc::UnboundedSender<Control>)>,
}

/// The fake: start it, point the bot at [`FakeDiscord::base_url`].
#[derive(Clone)]
pub struct FakeDiscord {
    rest_addr: SocketAddr,
    gateway_addr: SocketAddr,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    ids: Arc<AtomicU64>,
    /// When set, IDENTIFY is answered by closing with this code.
    reject_identify: Option<u16>,
    /// When set, a posted message is accepted (200) with a body nobody can
    /// read.
    garble_posted: Arc<std::sync::atomic::AtomicBool>,
    /// The bot's shard count, as `GET /gateway/bot` says.
    shard_count: u64,
    /// `session_start_limit.max_concurrency` of `GET /gateway/bot`.
    max_concurrency: u64,
    /// Per-route rate limits, when set.
    rate_limit: Option<RateLimit>,
}

impl FakeDiscord {
    /// Starts both servers on loopback.
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with(None).await
    }

    /// Starts a fake whose gateway closes IDENTIFY with `code` (4004, 4014).
    pub async fn start_rejecting(code: u16) -> FakeDiscord {
        FakeDiscord::start_with(Some(code)).await
    }

    /// Starts a fake whose REST API answers but whose gateway refuses every
    /// connection (Discord's gateway down): nobody listens at the address
    /// GET /gateway/bot gives.
    pub async fn start_without_gateway() -> FakeDiscord {
        FakeDiscord::start_with_gateway(None, false).await
    }

    async fn start_with(reject_identify: Option<u16>) -> FakeDiscord {
        FakeDiscord::start_with_gateway(reject_identify, true).await
    }

    /// Starts a fake of a bot with `shard_count` shards that may identify
    /// `max_concurrency` at a time.
    pub async fn start_sharded(shard_count: u64, max_concurrency: u64) -> FakeDiscord {
        FakeDiscord::start_full(None, true, shard_count, max_concurrency, None).await
    }

    /// Starts a sharded fake (as [`FakeDiscord::start_sharded`]) whose REST
    /// routes are rate limited as `limit` says.
    pub async fn start_rate_limited(
        shard_count: u64,
        max_concurrency: u64,
        limit: RateLimit,
    ) -> FakeDiscord {
        FakeDiscord::start_full(None, true, shard_count, max_concurrency, Some(limit)).await
    }

    async fn start_with_gateway(reject_identify: Option<u16>, gateway_up: bool) -> FakeDiscord {
        FakeDiscord::start_full(reject_identify, gateway_up, 1, 1, None).await
    }

    async fn start_full(
        reject_identify: Option<u16>,
        gateway_up: bool,
        shard_count: u64,
        max_concurrency: u64,
        rate_limit: Option<RateLimit>,
    ) -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind rest");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let fake = FakeDiscord {
            rest_addr: rest.local_addr().expect("rest addr"),
            gateway_addr: gateway.local_addr().expect("gateway addr"),
            state: Arc::new(Mutex::new(State::default())),
            changed: Arc::new(Notify::new()),
            ids: Arc::new(AtomicU64::new(1_000)),
            reject_identify,
            garble_posted: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            shard_count: shard_count.max(1),
            max_concurrency: max_concurrency.max(1),
            rate_limit,
        };
        let rest_fake = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = rest.accept().await {
                let fake = rest_fake.clone();
                tokio::spawn(async move { fake.serve_http(stream).await });
            }
        });
        if !gateway_up {
            drop(gateway);
            return fake;
        }
        let gateway_fake = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = gateway.accept().await {
                let fake = gateway_fake.clone();
                tokio::spawn(async move { fake.serve_gateway(stream).await });
            }
        });
        fake
    }

    /// From now on, posted messages are accepted with a body that is not
    /// JSON (the message is posted; the bot cannot read Discord's answer).
    pub fn garble_posted_messages(&self) {
        self.garble_posted
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// What to put in `api_base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A fresh snowflake.
    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }

    /// The requests from index `from` on (a [`FakeDiscord::mark`]).
    pub fn requests_from(&self, from: usize) -> Vec<Recorded> {
        self.state().requests.iter().skip(from).cloned().collect()
    }

    /// How many IDENTIFY and RESUME the gateway got.
    pub fn identifies_and_resumes(&self) -> (usize, usize) {
        let state = self.state();
        (state.identifies, state.resumes)
    }

    /// The IDENTIFY payloads received.
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.state().identify_payloads.clone()
    }

    /// Waits (up to `limit`) until `check` holds over the state.
    async fn wait_until<T>(
        &self,
        limit: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.changed.notified();
            if let Some(found) = check(&self.state()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return check(&self.state());
            }
        }
    }

    /// Waits until `count` gateway sessions (READY or RESUMED) were sent.
    pub async fn wait_for_sessions(&self, count: usize) {
        self.wait_until(Duration::from_secs(30), |s| {
            (s.sessions >= count).then_some(())
        })
        .await
        .expect("the bot did not connect to the fake gateway in time");
    }

    /// Waits for the first request after index `from` matching `method` and
    /// a path containing `path_part`.
    pub async fn wait_for_request(
        &self,
        from: usize,
        method: &str,
        path_part: &str,
    ) -> Option<Recorded> {
        self.wait_until(Duration::from_secs(10), |s| {
            s.requests
                .iter()
                .skip(from)
                .find(|r| r.method == method && r.path.contains(path_part))
                .cloned()
        })
        .await
    }

    /// Waits until at least `count` requests after `from` match.
    pub async fn wait_for_requests(
        &self,
        from: usize,
        method: &str,
        path_part: &str,
        count: usize,
    ) -> Vec<Recorded> {
        self.wait_until(Duration::from_secs(10), |s| {
            let found: Vec<Recorded> = s
                .requests
                .iter()
                .skip(from)
                .filter(|r| r.method == method && r.path.contains(path_part))
                .cloned()
                .collect();
            (found.len() >= count).then_some(found)
        })
        .await
        .unwrap_or_default()
    }

    /// The number of requests so far (a mark for `wait_for_request`).
    pub fn mark(&self) -> usize {
        self.state().requests.len()
    }

    /// The shard Discord sends `guild`'s events to.
    pub fn shard_of_guild(&self, guild: u64) -> u64 {
        (guild >> 22) % self.shard_count
    }

    /// The shard of an event's payload: its guild's, else 0.
    fn shard_of(&self, data: &Value) -> u64 {
        data["guild_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .map_or(0, |guild| self.shard_of_guild(guild))
    }

    /// The open connections of `shard`, oldest first.
    fn sessions_of(&self, shard: u64) -> Vec<mpsc::UnboundedSender<Control>> {
        self.state()
            .connections
            .iter()
            .filter(|(of, control)| *of == shard && !control.is_closed())
            .map(|(_, control)| control.clone())
            .collect()
    }

    /// How many connections of `shard` are open.
    pub fn open_sessions(&self, shard: u64) -> usize {
        self.sessions_of(shard).len()
    }

    /// The `[id, count]` of every IDENTIFY received, in order.
    pub fn identified_shards(&self) -> Vec<(u64, u64)> {
        self.identify_payloads()
            .iter()
            .map(|d| {
                (
                    d["shard"][0].as_u64().unwrap_or(0),
                    d["shard"][1].as_u64().unwrap_or(1),
                )
            })
            .collect()
    }

    /// The time between the first two IDENTIFYs of `shard`, if it had two.
    pub fn identify_gap(&self, shard: u64) -> Option<Duration> {
        let state = self.state();
        let mut times = state
            .identify_times
            .iter()
            .filter(|(of, _)| *of == shard)
            .map(|(_, at)| *at);
        let first = times.next()?;
        Some(times.next()?.duration_since(first))
    }

    /// Sends a dispatch event on the newest connection of the event's shard
    /// (its guild's; shard 0 for DMs).
    pub fn dispatch(&self, event: &str, data: Value) {
        let shard = self.shard_of(&data);
        let control = self.sessions_of(shard).pop();
        control
            .unwrap_or_else(|| panic!("no gateway connection for shard {shard}"))
            .send(Control::Dispatch(event.to_owned(), data))
            .expect("gateway connection gone");
    }

    /// Sends a dispatch event on every open connection of the event's
    /// shard (two during a deploy's overlap); returns how many.
    pub fn dispatch_to_every_session(&self, event: &str, data: Value) -> usize {
        let sessions = self.sessions_of(self.shard_of(&data));
        for control in &sessions {
            let _ = control.send(Control::Dispatch(event.to_owned(), data.clone()));
        }
        sessions.len()
    }

    /// Drops the newest gateway connection without a close frame.
    pub fn drop_connection(&self) {
        if let Some((_, control)) = self.state().connections.pop() {
            let _ = control.send(Control::Drop);
        }
    }

    // ---- REST ----

    async fn serve_http(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream);
        loop {
            let mut request_line = String::new();
            match reader.read_line(&mut request_line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let path = parts.next().unwrap_or_default().to_owned();
            let mut length = 0usize;
            let mut content_type = String::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                    return;
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    } else if name.eq_ignore_ascii_case("content-type") {
                        content_type = value.trim().to_owned();
                    }
                }
            }
            let mut body = vec![0u8; length];
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
            let (body, files) = match multipart_boundary(&content_type) {
                Some(boundary) => read_multipart(&body, &boundary),
                None => (
                    serde_json::from_slice(&body).unwrap_or(Value::Null),
                    Vec::new(),
                ),
            };
            let recorded = Recorded {
                method,
                path,
                body,
                files,
            };
            let limited = self.take_from_bucket(&recorded.method, &recorded.path);
            let (status, response) = match &limited {
                Some(Limited::Over { retry_after, .. }) => (
                    429,
                    Some(json!({
                        "message": "You are being rate limited.",
                        "retry_after": (retry_after.as_secs_f64() * 1000.0).ceil() / 1000.0,
                        "global": false,
                    })),
                ),
                _ => self.route(&recorded.method, &recorded.path, &recorded.body),
            };
            let (recorded_method, recorded_path) = (recorded.method.clone(), recorded.path.clone());
            {
                let mut state = self.state();
                if status == 429 {
                    state.rate_limited.push(recorded);
                } else {
                    state.requests.push(recorded);
                }
            }
            self.changed.notify_waiters();
            let garbled = self.garble_posted.load(std::sync::atomic::Ordering::SeqCst)
                && status == 200
                && path_is_posted_message(&recorded_method, &recorded_path);
            let text = if garbled {
                "{\"id\": \"12".to_owned()
            } else {
                response.map(|v| v.to_string()).unwrap_or_default()
            };
            let reason = match status {
                200 => "OK",
                204 => "No Content",
                429 => "Too Many Requests",
                _ => "Not Found",
            };
            let extra = limited.map(|l| l.headers()).unwrap_or_default();
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n",
                text.len()
            );
            let stream = reader.get_mut();
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(text.as_bytes()).await.is_err()
            {
                return;
            }
        }
    }

    fn route(&self, method: &str, path: &str, body: &Value) -> (u16, Option<Value>) {
        let path = path.split('?').next().unwrap_or_default();
        let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
        match (method, segments.as_slice()) {
            ("GET", ["gateway"]) => (
                200,
                Some(json!({ "url": format!("ws://{}", self.gateway_addr) })),
            ),
            ("GET", ["gateway", "bot"]) => (
                200,
                Some(json!({
                    "url": format!("ws://{}", self.gateway_addr),
                    "shards": self.shard_count,
                    "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": self.max_concurrency}
                })),
            ),
            ("POST", ["channels", channel, "messages"]) => {
                let channel: u64 = channel.parse().unwrap_or(1);
                (200, Some(self.message_from_body(channel, body)))
            }
            ("POST", ["interactions", _, _, "callback"]) => (204, None),
            ("PATCH", ["webhooks", _, _, "messages", _]) | ("POST", ["webhooks", _, _]) => {
                (200, Some(self.message_from_body(1, body)))
            }
            // The original response of an interaction, read back (the bot
            // does this to link to a public answer).
            ("GET", ["webhooks", _, _, "messages", "@original"]) => {
                (200, Some(self.message_from_body(1, &json!({}))))
            }
            ("PUT", ["applications", _, "commands"])
            | ("PUT", ["applications", _, "guilds", _, "commands"]) => (200, Some(json!([]))),
            _ => (404, Some(json!({"message": "Unknown route", "code": 0}))),
        }
    }

    fn message_from_body(&self, channel: u64, body: &Value) -> Value {
        let mut message = message_json(
            self.next_id(),
            channel,
            None,
            user_json(BOT_ID, "faqbot", true),
            body["content"].as_str().unwrap_or_default(),
        );
        message["embeds"] = body["embeds"].clone();
        if message["embeds"].is_null() {
            message["embeds"] = json!([]);
        }
        message
    }

    // ---- gateway ----

    async fn serve_gateway(&self, stream: TcpStream) {
        let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
            return;
        };
        let hello = json!({"op": 10, "d": {"heartbeat_interval": 45_000}});
        if socket
            .send(WsMessage::text(hello.to_string()))
            .await
            .is_err()
        {
            return;
        }
        let (control_tx, mut control_rx) = mpsc::unbounded_channel();
        let mut sequence: u64 = 0;
        loop {
            tokio::select! {
                incoming = socket.next() => {
                    let Some(Ok(frame)) = incoming else { return };
                    let payload: Value = match frame {
                        WsMessage::Text(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
                        WsMessage::Close(_) => {
                            // Answer the close handshake so the client stops at once.
                            let _ = socket.flush().await;
                            return;
                        }
                        _ => continue,
                    };
                    match payload["op"].as_u64() {
                        Some(1) => {
                            let ack = json!({"op": 11});
                            if socket.send(WsMessage::text(ack.to_string())).await.is_err() {
                                return;
                            }
                        }
                        Some(2) => {
                            {
                                let mut state = self.state();
                                state.identifies += 1;
                                state.identify_payloads.push(payload["d"].clone());
                                let shard = payload["d"]["shard"][0].as_u64().unwrap_or(0);
                                state.identify_times.push((shard, std::time::Instant::now()));
                            }
                            if let Some(code) = self.reject_identify {
                                let frame = CloseFrame {
                                    code: CloseCode::from(code),
                                    reason: "rejected by the fake".into(),
                                };
                                let _ = socket.send(WsMessage::Close(Some(frame))).await;
                                self.changed.notify_waiters();
                                // Keep reading until the client goes.
                                while let Some(Ok(_)) = socket.next().await {}
                                return;
                            }
                            sequence += 1;
                            let shard = payload["d"]["shard"].clone();
                            let shard = if shard.is_array() { shard } else { json!([0, 1]) };
                            let id = shard[0].as_u64().unwrap_or(0);
                            let ready = json!({"op": 0, "t": "READY", "s": sequence, "d": {
                                "v": 10,
                                "user": user_json(BOT_ID, "faqbot", true),
                                "guilds": [],
                                "session_id": format!("fake-session-{id}"),
                                "resume_gateway_url": format!("ws://{}", self.gateway_addr),
                                "shard": shard,
                                "application": {"id": APP_ID.to_string(), "flags": 0},
                            }});
                            if socket.send(WsMessage::text(ready.to_string())).await.is_err() {
                                return;
                            }
                            self.session_started(control_tx.clone(), id);
                        }
                        Some(6) => {
                            self.state().resumes += 1;
                            sequence += 1;
                            let resumed = json!({"op": 0, "t": "RESUMED", "s": sequence, "d": {}});
                            if socket.send(WsMessage::text(resumed.to_string())).await.is_err() {
                                return;
                            }
                            let id = payload["d"]["session_id"]
                                .as_str()
                                .and_then(|s| s.strip_prefix("fake-session-"))
                                .and_then(|s| s.parse().ok())
                                .unwrap_or(0);
                            self.session_started(control_tx.clone(), id);
                        }
                        _ => {}
                    }
                }
                control = control_rx.recv() => {
                    match control {
                        Some(Control::Dispatch(event, data)) => {
                            sequence += 1;
                            let frame = json!({"op": 0, "t": event, "s": sequence, "d": data});
                            if socket.send(WsMessage::text(frame.to_string())).await.is_err() {
                                return;
                            }
                        }
                        Some(Control::Drop) | None => return,
                    }
                }
            }
        }
    }

    fn session_started(&self, control: mpsc::UnboundedSender<Control>, shard: u64) {
        {
            let mut state = self.state();
            state.sessions += 1;
            state.connections.push((shard, control));
        }
        self.changed.notify_waiters();
    }

    // ---- events a test sends ----

    /// Sends a message like [`FakeDiscord::send_message`] and waits for the
    /// next message the bot posts after it; `None` if none comes in time.
    pub async fn send_and_wait_for_reply(
        &self,
        channel: u64,
        guild: Option<u64>,
        author: Value,
        content: &str,
        mentions: Vec<Value>,
    ) -> Option<Recorded> {
        let mark = self.mark();
        self.send_message(channel, guild, author, content, mentions);
        self.wait_for_request(mark, "POST", "/messages").await
    }

    /// A MESSAGE_CREATE in a guild channel (or a DM when `guild` is None).
    pub fn send_message(
        &self,
        channel: u64,
        guild: Option<u64>,
        author: Value,
        content: &str,
        mentions: Vec<Value>,
    ) -> u64 {
        let id = self.next_id();
        let mut message = message_json(id, channel, guild, author, content);
        message["mentions"] = Value::Array(mentions);
        message["mention_everyone"] = json!(content.contains("@everyone"));
        self.dispatch("MESSAGE_CREATE", message);
        id
    }

    /// A slash command (type 2) or autocomplete (type 4) interaction.
    pub fn send_command(
        &self,
        kind: u8,
        user: u64,
        channel: u64,
        name: &str,
        options: Value,
    ) -> (u64, String) {
        let id = self.next_id();
        let token = format!("token-{id}");
        let mut interaction = interaction_base(id, &token, kind, user, channel);
        interaction["data"] = json!({
            "id": "5000", "name": name, "type": 1, "options": options,
        });
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }

    /// A button click (component type 2) or select (type 3, with `values`)
    /// on a message with `flags`.
    pub fn send_component(
        &self,
        user: u64,
        channel: u64,
        custom_id: &str,
        values: Option<Vec<String>>,
        message_flags: u64,
    ) -> (u64, String) {
        let id = self.next_id();
        let token = format!("token-{id}");
        let mut interaction = interaction_base(id, &token, 3, user, channel);
        interaction["data"] = match values {
            Some(values) => json!({"custom_id": custom_id, "component_type": 3, "values": values}),
            None => json!({"custom_id": custom_id, "component_type": 2}),
        };
        let mut message = message_json(
            self.next_id(),
            channel,
            None,
            user_json(BOT_ID, "faqbot", true),
            "",
        );
        message["flags"] = json!(message_flags);
        interaction["message"] = message;
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }
}

/// Who sends an interaction in the guild: a member with a permission bit
/// set (as Discord computes it for the channel) and roles.
#[derive(Debug, Clone, Copy)]
pub struct AsMember<'a> {
    /// The user id.
    pub user: u64,
    /// The user name.
    pub name: &'a str,
    /// The member's permissions in the channel.
    pub permissions: u64,
    /// Role ids.
    pub roles: &'a [u64],
}

/// The Manage Messages permission bit.
pub const MANAGE_MESSAGES: u64 = 1 << 13;
/// Send Messages and View Channel: what an ordinary member has.
pub const ORDINARY: u64 = (1 << 11) | (1 << 10);

impl AsMember<'_> {
    fn member(&self) -> Value {
        json!({
            "user": user_json(self.user, self.name, false),
            "nick": null, "avatar": null,
            "roles": self.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "premium_since": null, "deaf": false, "mute": false, "flags": 0,
            "pending": false, "permissions": self.permissions.to_string(),
            "communication_disabled_until": null,
        })
    }
}

impl FakeDiscord {
    fn guild_interaction(
        &self,
        kind: u8,
        channel: u64,
        by: AsMember<'_>,
        data: Value,
    ) -> (u64, String, Value) {
        self.interaction_in_guild(GUILD_ID, kind, channel, by, data)
    }

    /// An interaction of `kind` by `by` in `channel` of `guild`, with
    /// `data`, not sent: its id, token and payload.
    pub fn interaction_in_guild(
        &self,
        guild: u64,
        kind: u8,
        channel: u64,
        by: AsMember<'_>,
        data: Value,
    ) -> (u64, String, Value) {
        let id = self.next_id();
        let token = format!("token-{id}");
        let mut interaction = interaction_base(id, &token, kind, by.user, channel);
        interaction["user"] = user_json(by.user, by.name, false);
        interaction["guild_id"] = json!(guild.to_string());
        interaction["member"] = by.member();
        interaction["data"] = data;
        (id, token, interaction)
    }

    /// A slash command (type 2) or autocomplete (type 4) in the guild.
    pub fn send_guild_command(
        &self,
        kind: u8,
        by: AsMember<'_>,
        channel: u64,
        name: &str,
        options: Value,
    ) -> (u64, String) {
        let data = json!({"id": "5001", "name": name, "type": 1, "options": options});
        let (id, token, interaction) = self.guild_interaction(kind, channel, by, data);
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }

    /// A modal submit (type 5) with text box values by custom id.
    pub fn send_modal_submit(
        &self,
        by: AsMember<'_>,
        channel: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> (u64, String) {
        let rows: Vec<Value> = fields
            .iter()
            .map(|(name, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": name, "value": value}]})
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        let (id, token, interaction) = self.guild_interaction(5, channel, by, data);
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }

    /// A button click in the guild on an ephemeral message.
    pub fn send_guild_click(
        &self,
        by: AsMember<'_>,
        channel: u64,
        custom_id: &str,
    ) -> (u64, String) {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let (id, token, mut interaction) = self.guild_interaction(3, channel, by, data);
        let mut message = message_json(
            self.next_id(),
            channel,
            Some(GUILD_ID),
            user_json(BOT_ID, "faqbot", true),
            "",
        );
        message["flags"] = json!(64);
        interaction["message"] = message;
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }
}

impl FakeDiscord {
    /// A select-menu choice (component type 3) in the guild on an ephemeral
    /// message.
    pub fn send_guild_select(
        &self,
        by: AsMember<'_>,
        channel: u64,
        custom_id: &str,
        values: &[&str],
    ) -> (u64, String) {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        let (id, token, mut interaction) = self.guild_interaction(3, channel, by, data);
        let mut message = message_json(
            self.next_id(),
            channel,
            Some(GUILD_ID),
            user_json(BOT_ID, "faqbot", true),
            "",
        );
        message["flags"] = json!(64);
        interaction["message"] = message;
        self.dispatch("INTERACTION_CREATE", interaction);
        (id, token)
    }
}

/// A user object.
/// Whether a request posts a message (to a channel or as an interaction's
/// follow-up or edit).
fn path_is_posted_message(method: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    (method == "POST" && path.contains("/channels/") && path.ends_with("/messages"))
        || (method == "PATCH" && path.contains("/webhooks/"))
}

pub fn user_json(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(), "username": name, "discriminator": "0",
        "global_name": null, "avatar": null, "bot": bot,
    })
}

/// A message object as the gateway and REST send it.
pub fn message_json(
    id: u64,
    channel: u64,
    guild: Option<u64>,
    author: Value,
    content: &str,
) -> Value {
    let mut message = json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": author,
        "content": content,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    });
    if let Some(guild) = guild {
        message["guild_id"] = json!(guild.to_string());
    }
    message
}

fn interaction_base(id: u64, token: &str, kind: u8, user: u64, channel: u64) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "channel_id": channel.to_string(),
        "user": user_json(user, "person", false),
        "token": token,
        "version": 1,
        "app_permissions": "0",
        "locale": "en-GB",
        "entitlements": [],
        "attachment_size_limit": 8_388_608,
    })
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, parameters) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parameters.split(';').find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        (name == "boundary").then(|| value.trim_matches('"').to_owned())
    })
}

/// A multipart body's `payload_json` part (Discord's JSON beside uploaded
/// files) and its files (`filename` and bytes).
fn read_multipart(body: &[u8], boundary: &str) -> (Value, Vec<(String, Vec<u8>)>) {
    let delimiter = format!("--{boundary}");
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split_bytes(body, delimiter.as_bytes()) {
        let Some(end_of_headers) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..end_of_headers]);
        let mut content = &part[end_of_headers + 4..];
        content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = headers
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or_default();
        let field = |key: &str| {
            disposition.split(';').find_map(|item| {
                let (name, value) = item.trim().split_once('=')?;
                (name == key).then(|| value.trim_matches('"').to_owned())
            })
        };
        if let Some(filename) = field("filename") {
            files.push((filename, content.to_vec()));
        } else if field("name").as_deref() == Some("payload_json") {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        }
    }
    (payload, files)
}

/// The pieces of `bytes` between occurrences of `separator`.
fn split_bytes<'b>(bytes: &'b [u8], separator: &[u8]) -> Vec<&'b [u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while let Some(at) = find_bytes(rest, separator) {
        pieces.push(&rest[..at]);
        rest = &rest[at + separator.len()..];
    }
    pieces.push(rest);
    pieces
}

/// Where `needle` first occurs in `haystack`.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

static SCRATCH: AtomicU64 = AtomicU64::new(0);

/// A fresh path under the system's temporary folder, unique to this process
/// and call.
pub fn scratch_path(name: &str) -> std::path::PathBuf {
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "faqbot-{}-{}-{n}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ))
}

/// A copy of the repository's FAQ folder and a database path, removed
/// (with SQLite's side files) on drop. A test adds its own methods with an
/// `impl Scratch` block.
pub struct Scratch {
    /// The copy of `faq/`.
    pub faq: std::path::PathBuf,
    /// Where the moderator database goes.
    pub database: std::path::PathBuf,
}

impl Scratch {
    /// A new copy of `faq/`.
    pub fn new() -> Scratch {
        let faq = scratch_path("faq");
        copy_folder(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
            &faq,
        );
        Scratch {
            faq,
            database: scratch_path("admin.sqlite3"),
        }
    }

    /// The file of entry `id`.
    pub fn entry(&self, id: &str) -> std::path::PathBuf {
        self.faq.join("entries").join(format!("{id}.toml"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.faq);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.database.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the FAQ folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// The bot served with `config` (its FAQ loaded from `config.faq_dir`, its
/// REST and gateway at the fake Discord `config` points at) in a task, until
/// the returned sender is used or dropped. `cleanup` runs in the task once
/// the bot has stopped.
pub fn spawn_bot(
    config: faqbot::config::Config,
    cleanup: impl FnOnce(&faqbot::config::Config) + Send + 'static,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), faqbot::discord::BotError>>,
) {
    // As `faqbot run` does: symptom checks in Redis when `[state]
    // redis_url` is set, else in memory.
    #[cfg(feature = "redis")]
    let engine = match config.state.redis_url {
        Some(_) => {
            let sessions = faqbot::state::session_store(&config).expect("the test's Redis answers");
            faqbot::engine::Engine::load_with_sessions(&config, sessions).ok()
        }
        None => faqbot::engine::Engine::load(&config).ok(),
    };
    #[cfg(not(feature = "redis"))]
    let engine = faqbot::engine::Engine::load(&config).ok();
    let engine = Arc::new(engine.expect("the test's FAQ folder loads"));
    let token = faqbot::discord::Token::new("fake.token.for-tests").expect("token");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let result = faqbot::discord::serve(&config, engine, token, async move {
            let _ = stopped.await;
        })
        .await;
        cleanup(&config);
        result
    });
    (stop, task)
}

/// The component a person would use next on a symptom-check message, and
/// the menu values it sends: on a menu "None of these" (a screen), else
/// "other", else its first option; else the "no" button, else the first
/// choice button.
pub fn pick(components: &Value) -> Option<(String, Option<Vec<String>>)> {
    let mut choices = Vec::new();
    for row in components.as_array().into_iter().flatten() {
        for component in row["components"].as_array().into_iter().flatten() {
            let Some(id) = component["custom_id"].as_str() else {
                continue;
            };
            if id.starts_with("faqbot:v1:m:") {
                let values: Vec<&str> = component["options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o["value"].as_str())
                    .collect();
                let value = ["none", "other"]
                    .into_iter()
                    .find(|v| values.contains(v))
                    .or(values.first().copied())?;
                return Some((id.to_owned(), Some(vec![value.to_owned()])));
            }
            if id.starts_with("faqbot:v1:s:") {
                choices.push(id.to_owned());
            }
        }
    }
    choices
        .iter()
        .find(|id| id.ends_with(":no"))
        .or(choices.first())
        .map(|id| (id.clone(), None))
}

/// One bot "process" of the multi-process tests: a [`spawn_bot`] with its
/// own settings, engine, HTTP client and connections, sharing nothing with
/// another but what its settings name (Redis, the fake Discord, a proxy).
/// Its admin database is deleted when it stops.
pub struct ServedBot {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), faqbot::discord::BotError>>,
}

impl ServedBot {
    /// Starts serving on `config` (not waiting until it is ready).
    pub fn start(config: faqbot::config::Config) -> ServedBot {
        let (stop, task) = spawn_bot(config, |config| {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut path = config.admin.database.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        });
        ServedBot { stop, task }
    }

    /// Stops it; it must shut down cleanly within 20 s.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the bot stops within 20 s");
        assert!(matches!(result, Ok(Ok(()))), "clean shutdown: {result:?}");
    }
}

/// A bot serving against a fake Discord, ready (its slash commands
/// registered); `stop` ends it and checks it shut down cleanly.
pub struct RunningBot {
    /// The fake Discord it talks to.
    pub fake: FakeDiscord,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), faqbot::discord::BotError>>,
}

impl RunningBot {
    /// Starts the bot on `config` (pointed at `fake`) and waits until it is
    /// ready. `cleanup` runs once it has stopped.
    pub async fn start(
        fake: FakeDiscord,
        config: faqbot::config::Config,
        cleanup: impl FnOnce(&faqbot::config::Config) + Send + 'static,
    ) -> RunningBot {
        let (stop, task) = spawn_bot(config, cleanup);
        fake.wait_for_sessions(1).await;
        fake.wait_for_request(0, "PUT", "/commands")
            .await
            .expect("the bot registers its commands once ready");
        RunningBot {
            fake,
            stop: Some(stop),
            task,
        }
    }

    /// Stops the bot; it must shut down cleanly within 20 s.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the bot stops within 20 s");
        assert!(matches!(result, Ok(Ok(()))), "clean shutdown: {result:?}");
    }
}

// ---- rate limits ----

/// Per-route rate limits for [`FakeDiscord::start_rate_limited`], as
/// Discord's documentation describes them: every route but the gateway's
/// has a bucket per method, route and top-level resource (the channel,
/// guild or webhook id and token in the path; here also an interaction's
/// id and token, so that callbacks never share a bucket) allowing
/// `limit` requests per `window` from the window's first request. Every
/// answer carries `X-RateLimit-Limit`, `-Remaining`, `-Reset` (Unix
/// seconds), `-Reset-After` (seconds) and `-Bucket` (the same for every
/// top-level resource of a route); a request over the limit is answered
/// 429 with `Retry-After` (whole seconds, rounded up), `X-RateLimit-Scope:
/// user` and a JSON body with `retry_after` (seconds), is not served, and
/// is recorded apart ([`FakeDiscord::rate_limited`]).
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests per window in one bucket.
    pub limit: u32,
    /// How long a window lasts.
    pub window: Duration,
}

/// One bucket's current window.
struct Bucket {
    /// Requests served in the window.
    count: u32,
    /// When the window ends.
    reset: std::time::Instant,
}

/// What a bucket said of a request.
enum Limited {
    /// Served: the bucket's state after it.
    Within {
        limit: u32,
        remaining: u32,
        reset_after: Duration,
        bucket: String,
    },
    /// Over the limit: answered 429.
    Over {
        limit: u32,
        retry_after: Duration,
        bucket: String,
    },
}

impl Limited {
    /// The response's rate-limit header lines.
    fn headers(&self) -> String {
        let (limit, remaining, reset_after, bucket) = match self {
            Limited::Within {
                limit,
                remaining,
                reset_after,
                bucket,
            } => (*limit, *remaining, *reset_after, bucket),
            Limited::Over {
                limit,
                retry_after,
                bucket,
            } => (*limit, 0, *retry_after, bucket),
        };
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            + reset_after;
        let mut lines = format!(
            "x-ratelimit-limit: {limit}\r\nx-ratelimit-remaining: {remaining}\r\n\
             x-ratelimit-reset: {:.3}\r\nx-ratelimit-reset-after: {:.3}\r\n\
             x-ratelimit-bucket: {bucket}\r\n",
            reset.as_secs_f64(),
            reset_after.as_secs_f64()
        );
        if let Limited::Over { retry_after, .. } = self {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            lines.push_str(&format!(
                "retry-after: {seconds}\r\nx-ratelimit-scope: user\r\n"
            ));
        }
        lines
    }
}

/// A request's bucket: its key (method, route and top-level resource) and
/// its `X-RateLimit-Bucket` (method and route, the same for every top-level
/// resource); `None` for the gateway routes, which are not limited here.
fn bucket_key(method: &str, path: &str) -> Option<(String, String)> {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let top = *segments.first()?;
    if top == "gateway" {
        return None;
    }
    let mut key = vec![method.to_owned()];
    let mut route = vec![method.to_owned()];
    for (at, segment) in segments.iter().enumerate() {
        let major = match top {
            "channels" | "guilds" => at == 1,
            "webhooks" | "interactions" => at == 1 || at == 2,
            _ => false,
        };
        let is_id =
            segment.starts_with(|c: char| c.is_ascii_digit()) || segment.starts_with("token-");
        key.push(if is_id && !major { ":id" } else { segment }.to_owned());
        route.push(if is_id { ":id" } else { segment }.to_owned());
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    route.join("/").hash(&mut hasher);
    Some((key.join("/"), format!("{:016x}", hasher.finish())))
}

impl FakeDiscord {
    /// Counts a request in its bucket when the fake is rate limited: `None`
    /// when it is not, or for a route without a bucket.
    fn take_from_bucket(&self, method: &str, path: &str) -> Option<Limited> {
        let RateLimit { limit, window } = self.rate_limit?;
        let (key, bucket) = bucket_key(method, path)?;
        let now = std::time::Instant::now();
        let mut state = self.state();
        let entry = state.buckets.entry(key).or_insert(Bucket {
            count: 0,
            reset: now,
        });
        if entry.reset <= now {
            entry.count = 0;
            entry.reset = now + window;
        }
        let left = entry.reset - now;
        if entry.count >= limit {
            return Some(Limited::Over {
                limit,
                retry_after: left,
                bucket,
            });
        }
        entry.count += 1;
        Some(Limited::Within {
            limit,
            remaining: limit - entry.count,
            reset_after: left,
            bucket,
        })
    }

    /// The requests answered 429 (over a bucket's limit), in order; they
    /// are not in [`FakeDiscord::requests`].
    pub fn rate_limited(&self) -> Vec<Recorded> {
        self.state().rate_limited.clone()
    }
}
