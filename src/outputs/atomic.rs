//! Write-then-rename: an output file either appears whole or not at all.

use crate::error::{Error, Result};
use std::path::Path;

/// Create a temporary file next to `path` (same extension, so format-sniffing writers
/// still work), let `write` fill it, then atomically rename it over `path`.
/// On any error the temporary file is removed and `path` is untouched.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let err = |message: String| Error::Write {
        path: path.into(),
        message,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(err(format!("directory {} does not exist", dir.display())));
    }
    let suffix = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(".chipcast-")
        .suffix(&suffix)
        .tempfile_in(dir)
        .map_err(|e| err(e.to_string()))?;
    write(tmp.path())?;
    tmp.persist(path).map_err(|e| err(e.error.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let r = write_atomically(&target, |p| {
            std::fs::write(p, "half").unwrap();
            Err(Error::invalid("boom"))
        });
        assert!(r.is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_successful_write_replaces_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").unwrap();
        write_atomically(&target, |p| {
            std::fs::write(p, "new").map_err(|e| Error::invalid(e.to_string()))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }
}
