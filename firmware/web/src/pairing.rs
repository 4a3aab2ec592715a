//! Pairing: a short single-use code the machine shows (projected, printed, on the console),
//! exchanged for a long random token that is stored only as its SHA-256 hash.
//!
//! The pure part: no HTTP, time passed in, so expiry and lockout are tested without waiting.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How codes and wrong guesses are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairingPolicy {
    /// How long a code stays valid once shown.
    pub code_lifetime: Duration,
    /// Wrong codes in a row before pairing locks (the code is then void too).
    pub max_wrong: u32,
    /// The first lockout; each further one doubles, up to an hour.
    pub lockout: Duration,
    /// The least time between two codes, so nobody can keep the machine flashing codes.
    pub code_interval: Duration,
    /// Paired devices kept at most.
    pub max_devices: usize,
}

impl Default for PairingPolicy {
    fn default() -> Self {
        PairingPolicy {
            code_lifetime: Duration::from_secs(300),
            max_wrong: 5,
            lockout: Duration::from_secs(60),
            code_interval: Duration::from_secs(5),
            max_devices: 32,
        }
    }
}

/// A device that paired: its name, when, and the hash of its token (never the token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// A short random id, for listing and revoking.
    pub id: String,
    /// What the person called it ("Anna's phone").
    pub name: String,
    /// Seconds since 1970 when it paired.
    pub paired_at: u64,
    /// SHA-256 of the token, hex.
    token_sha256: String,
}

/// Why pairing or a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    /// No code is waiting: ask the machine for one first.
    #[error("no pairing code is waiting: ask for one, then type the code the machine shows")]
    NoCode,
    /// The code timed out.
    #[error("that code has expired: ask for a new one")]
    Expired,
    /// Wrong code; `left` more tries before the lockout.
    #[error("wrong code ({left} tries left before pairing locks)")]
    Wrong {
        /// Tries left.
        left: u32,
    },
    /// Too many wrong codes, or codes asked for too often.
    #[error("too many attempts: try again in {} s", retry_after.as_secs().max(1))]
    TooMany {
        /// When to try again.
        retry_after: Duration,
    },
    /// The device name is empty, too long or has control characters.
    #[error("device name must be 1 to 40 characters without control characters")]
    BadName,
    /// No device has that id.
    #[error("no paired device with id {0:?}")]
    UnknownDevice(String),
    /// The pairings file could not be written; nothing changed.
    #[error("could not save the pairings to {path}: {cause}")]
    Save {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// A code waiting to be typed.
#[derive(Debug)]
struct PendingCode {
    digits: String,
    expires: Instant,
}

/// What the pairings file holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format: String,
    devices: Vec<Device>,
}

const FORMAT: &str = "atelier-pairings/1";

/// Why the pairings file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {detail} (delete the file to unpair every device)")]
pub struct LoadError {
    path: PathBuf,
    detail: String,
}

/// The machine's pairing state: at most one waiting code, the lockout, the paired devices.
#[derive(Debug)]
pub struct Pairing {
    policy: PairingPolicy,
    code: Option<PendingCode>,
    last_code_at: Option<Instant>,
    wrong: u32,
    lockouts: u32,
    locked_until: Option<Instant>,
    devices: Vec<Device>,
    file: Option<PathBuf>,
}

/// A uniformly random number below `bound`, from the operating system.
fn random_below(bound: u32) -> u32 {
    // Rejection sampling: no modulo bias.
    let zone = u32::MAX - u32::MAX % bound;
    loop {
        let mut bytes = [0u8; 4];
        fill_random(&mut bytes);
        let value = u32::from_le_bytes(bytes);
        if value < zone {
            return value % bound;
        }
    }
}

