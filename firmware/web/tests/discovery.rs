//! Being found on the network: the built-in responder answers a real mDNS browser (a second
//! mdns-sd daemon, as a phone's would ask), and where avahi runs its service file is written.
//!
//! Multicast must not leave this machine, so the responder test runs inside a private network
//! namespace holding only loopback (with multicast routed to it): the test starts itself again
//! under `unshare`, and the copy inside does the work.

use std::time::{Duration, Instant};

use atelier_web::discovery::{Announcement, Announcer, Avahi, announce, avahi_service_file};

const INSIDE: &str = "ATELIER_TEST_IN_NETNS";

fn announcement() -> Announcement {
    Announcement {
        instance: "Porch & Garden lamp".into(),
        hostname: "lantern".into(),
        port: 8080,
    }
}

fn no_avahi(dir: &std::path::Path) -> Avahi {
    Avahi {
        socket: dir.join("no-avahi-socket"),
        services: dir.join("services"),
    }
}

#[test]
// Under qemu-user (how CI runs the Pi's tests) the responder and the browser start, but no
// multicast answer ever arrives (20 s); natively it resolves at once. The Pi build is tested
// on this machine's own architecture only, and says so by being ignored there.
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "mDNS replies do not arrive under qemu-user; this test runs on the host"
)]
fn the_page_is_found_as_http_tcp_and_its_host_name_resolves() {
    if std::env::var_os(INSIDE).is_none() {
        // Outside: start this very test again inside a fresh network namespace.
        let exe = std::env::current_exe().expect("this test binary");
        let setup = "ip link set lo up && ip link set lo multicast on && \
                     ip route add 224.0.0.0/4 dev lo && exec \"$@\"";
        // `unshare` is this machine's program; this test binary goes through the runner that
        // started it (qemu-user when the suite runs for the Pi).
        let output = std::process::Command::new("unshare")
            .args(["--map-root-user", "--net", "sh", "-c", setup, "sh"])
            .args(
                std::env::var("ATELIER_TEST_RUNNER")
                    .unwrap_or_default()
                    .split_whitespace(),
            )
            .arg(&exe)
            .args([
                "--exact",
                "the_page_is_found_as_http_tcp_and_its_host_name_resolves",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(INSIDE, "1")
            .output()
            .expect("unshare (util-linux) and ip (iproute2) are needed");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "inside the network namespace:\n{stdout}\n{stderr}"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let announcer = announce(&announcement(), &no_avahi(dir.path()));
    assert!(
        matches!(announcer, Announcer::Builtin { .. }),
        "{announcer:?}"
    );

    let browser = mdns_sd::ServiceDaemon::new().expect("a browser");
    let events = browser.browse("_http._tcp.local.").expect("browse");
    let deadline = Instant::now() + Duration::from_secs(20);
    let resolved = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(mdns_sd::ServiceEvent::ServiceResolved(info)) => break info,
            Ok(_) => {}
            Err(error) => panic!("no _http._tcp service resolved within 20 s: {error}"),
        }
    };
    assert_eq!(resolved.get_port(), 8080);
    assert_eq!(resolved.get_hostname(), "lantern.local.");
    assert!(
        resolved.get_fullname().starts_with("Porch & Garden lamp."),
        "{}",
        resolved.get_fullname()
    );
    assert_eq!(
        resolved.get_property_val_str("path"),
        Some("/"),
        "the page is at /"
    );
    let addresses = resolved.get_addresses();
    assert!(
        addresses
            .iter()
            .any(|a| a.to_ip_addr() == std::net::IpAddr::from([127, 0, 0, 1])),
        "{addresses:?}"
    );
    let _ = browser.shutdown();
    drop(announcer);
}

/// avahi as it looks while it runs, in `dir`: its socket and its service folder.
fn avahi_running(dir: &std::path::Path) -> Avahi {
    let avahi = Avahi {
        socket: dir.join("socket"),
        services: dir.join("services"),
    };
    std::fs::write(&avahi.socket, "").expect("a stand-in for avahi's socket");
    std::fs::create_dir(&avahi.services).expect("services");
    avahi
}

#[test]
fn where_avahi_runs_the_page_is_announced_through_its_service_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let avahi = avahi_running(dir.path());
    let file = avahi.services.join("atelier-lantern.service");
    {
        let announcer = announce(&announcement(), &avahi);
        assert_eq!(announcer.avahi_file(), Some(file.as_path()));
        let text = std::fs::read_to_string(&file).expect("written");
        assert!(text.contains("<type>_http._tcp</type>"), "{text}");
        assert!(text.contains("<port>8080</port>"));
        // The name is escaped for XML.
        assert!(
            text.contains("<name>Porch &amp; Garden lamp</name>"),
            "{text}"
        );
        assert_eq!(text, avahi_service_file(&announcement()));
    }
    assert!(!file.exists(), "withdrawn when the machine stops");

    // A service file the package installed stays, and is used as it is.
    std::fs::write(&file, avahi_service_file(&announcement())).expect("packaged");
    drop(announce(&announcement(), &avahi));
    assert!(file.exists(), "the package's file is not removed");

    // avahi running but its folder not writable: said, not a crash.
    let unwritable = Avahi {
        socket: avahi.socket.clone(),
        services: dir.path().join("missing/services"),
    };
    let silent = announce(&announcement(), &unwritable);
    assert!(
        matches!(&silent, Announcer::Silent(why) if why.contains("cannot be written")),
        "{silent:?}"
    );
}

/// The package's file stays in force for a machine renamed since, where the machine may not
/// write avahi's folder (an unprivileged service); a file for another port does not.
#[test]
fn a_renamed_machine_keeps_the_package_s_file_it_cannot_rewrite() {
    let dir = tempfile::tempdir().expect("tmp");
    let avahi = avahi_running(dir.path());
    let file = avahi.services.join("atelier-lantern.service");
    let packaged = Announcement {
        instance: "Lantern".into(),
        ..announcement()
    };
    std::fs::write(&file, avahi_service_file(&packaged)).expect("packaged");
    // Writing fails as it does for an unprivileged service in /etc/avahi/services, even for
    // root (which ignores a folder's mode): a folder stands where the temporary file would go.
    std::fs::create_dir(avahi.services.join(format!(
        ".atelier-lantern.service.{}.tmp",
        std::process::id()
    )))
    .expect("blocker");

    let renamed = announce(&announcement(), &avahi);
    let other_port = announce(
        &Announcement {
            port: 9090,
            ..announcement()
        },
        &avahi,
    );
    assert_eq!(renamed.avahi_file(), Some(file.as_path()), "{renamed:?}");
    assert!(
        matches!(&other_port, Announcer::Silent(why) if why.contains("cannot be written")),
        "{other_port:?}"
    );
    drop(renamed);
    assert!(file.exists(), "the package's file stays");
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        avahi_service_file(&packaged),
        "as the package wrote it"
    );
}
