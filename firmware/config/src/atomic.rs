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
