//! A tiny MPD client: connect, `status`, `currentsong`, close. Plain `std::net`, with timeouts on
//! connect, read and write, so a hung server costs the refresher a second, never the display.
//!
//! The protocol is line-based: the server greets with `OK MPD <version>`, answers each command
//! with `key: value` lines and a final `OK`, or one `ACK [error@n] {command} message` line.

use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Playing, paused or stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayState {
    /// Playing.
    Play,
    /// Paused.
    Pause,
    /// Stopped (or nothing queued).
    Stop,
}

/// What MPD says it is doing.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerStatus {
    /// Play, pause or stop.
    pub state: PlayState,
    /// The song's title tag (or its file name when untagged).
    pub title: Option<String>,
    /// Artist tag.
    pub artist: Option<String>,
    /// Album tag.
    pub album: Option<String>,
    /// Seconds into the song.
    pub elapsed: Option<f64>,
    /// Length of the song, seconds.
    pub duration: Option<f64>,
}

/// Why MPD could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum MpdError {
    /// Nothing listens, or it did not answer in time.
    #[error("cannot reach MPD at {address}: {reason}")]
    Unreachable {
        /// host:port.
        address: String,
        /// What the system said.
        reason: String,
    },
    /// It answered something that is not MPD, or an error.
    #[error("MPD at {address} answered {answer:?}")]
    Protocol {
        /// host:port.
        address: String,
        /// The offending line.
        answer: String,
    },
}

/// The longest answer line read (MPD's own are well under 1 KiB; tags may be long).
const MAX_LINE: usize = 8 * 1024;
/// The most lines in one answer (`status` and `currentsong` give a few dozen).
const MAX_PAIRS: usize = 256;

