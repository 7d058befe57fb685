//! A real SMTP server for tests, on 127.0.0.1 (port chosen by the system),
//! inside the test process. It speaks just enough SMTP for a client like
//! lettre (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), records
//! every message it accepts, and can misbehave on request:
//! - [`SmtpServer::stop`]: stop listening and drop open connections
//!   (clients get "connection refused") until [`SmtpServer::restart`];
//! - [`Behaviour::TempFail`]: answer RCPT TO with 451 (try again later);
//! - [`Behaviour::Reject`]: answer RCPT TO with 550 (permanent);
//! - [`Behaviour::Stall`]: take a message, record it, never answer the
//!   final dot (so the client is stuck between sending and hearing back).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    TempFail,
    Reject,
    Stall,
}

/// One message as received: the envelope and the raw data (dot-unstuffed).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    received: Mutex<Vec<Received>>,
    arrived: Notify,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpServer {
    /// Starts listening on 127.0.0.1:0.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = SmtpServer {
            addr: listener.local_addr().unwrap(),
            shared: Arc::new(Shared {
                behaviour: Mutex::new(Behaviour::Accept),
                received: Mutex::new(Vec::new()),
                arrived: Notify::new(),
            }),
            accept: Mutex::new(None),
        };
        server.serve(listener);
        server
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn set(&self, b: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = b;
    }

    /// Stops listening and closes every open connection.
    pub fn stop(&self) {
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        self.stop();
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    /// Every message accepted (or taken in by `Stall`) so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages have arrived (at most 10 s).
    pub async fn wait_for(&self, n: usize) {
        let wait = async {
            loop {
                let arrived = self.shared.arrived.notified();
                if self.received().len() >= n {
                    return;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("{} of {n} messages arrived", self.received().len()));
    }

    fn serve(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        // Connections live in this task's JoinSet: aborting the task closes them.
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            conns.spawn(session(stream, shared.clone()));
                        }
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One client connection.
async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    if write.write_all(b"220 yekuo-test ESMTP\r\n").await.is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let upper = line.trim_end().to_ascii_uppercase();
        let behaviour = *shared.behaviour.lock().unwrap();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-yekuo-test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = angle(&line);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            match behaviour {
                Behaviour::TempFail => b"451 4.3.0 Try again later\r\n",
                Behaviour::Reject => b"550 5.1.1 Mailbox unavailable\r\n",
                _ => {
                    to.push(angle(&line));
                    b"250 OK\r\n"
                }
            }
        } else if upper == "DATA" {
            if write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let Some(data) = read_data(&mut lines).await else {
                return;
            };
            let message = Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            };
            shared.received.lock().unwrap().push(message);
            shared.arrived.notify_waiters();
            if behaviour == Behaviour::Stall {
                // Never answer; wait for the client to give up or vanish.
                let mut sink = Vec::new();
                let _ = lines.read_to_end(&mut sink).await;
                return;
            }
            b"250 2.0.0 Queued\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 Bye\r\n").await;
            return;
        } else {
            b"502 5.5.2 Command not recognised\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// The message lines up to the lone dot, with dot-stuffing undone.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        if lines.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// `MAIL FROM:<a@b> BODY=8BITMIME` → `a@b`.
fn angle(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_string()
}
