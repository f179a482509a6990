//! HTTP/1.1 written and read byte for byte over a loopback socket: for requests no client library
//! would send (smuggling, lying lengths, slow clients) and to see every reply the server wrote.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One reply as it came off the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The JSON error code of the body, if it is the API's error envelope.
    pub fn error_code(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v["error"]["code"].as_str().map(str::to_string)
    }
}

/// What the server sent on a connection before it closed it (or before the deadline), and
/// whether it closed it.
#[derive(Debug)]
pub struct Exchange {
    pub replies: Vec<Reply>,
    pub closed: bool,
    /// Bytes after the last complete reply.
    pub rest: Vec<u8>,
    /// From the end of the write to the first reply byte.
    pub first_byte: Option<Duration>,
}

pub fn connect(port: u16) -> Result<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).context("connecting")?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

/// Writes `request` on a new connection, then reads until the server closes it or `wait` passes.
pub fn exchange(port: u16, request: &[u8], wait: Duration) -> Result<Exchange> {
    let mut tcp = connect(port)?;
    tcp.write_all(request)?;
    read_all(&mut tcp, wait)
}

/// Reads what the server sends until it closes the connection or `wait` passes.
pub fn read_all(tcp: &mut TcpStream, wait: Duration) -> Result<Exchange> {
    let start = Instant::now();
    let deadline = start + wait;
    let (mut bytes, mut closed, mut first_byte) = (Vec::new(), false, None);
    let mut buf = vec![0u8; 64 * 1024];
    while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
        tcp.set_read_timeout(Some(left))?;
        match tcp.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => {
                first_byte.get_or_insert_with(|| start.elapsed());
                bytes.extend_from_slice(&buf[..n]);
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                closed = true;
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (replies, rest) = parse_replies(&bytes)?;
    Ok(Exchange { replies, closed, rest, first_byte })
}

/// Reads one complete reply, waiting at most `wait`.
pub fn read_reply(tcp: &mut TcpStream, wait: Duration) -> Result<Reply> {
    let deadline = Instant::now() + wait;
    let mut bytes = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if let (replies, _) = parse_replies(&bytes)?
            && let Some(first) = replies.into_iter().next()
        {
            return Ok(first);
        }
        let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()).context("no complete reply in time")?;
        tcp.set_read_timeout(Some(left))?;
        let n = tcp.read(&mut buf)?;
        if n == 0 {
            bail!("the connection closed after {} bytes: {:?}", bytes.len(), String::from_utf8_lossy(&bytes));
        }
        bytes.extend_from_slice(&buf[..n]);
    }
}

/// Splits a byte stream into the complete replies it holds (bodies by `Content-Length` or
/// chunked) and what is left after them.
pub fn parse_replies(mut bytes: &[u8]) -> Result<(Vec<Reply>, Vec<u8>)> {
    let mut replies = Vec::new();
    while let Some((reply, used)) = parse_reply(bytes)? {
        replies.push(reply);
        bytes = &bytes[used..];
    }
    Ok((replies, bytes.to_vec()))
}

fn parse_reply(bytes: &[u8]) -> Result<Option<(Reply, usize)>> {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else { return Ok(None) };
    let head = String::from_utf8_lossy(&bytes[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not a status line: {status_line:?}"))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let mut reply = Reply { status, headers, body: Vec::new() };
    let start = end + 4;
    if reply.header("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        return Ok(dechunk(&bytes[start..]).map(|(body, used)| {
            reply.body = body;
            (reply, start + used)
        }));
    }
    let length: usize = reply.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if bytes.len() < start + length {
        return Ok(None);
    }
    reply.body = bytes[start..start + length].to_vec();
    Ok(Some((reply, start + length)))
}

fn dechunk(mut bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    let total = bytes.len();
    let mut body = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(String::from_utf8_lossy(&bytes[..line_end]).split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            let trailer_end = bytes.windows(2).position(|w| w == b"\r\n")?;
            return Some((body, total - bytes.len() + trailer_end + 2));
        }
        if bytes.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

/// A request head with the given extra header lines (each without its CRLF).
pub fn head(method: &str, path: &str, headers: &[String]) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_split_by_length_and_by_chunks() -> Result<()> {
        let stream = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\nabHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\nHTTP/1.1 20";
        let (replies, rest) = parse_replies(stream)?;
        assert_eq!(
            replies.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>(),
            vec![(400, b"ab".to_vec()), (200, b"xyz".to_vec())]
        );
        assert_eq!(rest, b"HTTP/1.1 20");
        Ok(())
    }
}
