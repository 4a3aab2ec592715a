//! The now-playing app against a real Music Player Daemon (Debian package `mpd`, which CI
//! installs through cross/setup-debian.sh): the test starts MPD on a free loopback port with a
//! throwaway config (null audio output, its own database, state and pid files, no fork), gives it
//! a two-second WAV it generates with a title tag, and has it play.
//!
//! Without `mpd` on PATH this test fails and says how to install it: a silent skip would let the
//! app's only real-server check disappear from CI unnoticed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use embedded_graphics::prelude::RgbColor;
use lantern::apps::now_playing::mpd::{self, PlayState};
use lantern::apps::{App, NowPlaying, NowPlayingSettings, RenderContext};
use lantern::render::Frame;

const TITLE: &str = "Lantern Test Tone";

/// Kills MPD when the test ends, however it ends.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chunk(id: &[u8; 4], mut data: Vec<u8>) -> Vec<u8> {
    if data.len() % 2 == 1 {
        data.push(0);
    }
    let mut out = id.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// Two seconds of a 440 Hz tone, 8 kHz mono, tagged twice: a RIFF INFO list (INAM/IART) and an
/// `id3 ` chunk (ID3v2.4 TIT2/TPE1), which MPD reads from WAV files.
fn tagged_wav() -> Vec<u8> {
    let rate = 8000u32;
    let samples: Vec<u8> = (0..rate * 2)
        .flat_map(|i| {
            let v = (3000.0
                * (std::f64::consts::TAU * 440.0 * f64::from(i) / f64::from(rate)).sin())
                as i16;
            v.to_le_bytes()
        })
        .collect();
    let mut format = Vec::new();
    for field in [1u16, 1] {
        format.extend_from_slice(&field.to_le_bytes());
    }
    format.extend_from_slice(&rate.to_le_bytes());
    format.extend_from_slice(&(rate * 2).to_le_bytes());
    format.extend_from_slice(&2u16.to_le_bytes());
    format.extend_from_slice(&16u16.to_le_bytes());
    let info = |id: &[u8; 4], text: &str| {
        let mut v = text.as_bytes().to_vec();
        v.push(0);
        chunk(id, v)
    };
    let mut list = b"INFO".to_vec();
    list.extend(info(b"INAM", TITLE));
    list.extend(info(b"IART", "Atelier"));
    let frame = |id: &[u8; 4], text: &str| {
        let mut data = vec![3u8]; // UTF-8
        data.extend_from_slice(text.as_bytes());
        let mut out = id.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_be_bytes()); // < 128: syncsafe as is
        out.extend_from_slice(&[0, 0]);
        out.extend(data);
        out
    };
    let mut frames = frame(b"TIT2", TITLE);
    frames.extend(frame(b"TPE1", "Atelier"));
    let size = frames.len() as u32;
    let mut id3 = b"ID3\x04\x00\x00".to_vec();
    id3.extend([21, 14, 7, 0].map(|shift| ((size >> shift) & 0x7f) as u8));
    id3.extend(frames);
    let mut body = b"WAVE".to_vec();
    body.extend(chunk(b"fmt ", format));
    body.extend(chunk(b"data", samples));
    body.extend(chunk(b"LIST", list));
    body.extend(chunk(b"id3 ", id3));
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(body.len() as u32).to_le_bytes());
    wav.extend(body);
    wav
}

