//! Replacing a file so that a crash or power cut leaves either the old or the new contents.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder: write, fsync, rename,
/// fsync the folder. Creates missing parent folders. Readers never see a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(folder)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    remove_stale_temporaries(folder, &name.to_string_lossy());
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = folder.join(temporary_name);
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        crate::failpoint(&format!("atomic:{}:synced", name.to_string_lossy()));
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    crate::failpoint(&format!("atomic:{}:renamed", name.to_string_lossy()));
    // The rename is durable only once the folder's entry is on disk.
    File::open(folder)?.sync_all()
}

/// Removes the temporary files of earlier writes of `name` whose process is gone (killed or
/// powered off between writing and renaming), so they do not pile up. A temporary of a process
/// that still runs is its write in progress, and stays. Where `/proc` is missing, nothing is
/// removed.
fn remove_stale_temporaries(folder: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_contents_and_leaves_no_temporary_file() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("deep/er/edits.toml");
        write_atomically(&path, b"first").expect("first write");
        write_atomically(&path, b"second").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["edits.toml"]);
    }

    #[test]
    fn temporaries_of_dead_writers_are_removed_and_live_ones_kept() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("edits.toml");
        // No process has this number (above the kernel's pid_max); the parent runs.
        let dead = folder.path().join(".edits.toml.4294967295.tmp");
        let live = folder.path().join(format!(
            ".edits.toml.{}.tmp",
            std::os::unix::process::parent_id()
        ));
        let other = folder.path().join(".other.toml.4294967295.tmp");
        for file in [&dead, &live, &other] {
            fs::write(file, b"half").expect("temporary");
        }
        write_atomically(&path, b"whole").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"whole");
        assert!(!dead.exists(), "a dead writer's temporary is gone");
        assert!(live.exists(), "a running writer's temporary stays");
        assert!(
            other.exists(),
            "another file's temporary is not this write's business"
        );
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("a");
        write_atomically(&path, b"old").expect("write");
        // A folder where the file should go cannot be replaced by a file.
        let blocked = folder.path().join("b");
        fs::create_dir_all(blocked.join("inside")).expect("dir");
        assert!(write_atomically(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).expect("read"), b"old");
        assert_eq!(fs::read_dir(folder.path()).expect("list").count(), 2);
    }
}
