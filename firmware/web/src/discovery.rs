//! Being found on the LAN as `_http._tcp` (`lantern.local`, `polargraph.local`…).
//!
//! Raspberry Pi OS runs avahi-daemon, which owns mDNS (UDP 5353) on the Pi: two responders on
//! one host answer over each other. So where avahi runs, the machine announces its page
//! through avahi's service folder (`/etc/avahi/services`, a static XML file avahi watches), and
//! the Pi's own host name is the one avahi answers for (name the Pi `lantern` in Raspberry Pi
//! Imager and `lantern.local` resolves). Only where nothing else answers does the machine run
//! its own responder (mdns-sd, pure Rust), which answers for `NAME.local` too.

use std::path::{Path, PathBuf};

/// What to announce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The service's name as browsers list it ("Lantern", the lamp's name).
    pub instance: String,
    /// The host name without `.local` (`lantern`).
    pub hostname: String,
    /// The page's TCP port.
    pub port: u16,
}

/// Where avahi lives on this system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Avahi {
    /// avahi-daemon's socket: present while it runs.
    pub socket: PathBuf,
    /// The folder of static service files it watches.
    pub services: PathBuf,
}

impl Default for Avahi {
    fn default() -> Self {
        Avahi {
            socket: "/run/avahi-daemon/socket".into(),
            services: "/etc/avahi/services".into(),
        }
    }
}

/// An announcement in force; dropping it withdraws it.
pub enum Announcer {
    /// Through avahi's service file, which this process wrote (and removes when dropped) or
    /// found in place (the package's).
    Avahi {
        /// The service file.
        file: PathBuf,
        /// Whether this process wrote it.
        wrote: bool,
    },
    /// By the built-in responder.
    Builtin {
        /// The responder.
        daemon: mdns_sd::ServiceDaemon,
        /// The registered service's full name.
        fullname: String,
    },
    /// Not announced; why (the page still answers at its address).
    Silent(String),
}

/// The avahi service file for `announcement` (avahi's `avahi.service(5)` format).
pub fn avahi_service_file(announcement: &Announcement) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    format!(
        "<?xml version=\"1.0\" standalone=\"no\"?>\n\
         <!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n\
         <!-- Written by Atelier's {host}: its page on this network. -->\n\
         <service-group>\n  <name>{name}</name>\n  <service>\n    <type>_http._tcp</type>\n    \
         <port>{port}</port>\n    <txt-record>path=/</txt-record>\n  </service>\n</service-group>\n",
        host = escape(&announcement.hostname),
        name = escape(&announcement.instance),
        port = announcement.port,
    )
}

/// Announces the page: through avahi where it runs, else by the built-in responder.
pub fn announce(announcement: &Announcement, avahi: &Avahi) -> Announcer {
    if avahi.socket.exists() {
        return through_avahi(announcement, avahi);
    }
    match builtin(announcement) {
        Ok(announcer) => announcer,
        Err(error) => {
            tracing::warn!("mDNS: cannot announce the page: {error}");
            Announcer::Silent(error.to_string())
        }
    }
}

fn through_avahi(announcement: &Announcement, avahi: &Avahi) -> Announcer {
    let file = avahi
        .services
        .join(format!("atelier-{}.service", announcement.hostname));
    let wanted = avahi_service_file(announcement);
    if std::fs::read_to_string(&file).is_ok_and(|text| text == wanted) {
        tracing::info!(file = %file.display(), "mDNS: announced by avahi");
        return Announcer::Avahi { file, wrote: false };
    }
    let written = if avahi.services.is_dir() {
        atelier_config::write_atomically(&file, wanted.as_bytes())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "avahi's service folder is missing",
        ))
    };
    match written {
        Ok(()) => {
            tracing::info!(file = %file.display(), "mDNS: announced by avahi (service file written)");
            Announcer::Avahi { file, wrote: true }
        }
        Err(error) => {
            if let Some(listed) = same_page_listed_otherwise(&file, announcement) {
                // The package's file for a machine renamed since (the name is the one thing a
                // page can change there): the page is still found at its host and port.
                tracing::info!(
                    file = %file.display(),
                    "mDNS: announced by avahi as {listed:?} (the name cannot be changed there: {error})"
                );
                return Announcer::Avahi { file, wrote: false };
            }
            let why = format!(
                "avahi-daemon runs, but {} cannot be written ({error}); install the package's \
                 service file or write it as root",
                file.display()
            );
            tracing::warn!("mDNS: {why}");
            Announcer::Silent(why)
        }
    }
}

/// The name an existing service file lists the page under, if the file announces exactly this
/// page (host, port, path) under another name.
fn same_page_listed_otherwise(file: &Path, announcement: &Announcement) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let listed = text.split_once("<name>")?.1.split_once("</name>")?.0;
    let unescaped = listed
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let as_listed = Announcement {
        instance: unescaped.clone(),
        ..announcement.clone()
    };
    (avahi_service_file(&as_listed) == text).then_some(unescaped)
}

fn builtin(announcement: &Announcement) -> Result<Announcer, mdns_sd::Error> {
    let daemon = mdns_sd::ServiceDaemon::new()?;
    let host = format!("{}.local.", announcement.hostname);
    let info = mdns_sd::ServiceInfo::new(
        "_http._tcp.local.",
        &announcement.instance,
        &host,
        "",
        announcement.port,
        &[("path", "/")][..],
    )?
    .enable_addr_auto();
    let fullname = info.get_fullname().to_owned();
    daemon.register(info)?;
    tracing::info!(%host, port = announcement.port, "mDNS: announced by the built-in responder");
    Ok(Announcer::Builtin { daemon, fullname })
}

impl std::fmt::Debug for Announcer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Announcer::Avahi { file, wrote } => f
                .debug_struct("Avahi")
                .field("file", file)
                .field("wrote", wrote)
                .finish(),
            Announcer::Builtin { fullname, .. } => f
                .debug_struct("Builtin")
                .field("fullname", fullname)
                .finish(),
            Announcer::Silent(why) => f.debug_tuple("Silent").field(why).finish(),
        }
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        match self {
            Announcer::Avahi { file, wrote: true } => {
                let _ = std::fs::remove_file(&*file);
            }
            Announcer::Builtin { daemon, fullname } => {
                let _ = daemon.unregister(fullname);
                let _ = daemon.shutdown();
            }
            _ => {}
        }
    }
}

impl Announcer {
    /// The service file avahi announces from, if that is how.
    pub fn avahi_file(&self) -> Option<&Path> {
        match self {
            Announcer::Avahi { file, .. } => Some(file),
            _ => None,
        }
    }
}
