//! A `redis-server` of a test's own, on a free loopback port, stopped on
//! drop: for the tests of the shared state (tests/state_redis.rs) and of
//! several bot processes (tests/discord_shards.rs,
//! tests/discord_processes.rs). Without `redis-server` installed the tests
//! say so and pass, unless FAQBOT_REQUIRE_REDIS=1 (CI).

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use faqbot::state::Redis;

/// A running `redis-server`.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// A server on a free port, or `None` (after a note) when `redis-server`
    /// is not installed and not required.
    pub fn start() -> Option<Server> {
        let port = free_port();
        match Server::on(port) {
            Some(server) => Some(server),
            None if std::env::var("FAQBOT_REQUIRE_REDIS").as_deref() == Ok("1") => {
                panic!("redis-server is not installed, and FAQBOT_REQUIRE_REDIS=1")
            }
            None => {
                eprintln!("note: redis-server is not installed; this Redis test is skipped");
                None
            }
        }
    }

    /// A server on `port`, ready for connections; `None` when
    /// `redis-server` cannot be run.
    pub fn on(port: u16) -> Option<Server> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Redis::connect(&server.url(), "faqbot-test:").is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A new connection, as another process of the bot would make.
    pub fn redis(&self) -> Redis {
        Redis::connect(&self.url(), "faqbot-test:").expect("the test's Redis answers")
    }

    /// Stops the server at once (as a crash would).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