fn fill_random(bytes: &mut [u8]) {
    // The kernel's generator does not fail once the system has booted; a machine without one
    // cannot pair safely at all.
    getrandom::fill(bytes).expect("the operating system's random number generator");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Pairing {
    /// Pairing kept in memory only (tests, the desktop simulator).
    pub fn in_memory(policy: PairingPolicy) -> Pairing {
        Pairing {
            policy,
            code: None,
            last_code_at: None,
            wrong: 0,
            lockouts: 0,
            locked_until: None,
            devices: Vec::new(),
            file: None,
        }
    }

    /// Pairing kept in `file` (in the machine's state folder): read now if it exists, rewritten
    /// atomically on every change, so paired devices survive restarts and power loss.
    pub fn persistent(policy: PairingPolicy, file: &Path) -> Result<Pairing, LoadError> {
        let mut pairing = Pairing::in_memory(policy);
        pairing.file = Some(file.to_owned());
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(pairing),
            Err(e) => {
                return Err(LoadError {
                    path: file.to_owned(),
                    detail: e.to_string(),
                });
            }
        };
        let saved: Saved = serde_json::from_str(&text).map_err(|e| LoadError {
            path: file.to_owned(),
            detail: format!("not a pairings file: {e}"),
        })?;
        if saved.format != FORMAT {
            return Err(LoadError {
                path: file.to_owned(),
                detail: format!("format {:?}, expected {FORMAT:?}", saved.format),
            });
        }
        pairing.devices = saved.devices;
        Ok(pairing)
    }

    /// A new code for the machine to show; any earlier one is void. Refused while locked out
    /// or when the last code is younger than the policy's interval.
    pub fn new_code(&mut self, now: Instant) -> Result<String, PairError> {
        self.check_lock(now)?;
        if let Some(last) = self.last_code_at {
            let since = now.saturating_duration_since(last);
            if since < self.policy.code_interval {
                return Err(PairError::TooMany {
                    retry_after: self.policy.code_interval - since,
                });
            }
        }
        let digits = format!("{:06}", random_below(1_000_000));
        self.code = Some(PendingCode {
            digits: digits.clone(),
            expires: now + self.policy.code_lifetime,
        });
        self.last_code_at = Some(now);
        Ok(digits)
    }

    /// How long the waiting code stays valid, if one waits.
    pub fn code_lifetime(&self) -> Duration {
        self.policy.code_lifetime
    }

    fn check_lock(&mut self, now: Instant) -> Result<(), PairError> {
        match self.locked_until {
            Some(until) if now < until => Err(PairError::TooMany {
                retry_after: until - now,
            }),
            Some(_) => {
                self.locked_until = None;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Exchanges the shown code for a token for the device `name`: the token is returned once
    /// and kept only as a hash. The code is used up by success, by expiry and by the lockout.
    pub fn redeem(&mut self, code: &str, name: &str, now: Instant) -> Result<String, PairError> {
        self.check_lock(now)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(PairError::BadName);
        }
        let Some(pending) = &self.code else {
            return Err(PairError::NoCode);
        };
        if now >= pending.expires {
            self.code = None;
            return Err(PairError::Expired);
        }
        if code.trim() != pending.digits {
            self.wrong += 1;
            if self.wrong >= self.policy.max_wrong {
                let lockout = self
                    .policy
                    .lockout
                    .saturating_mul(1 << self.lockouts.min(6))
                    .min(Duration::from_secs(3600));
                self.lockouts += 1;
                self.wrong = 0;
                self.code = None;
                self.locked_until = Some(now + lockout);
                tracing::warn!(
                    lockout_s = lockout.as_secs(),
                    "pairing locked after too many wrong codes"
                );
                return Err(PairError::TooMany {
                    retry_after: lockout,
                });
            }
            return Err(PairError::Wrong {
                left: self.policy.max_wrong - self.wrong,
            });
        }
        let mut token = [0u8; 32];
        fill_random(&mut token);
        let token = hex(&token);
        let mut id = [0u8; 4];
        fill_random(&mut id);
        let device = Device {
            id: hex(&id),
            name: name.to_owned(),
            paired_at: unix_now(),
            token_sha256: hash(&token),
        };
        let mut devices = self.devices.clone();
        devices.push(device);
        // The oldest pairing goes first when the list is full.
        while devices.len() > self.policy.max_devices {
            devices.remove(0);
        }
        self.save(&devices)?;
        self.devices = devices;
        self.code = None;
        self.wrong = 0;
        self.lockouts = 0;
        tracing::info!(device = name, "paired");
        Ok(token)
    }

    /// The device a token belongs to, if it is paired.
    pub fn device_of(&self, token: &str) -> Option<&Device> {
        let hashed = hash(token);
        self.devices.iter().find(|d| d.token_sha256 == hashed)
    }

    /// Every paired device.
    pub fn devices(&self) -> &[Device] {
        &self.devices
    }

    /// Unpairs a device: its token stops working at once.
    pub fn revoke(&mut self, id: &str) -> Result<Device, PairError> {
        let Some(index) = self.devices.iter().position(|d| d.id == id) else {
            return Err(PairError::UnknownDevice(id.to_owned()));
        };
        let mut devices = self.devices.clone();
        let removed = devices.remove(index);
        self.save(&devices)?;
        self.devices = devices;
        tracing::info!(device = %removed.name, "unpaired");
        Ok(removed)
    }

    fn save(&self, devices: &[Device]) -> Result<(), PairError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let saved = Saved {
            format: FORMAT.to_owned(),
            devices: devices.to_vec(),
        };
        let text = serde_json::to_string_pretty(&saved).map_err(|e| PairError::Save {
            path: file.clone(),
            cause: std::io::Error::other(e),
        })?;
        atelier_config::write_atomically(file, text.as_bytes()).map_err(|cause| PairError::Save {
            path: file.clone(),
            cause,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PairingPolicy {
        PairingPolicy::default()
    }

    #[test]
    fn a_code_pairs_once_and_the_token_is_kept_only_as_its_hash() {
        let mut pairing = Pairing::in_memory(policy());
        let now = Instant::now();
        let code = pairing.new_code(now).expect("code");
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        let token = pairing.redeem(&code, "phone", now).expect("pairs");
        assert_eq!(token.len(), 64);
        assert_eq!(pairing.device_of(&token).expect("paired").name, "phone");
        assert!(pairing.device_of("0".repeat(64).as_str()).is_none());
        let saved = serde_json::to_string(pairing.devices()).expect("json");
        assert!(!saved.contains(&token), "the token itself is never kept");
        // Single use.
        let again = pairing.redeem(&code, "other", now);
        assert!(matches!(again, Err(PairError::NoCode)), "{again:?}");
    }

    #[test]
    fn an_expired_code_is_refused_and_void() {
        let mut pairing = Pairing::in_memory(policy());
        let now = Instant::now();
        let code = pairing.new_code(now).expect("code");
        let later = now + Duration::from_secs(301);
        assert!(matches!(
            pairing.redeem(&code, "phone", later),
            Err(PairError::Expired)
        ));
        assert!(matches!(
            pairing.redeem(&code, "phone", later),
            Err(PairError::NoCode)
        ));
    }

    #[test]
    fn wrong_codes_lock_pairing_with_a_growing_lockout_and_void_the_code() {
        let mut pairing = Pairing::in_memory(policy());
        let now = Instant::now();
        let code = pairing.new_code(now).expect("code");
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for left in (1..5).rev() {
            match pairing.redeem(wrong, "x", now) {
                Err(PairError::Wrong { left: l }) => assert_eq!(l, left),
                other => panic!("{other:?}"),
            }
        }
        let locked = pairing.redeem(wrong, "x", now);
        assert!(
            matches!(locked, Err(PairError::TooMany { retry_after }) if retry_after == Duration::from_secs(60))
        );
        // Even the right code is refused during the lockout, and the code is void after it.
        assert!(matches!(
            pairing.redeem(&code, "x", now + Duration::from_secs(30)),
            Err(PairError::TooMany { .. })
        ));
        assert!(matches!(
            pairing.new_code(now + Duration::from_secs(30)),
            Err(PairError::TooMany { .. })
        ));
        let after = now + Duration::from_secs(61);
        assert!(matches!(
            pairing.redeem(&code, "x", after),
            Err(PairError::NoCode)
        ));
        // The second lockout is twice as long.
        let code = pairing.new_code(after).expect("code");
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let mut last = None;
        for _ in 0..5 {
            last = Some(pairing.redeem(wrong, "x", after));
        }
        assert!(
            matches!(last, Some(Err(PairError::TooMany { retry_after })) if retry_after == Duration::from_secs(120))
        );
    }

    #[test]
    fn codes_cannot_be_asked_for_in_a_rapid_stream() {
        let mut pairing = Pairing::in_memory(policy());
        let now = Instant::now();
        pairing.new_code(now).expect("code");
        assert!(matches!(
            pairing.new_code(now + Duration::from_secs(1)),
            Err(PairError::TooMany { .. })
        ));
        pairing
            .new_code(now + Duration::from_secs(6))
            .expect("later");
    }

    #[test]
    fn a_revoked_device_loses_access_and_pairings_survive_a_restart() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("pairings.json");
        let now = Instant::now();
        let (kept, revoked) = {
            let mut pairing = Pairing::persistent(policy(), &file).expect("new");
            let code = pairing.new_code(now).expect("code");
            let kept = pairing.redeem(&code, "phone", now).expect("pairs");
            let later = now + Duration::from_secs(10);
            let code = pairing.new_code(later).expect("code");
            let revoked = pairing.redeem(&code, "tablet", later).expect("pairs");
            let id = pairing.device_of(&revoked).expect("paired").id.clone();
            pairing.revoke(&id).expect("revokes");
            assert!(pairing.device_of(&revoked).is_none());
            (kept, revoked)
        };
        let pairing = Pairing::persistent(policy(), &file).expect("reloads");
        assert_eq!(pairing.device_of(&kept).expect("kept").name, "phone");
        assert!(pairing.device_of(&revoked).is_none());
        assert!(matches!(
            Pairing::in_memory(policy()).revoke("nope"),
            Err(PairError::UnknownDevice(_))
        ));
    }

    #[test]
    fn a_corrupt_pairings_file_is_refused_naming_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("pairings.json");
        std::fs::write(&file, "{\"format\": \"something-else/9\", \"devices\": []}").expect("w");
        let error = Pairing::persistent(policy(), &file).expect_err("foreign");
        let message = error.to_string();
        assert!(message.contains("pairings.json") && message.contains("something-else/9"));
        std::fs::write(&file, "garbage").expect("w");
        assert!(Pairing::persistent(policy(), &file).is_err());
    }

    #[test]
    fn device_names_are_bounded() {
        let mut pairing = Pairing::in_memory(policy());
        let now = Instant::now();
        let code = pairing.new_code(now).expect("code");
        for name in ["", "   ", &"x".repeat(41), "a\u{7}b"] {
            assert!(matches!(
                pairing.redeem(&code, name, now),
                Err(PairError::BadName)
            ));
        }
        pairing.redeem(&code, "Ünïcode phone ☎", now).expect("fine");
    }

    #[test]
    fn the_digit_source_is_uniform_enough_to_use_every_code() {
        // Every leading digit shows up in a few hundred draws: no stuck or biased generator.
        let mut seen = [0u32; 10];
        for _ in 0..500 {
            seen[random_below(10) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 20), "{seen:?}");
    }
}