/// Asks the MPD server at `address` (`host:port`) what is playing; every network step waits at
/// most `timeout`, the whole exchange at most four times that (but no less than 10 s).
pub fn query(address: &str, timeout: Duration) -> Result<PlayerStatus, MpdError> {
    let unreachable = |reason: String| MpdError::Unreachable {
        address: address.to_owned(),
        reason,
    };
    let targets: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = String::from("no address");
    let mut stream = None;
    for target in targets {
        match TcpStream::connect_timeout(&target, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e.to_string(),
        }
    }
    let stream = stream.ok_or_else(|| unreachable(last))?;
    let io = |e: std::io::Error| unreachable(e.to_string());
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let mut writer = stream.try_clone().map_err(io)?;
    let mut reader = BufReader::new(stream);
    // A server that drips bytes slower than the timeout but never stops is cut off here; a
    // slow machine (a Pi Zero, qemu) still gets at least 10 s for an honest answer.
    let overall = timeout.saturating_mul(4).max(Duration::from_secs(10));
    let deadline = std::time::Instant::now() + overall;
    let mut next_line = |line: &mut String| -> Result<usize, MpdError> {
        if std::time::Instant::now() > deadline {
            return Err(unreachable(format!(
                "no whole answer within {:?}",
                timeout.saturating_mul(4)
            )));
        }
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_line(line)
            .map_err(io)?;
        if n > MAX_LINE {
            return Err(MpdError::Protocol {
                address: address.to_owned(),
                answer: format!("a line over {MAX_LINE} bytes"),
            });
        }
        Ok(n)
    };
    let mut greeting = String::new();
    next_line(&mut greeting)?;
    if !greeting.starts_with("OK MPD ") {
        return Err(MpdError::Protocol {
            address: address.to_owned(),
            answer: greeting.trim_end().to_owned(),
        });
    }
    let mut ask = |command: &str| -> Result<Vec<(String, String)>, MpdError> {
        writer
            .write_all(format!("{command}\n").as_bytes())
            .map_err(io)?;
        let mut pairs = Vec::new();
        loop {
            let mut line = String::new();
            if next_line(&mut line)? == 0 {
                return Err(unreachable("connection closed mid-answer".into()));
            }
            if pairs.len() >= MAX_PAIRS {
                return Err(MpdError::Protocol {
                    address: address.to_owned(),
                    answer: format!("over {MAX_PAIRS} lines in one answer"),
                });
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line == "OK" {
                return Ok(pairs);
            }
            if line.starts_with("ACK") {
                return Err(MpdError::Protocol {
                    address: address.to_owned(),
                    answer: line.to_owned(),
                });
            }
            if let Some((key, value)) = line.split_once(": ") {
                pairs.push((key.to_owned(), value.to_owned()));
            }
        }
    };
    let status = ask("status")?;
    let song = ask("currentsong")?;
    let _ = writer.write_all(b"close\n");
    Ok(interpret(&status, &song))
}

fn interpret(status: &[(String, String)], song: &[(String, String)]) -> PlayerStatus {
    let get = |pairs: &[(String, String)], key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let state = match get(status, "state").as_deref() {
        Some("play") => PlayState::Play,
        Some("pause") => PlayState::Pause,
        _ => PlayState::Stop,
    };
    // `elapsed`/`duration` since MPD 0.16/0.20; `time: a:b` (whole seconds) before that.
    let legacy = get(status, "time").and_then(|t| {
        let (a, b) = t.split_once(':')?;
        Some((a.parse::<f64>().ok()?, b.parse::<f64>().ok()?))
    });
    let elapsed = get(status, "elapsed")
        .and_then(|v| v.parse().ok())
        .or(legacy.map(|(a, _)| a));
    let duration = get(status, "duration")
        .and_then(|v| v.parse().ok())
        .or(get(song, "duration").and_then(|v| v.parse().ok()))
        .or(legacy.map(|(_, b)| b))
        .filter(|d: &f64| *d > 0.0);
    let file_name = get(song, "file").map(|f| {
        let name = f.rsplit('/').next().unwrap_or(&f).to_owned();
        name.rsplit_once('.')
            .map_or(name.clone(), |(stem, _)| stem.to_owned())
    });
    PlayerStatus {
        state,
        title: get(song, "Title").or(get(song, "Name")).or(file_name),
        artist: get(song, "Artist").or(get(song, "AlbumArtist")),
        album: get(song, "Album"),
        elapsed,
        duration,
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! A fake MPD server: answers `status` and `currentsong` with canned lines.

    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    /// Serves `connections` clients on a free loopback port; returns the address.
    pub(crate) fn serve(
        greeting: &'static str,
        status: &'static str,
        song: &'static str,
        connections: usize,
    ) -> (String, JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("bound").to_string();
        let handle = std::thread::spawn(move || {
            let mut commands = Vec::new();
            for _ in 0..connections {
                let Ok((mut stream, _)) = listener.accept() else {
                    break;
                };
                let _ = stream.write_all(greeting.as_bytes());
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    let command = line.trim().to_owned();
                    line.clear();
                    commands.push(command.clone());
                    let answer = match command.as_str() {
                        "status" => status,
                        "currentsong" => song,
                        "close" => break,
                        _ => "ACK [5@0] {} unknown command\n",
                    };
                    let _ = stream.write_all(answer.as_bytes());
                }
            }
            commands
        });
        (address, handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_millis(500);

    #[test]
    fn reads_status_and_current_song_from_a_fake_server() {
        let (address, server) = fake::serve(
            "OK MPD 0.23.5\n",
            "volume: 80\nstate: play\nsong: 0\nelapsed: 61.500\nduration: 245.120\nOK\n",
            "file: music/track.flac\nTitle: Clair de Lune\nArtist: Debussy\nAlbum: Suite bergamasque\nOK\n",
            1,
        );
        let status = query(&address, TIMEOUT).expect("answered");
        assert_eq!(status.state, PlayState::Play);
        assert_eq!(status.title.as_deref(), Some("Clair de Lune"));
        assert_eq!(status.artist.as_deref(), Some("Debussy"));
        assert_eq!(status.album.as_deref(), Some("Suite bergamasque"));
        assert_eq!(status.elapsed, Some(61.5));
        assert_eq!(status.duration, Some(245.12));
        assert_eq!(
            server.join().expect("server"),
            ["status", "currentsong", "close"]
        );
    }

    #[test]
    fn old_servers_untagged_files_and_errors() {
        let (address, _server) = fake::serve(
            "OK MPD 0.15.0\n",
            "state: pause\ntime: 12:300\nOK\n",
            "file: a/b/My Song.mp3\nOK\n",
            1,
        );
        let status = query(&address, TIMEOUT).expect("answered");
        assert_eq!(status.state, PlayState::Pause);
        assert_eq!(status.title.as_deref(), Some("My Song"));
        assert_eq!((status.elapsed, status.duration), (Some(12.0), Some(300.0)));

        let (address, _server) = fake::serve(
            "OK MPD 0.23.5\n",
            "ACK [4@0] {status} you don't have permission\n",
            "",
            1,
        );
        assert!(matches!(
            query(&address, TIMEOUT),
            Err(MpdError::Protocol { .. })
        ));

        let (address, _server) = fake::serve("SSH-2.0-OpenSSH\n", "", "", 1);
        assert!(matches!(
            query(&address, TIMEOUT),
            Err(MpdError::Protocol { .. })
        ));
    }

    /// A server that greets, then answers `status` with whatever `flood` writes.
    fn hostile(flood: fn(&mut std::net::TcpStream)) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let _ = stream.write_all(b"OK MPD 0.23.5\n");
                flood(&mut stream);
            }
        });
        address
    }

    #[test]
    fn endless_lines_and_endless_answers_are_cut_off() {
        // One line that never ends.
        let address = hostile(|stream| {
            let chunk = [b'x'; 4096];
            while stream.write_all(&chunk).is_ok() {}
        });
        let error = query(&address, TIMEOUT).expect_err("cut off");
        assert!(error.to_string().contains("a line over"), "{error}");
        // Lines without end of answer.
        let address = hostile(
            |stream| {
                while stream.write_all(b"Title: again\n").is_ok() {}
            },
        );
        let error = query(&address, TIMEOUT).expect_err("cut off");
        assert!(error.to_string().contains("lines in one answer"), "{error}");
        // Bytes that are not text.
        let address = hostile(|stream| {
            let _ = stream.write_all(b"Title: \xff\xfe\n");
        });
        assert!(query(&address, TIMEOUT).is_err());
    }

    #[test]
    fn refused_and_silent_servers_are_unreachable_within_the_timeout() {
        // A port nobody listens on: bind, note the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let error = query(&format!("127.0.0.1:{port}"), TIMEOUT).expect_err("refused");
        assert!(matches!(error, MpdError::Unreachable { .. }), "{error}");

        // Accepts but never greets.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = silent.local_addr().expect("addr").to_string();
        let start = std::time::Instant::now();
        let error = query(&address, Duration::from_millis(200)).expect_err("times out");
        assert!(matches!(error, MpdError::Unreachable { .. }), "{error}");
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}