fn start_mpd(dir: &Path) -> (Daemon, String) {
    let music = dir.join("music");
    std::fs::create_dir_all(&music).expect("music folder");
    std::fs::write(music.join("tone.wav"), tagged_wav()).expect("wav");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = dir.join("mpd.conf");
    let path = |name: &str| dir.join(name).display().to_string();
    std::fs::write(
        &config,
        format!(
            "music_directory \"{}\"\ndb_file \"{}\"\nstate_file \"{}\"\npid_file \"{}\"\n\
             log_file \"{}\"\nbind_to_address \"127.0.0.1\"\nport \"{port}\"\n\
             zeroconf_enabled \"no\"\naudio_output {{\n  type \"null\"\n  name \"null\"\n}}\n",
            music.display(),
            path("db"),
            path("state"),
            path("pid"),
            path("log"),
        ),
    )
    .expect("mpd.conf");
    let child = Command::new("mpd")
        .arg("--no-daemon")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start `mpd` ({e}): this test needs the Music Player Daemon; install it \
                 with `apt-get install mpd` (cross/setup-debian.sh does, for CI)"
            )
        });
    (Daemon(child), format!("127.0.0.1:{port}"))
}

/// Sends `command` and returns the answer's lines up to OK.
fn command(
    stream: &mut TcpStream,
    reader: &mut BufReader<TcpStream>,
    command: &str,
) -> Vec<String> {
    writeln!(stream, "{command}").expect("send");
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).expect("answer") > 0,
            "MPD hung up"
        );
        let line = line.trim_end().to_owned();
        assert!(!line.starts_with("ACK"), "{command}: {line}");
        if line == "OK" {
            return lines;
        }
        lines.push(line);
    }
}

#[test]
fn now_playing_shows_what_a_real_mpd_plays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_daemon, address) = start_mpd(dir.path());
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut stream = loop {
        match TcpStream::connect(&address) {
            Ok(stream) => break stream,
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
                panic!("MPD did not listen on {address}: {e}\n{log}");
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut greeting = String::new();
    reader.read_line(&mut greeting).expect("greeting");
    assert!(greeting.starts_with("OK MPD"), "{greeting}");

    // Before anything plays: the app says so.
    let mut app = NowPlaying::new(NowPlayingSettings {
        server: address.clone(),
        ..NowPlayingSettings::default()
    });
    let mut refresher = app.refresher().expect("MPD refresher");
    let now = Utc::now();
    refresher.refresh(now);
    let idle = app.feed().get().expect("published");
    assert_eq!(idle.status.as_ref().map(|s| s.state), Ok(PlayState::Stop));
    let context = RenderContext::at(now);
    let mut nothing = Frame::new(640, 360);
    app.render(&context, &mut nothing);

    command(&mut stream, &mut reader, "update");
    while command(&mut stream, &mut reader, "status")
        .iter()
        .any(|l| l.starts_with("updating_db"))
    {
        assert!(
            Instant::now() < deadline,
            "MPD's database update never finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    command(&mut stream, &mut reader, "add tone.wav");
    command(&mut stream, &mut reader, "repeat 1");
    command(&mut stream, &mut reader, "play");

    let status = mpd::query(&address, Duration::from_secs(2)).expect("MPD answers");
    assert_eq!(status.state, PlayState::Play);
    assert_eq!(status.title.as_deref(), Some(TITLE));
    assert_eq!(status.artist.as_deref(), Some("Atelier"));
    assert_eq!(status.duration, Some(2.0));

    refresher.refresh(Utc::now());
    let playing = app.feed().get().expect("published");
    assert_eq!(
        playing
            .status
            .as_ref()
            .ok()
            .and_then(|s| s.title.as_deref()),
        Some(TITLE)
    );
    let mut frame = Frame::new(640, 360);
    app.render(&RenderContext::at(Utc::now()), &mut frame);
    assert_ne!(
        frame, nothing,
        "the playing song is drawn, not \"nothing playing\""
    );
    // The title is drawn big and bright in the upper half; "nothing playing" only in the middle.
    let bright_rows = (0..180)
        .filter(|&y| (0..640).any(|x| frame.pixel(x, y).r() > 230))
        .count();
    assert!(bright_rows > 20, "{bright_rows}");

    command(&mut stream, &mut reader, "stop");
    refresher.refresh(Utc::now());
    app.render(&RenderContext::at(Utc::now()), &mut frame);
    assert_eq!(frame, nothing, "stopped: nothing playing again");
}
