//! Never lose data: every output is checked before any work ([`check_outputs`]), written to
//! a temporary file next to its target, and renamed over the target only when the whole run
//! has succeeded ([`Staging`]). On failure existing files are untouched and no temporary
//! file is left behind.
//!
//! Files are created with mode 0666 masked by the process umask (0644 under umask 022),
//! as `touch` or a shell redirection would, and a symlinked output is followed: the link's
//! target is replaced, the link stays.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

type Staged = Vec<(tempfile::TempPath, PathBuf)>;
type StagedDirs = Vec<(tempfile::TempDir, PathBuf)>;

thread_local! {
    /// Outputs written on this thread while a [`Staging`] is active wait here for
    /// [`Staging::commit`] (per thread, so that concurrent runs in one process, such as
    /// tests, never commit each other's files).
    static PENDING: RefCell<Option<Staged>> = const { RefCell::new(None) };
    /// Bytes for standard output (`-o -`) held back while a [`Staging`] is active.
    static PENDING_STDOUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Directories ([`AtomicDir`]) waiting for [`Staging::commit`], likewise.
    static PENDING_DIRS: RefCell<Option<StagedDirs>> = const { RefCell::new(None) };
}

/// Whether an output path is `-`, standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Write bytes meant for standard output (an output path of `-`). While a [`Staging`] is
/// active they are held, like the files, and handed out by [`take_stdout`] after the run
/// has succeeded; otherwise they are written at once.
pub fn write_stdout(bytes: Vec<u8>) -> Result<()> {
    let staged = PENDING.with(|p| p.borrow().is_some());
    if staged {
        PENDING_STDOUT.with(|o| o.borrow_mut().extend(bytes));
        return Ok(());
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::Write {
            path: "-".into(),
            message: e.to_string(),
        })
}

/// The standard-output bytes held by a committed [`Staging`] (empty when there are none).
pub fn take_stdout() -> Vec<u8> {
    PENDING_STDOUT.with(|o| std::mem::take(&mut *o.borrow_mut()))
}

/// Defers every [`write_atomically`] of a run: the temporary files are renamed over their
/// targets together by [`Staging::commit`]; dropping the guard without committing deletes
/// them and leaves the targets as they were.
#[derive(Debug)]
pub struct Staging {
    _private: (),
}

impl Staging {
    /// Start deferring this thread's writes until commit or drop.
    pub fn begin() -> Self {
        PENDING.with(|p| *p.borrow_mut() = Some(Vec::new()));
        PENDING_STDOUT.with(|o| o.borrow_mut().clear());
        PENDING_DIRS.with(|p| *p.borrow_mut() = Some(Vec::new()));
        Staging { _private: () }
    }

    /// Rename every staged output over its target, in the order written.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let staged = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        let mut done = Vec::with_capacity(staged.len());
        for (tmp, target) in staged {
            tmp.persist(&target).map_err(|e| Error::Write {
                path: target.clone(),
                message: e.error.to_string(),
            })?;
            done.push(target);
        }
        let dirs = PENDING_DIRS
            .with(|p| p.borrow_mut().take())
            .unwrap_or_default();
        for (tmp, target) in dirs {
            replace_dir(tmp, &target).map_err(|e| Error::Write {
                path: target.clone(),
                message: e.to_string(),
            })?;
            done.push(target);
        }
        Ok(done)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // uncommitted temporary files are deleted when their TempPath drops
        if PENDING.with(|p| p.borrow_mut().take()).is_some() {
            // not committed: nothing of the run reaches standard output either
            PENDING_STDOUT.with(|o| o.borrow_mut().clear());
        }
        PENDING_DIRS.with(|p| p.borrow_mut().take());
    }
}

/// The file a write to `path` should replace: `path` itself, or, when `path` is a symlink
/// (possibly a chain), the file it finally points to (which may not exist yet).
pub fn resolve_target(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(link) => {
                    p = if link.is_absolute() {
                        link
                    } else {
                        p.parent().unwrap_or(Path::new("")).join(link)
                    };
                }
                Err(_) => return p,
            },
            _ => return p,
        }
    }
    p
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether a `what` (file or directory) can be created beside `target`: its directory
/// exists and takes a temporary file (removed at once).
fn parent_writable(target: &Path, what: &str) -> std::result::Result<(), String> {
    let dir = parent_dir(target);
    if !dir.is_dir() {
        return Err(format!(
            "the directory {} does not exist; create it first (mkdir -p {}); nothing was run",
            dir.display(),
            dir.display()
        ));
    }
    new_temp(dir, "").map(drop).map_err(|e| {
        format!(
            "cannot create a {what} in {}: {e}; nothing was run",
            dir.display()
        )
    })
}

fn new_temp(dir: &Path, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".chipcast-").suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) masks this with the umask, like any newly created file
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Create a temporary file next to `path`'s target (same extension, so format-sniffing
/// writers still work), let `write` fill it, then rename it over the target: at once, or
/// at [`Staging::commit`] when a staging is active. On any error the temporary file is
/// removed and the target is untouched.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let file = AtomicFile::create(path)?;
    write(file.temp_path())?;
    file.commit()
}

/// An output written in several steps (a table streamed batch by batch): the temporary
/// file of [`write_atomically`], held open until [`AtomicFile::commit`]. Dropped without a
/// commit, it is deleted and the target is untouched.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Create the temporary file next to `path`'s target (a symlink is followed).
    pub fn create(path: &Path) -> Result<Self> {
        let err = |message: String| Error::Write {
            path: path.into(),
            message,
        };
        let target = resolve_target(path);
        let dir = parent_dir(&target);
        if !dir.is_dir() {
            return Err(err(format!("directory {} does not exist", dir.display())));
        }
        let suffix = target
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let tmp = new_temp(dir, &suffix).map_err(|e| err(e.to_string()))?;
        Ok(Self {
            tmp,
            target,
            path: path.into(),
        })
    }

    /// Where to write meanwhile.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Rename the temporary file over the target: now, or at [`Staging::commit`] when a
    /// staging is active.
    pub fn commit(self) -> Result<()> {
        let Self { tmp, target, path } = self;
        let tmp = tmp.into_temp_path();
        let tmp = PENDING.with(|p| match p.borrow_mut().as_mut() {
            Some(list) => {
                list.retain(|(_, t)| t != &target);
                list.push((tmp, target.clone()));
                None
            }
            None => Some(tmp),
        });
        if let Some(tmp) = tmp {
            tmp.persist(&target).map_err(|e| Error::Write {
                path,
                message: e.error.to_string(),
            })?;
        }
        Ok(())
    }
}

/// An output directory (a partitioned table) built in a temporary directory next to its
/// target and put in place by [`AtomicDir::commit`]: at once, or at [`Staging::commit`].
/// Dropped without a commit, it is deleted and the target is untouched. The directory gets
/// mode 0777 masked by the umask, and a symlinked target is followed.
#[derive(Debug)]
pub struct AtomicDir {
    tmp: tempfile::TempDir,
    target: PathBuf,
}

impl AtomicDir {
    /// Create the temporary directory next to `path`'s target.
    pub fn create(path: &Path) -> Result<Self> {
        let target = resolve_target(path);
        let dir = parent_dir(&target);
        let mut b = tempfile::Builder::new();
        b.prefix(".chipcast-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o777));
        }
        let tmp = b.tempdir_in(dir).map_err(|e| Error::Write {
            path: path.into(),
            message: e.to_string(),
        })?;
        Ok(Self { tmp, target })
    }

    /// Where to write the files meanwhile.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Put the directory in place of the target (replacing a previous one whole).
    pub fn commit(self) -> Result<()> {
        let Self { tmp, target } = self;
        let tmp = PENDING_DIRS.with(|p| match p.borrow_mut().as_mut() {
            Some(list) => {
                list.retain(|(_, t)| t != &target);
                list.push((tmp, target.clone()));
                None
            }
            None => Some(tmp),
        });
        match tmp {
            Some(tmp) => replace_dir(tmp, &target).map_err(|e| Error::Write {
                path: target,
                message: e.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// Rename `tmp` to `target`. An existing target directory is first moved aside into a
/// temporary directory, and deleted only once the new one is in place.
fn replace_dir(tmp: tempfile::TempDir, target: &Path) -> std::io::Result<()> {
    if target.is_dir() {
        let aside = tempfile::Builder::new()
            .prefix(".chipcast-old-")
            .tempdir_in(parent_dir(target))?;
        let old = aside.path().join("old");
        std::fs::rename(target, &old)?;
        if let Err(e) = std::fs::rename(tmp.path(), target) {
            // put the old directory back
            let _ = std::fs::rename(&old, target);
            return Err(e);
        }
        let _ = tmp.keep();
        drop(aside);
    } else {
        std::fs::rename(tmp.path(), target)?;
        let _ = tmp.keep();
    }
    Ok(())
}

/// Whether a directory holds only the parts of a partitioned table (`part-*.parquet`), so
/// that replacing it whole loses nothing else.
fn only_parts(dir: &Path) -> std::io::Result<Option<PathBuf>> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(p.is_file() && name.starts_with("part-") && name.ends_with(".parquet")) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Check a partitioned output directory before any work: its parent exists and is
/// writable, it is not a file, it holds nothing but the parts of an earlier partitioned
/// table (it is replaced whole), and no input is it or lies inside it.
pub fn check_partition_dir(flag: &str, path: &Path, inputs: &[(&str, &Path)]) -> Result<()> {
    let err = |message: String| Error::Write {
        path: path.into(),
        message,
    };
    let target = resolve_target(path);
    if target.exists() && !target.is_dir() {
        return Err(err(format!(
            "{} is a file; {flag} names a directory to hold part-00000.parquet, part-00001.parquet, ...; nothing was run",
            target.display()
        )));
    }
    let canon = |p: &Path| std::fs::canonicalize(resolve_target(p)).ok();
    if let Some(t) = canon(&target) {
        for (iflag, input) in inputs {
            if canon(input).is_some_and(|i| i.starts_with(&t)) {
                return Err(err(format!(
                    "{flag} would replace the directory that holds {iflag} {}; choose another output directory",
                    input.display()
                )));
            }
        }
    }
    if target.is_dir() {
        if let Some(other) = only_parts(&target).map_err(|e| err(e.to_string()))? {
            return Err(err(format!(
                "{} holds {}, which is not a part of a partitioned table; {flag} replaces its directory whole, so give a new or empty directory (or an earlier {flag} output); nothing was run",
                target.display(),
                other.display()
            )));
        }
    }
    parent_writable(&target, "directory").map_err(err)?;
    Ok(())
}

/// One output a command will write: the flag that named it, the path and the extensions
/// its writer accepts.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'a> {
    /// The flag, e.g. `--output`.
    pub flag: &'a str,
    /// The path the user gave.
    pub path: &'a Path,
    /// Valid extensions, lower case, without the dot.
    pub extensions: &'a [&'a str],
    /// Whether `-` (CSV on standard output) is accepted.
    pub stdout: bool,
}

/// Table outputs (`-o`, `--params`).
pub const TABLE_EXTENSIONS: &[&str] = &["csv", "json", "parquet"];
/// Chart outputs.
pub const CHART_EXTENSIONS: &[&str] = &["png", "svg"];

fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| -> Option<PathBuf> {
        let t = resolve_target(p);
        match std::fs::canonicalize(&t) {
            Ok(c) => Some(c),
            // not there yet: canonical directory + file name
            Err(_) => {
                let dir = std::fs::canonicalize(parent_dir(&t)).ok()?;
                Some(dir.join(t.file_name()?))
            }
        }
    };
    match (canon(a), canon(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Check every output of a run before any work: a supported extension, an existing and
/// writable directory, not a directory itself, not one of the `inputs` (given as
/// `(flag, path)`), and not the same file as another output of the run. `-` (standard
/// output) is accepted where [`Planned::stdout`] says so, for one output of the run.
pub fn check_outputs(inputs: &[(&str, &Path)], outputs: &[Planned<'_>]) -> Result<()> {
    for (i, o) in outputs.iter().enumerate() {
        let err = |message: String| Error::Write {
            path: o.path.into(),
            message,
        };
        if is_stdout(o.path) {
            if !o.stdout {
                return Err(err(format!(
                    "{} cannot write to standard output (-); give a file name ({}); nothing was run",
                    o.flag,
                    o.extensions
                        .iter()
                        .map(|e| format!(".{e}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if let Some(other) = outputs[..i].iter().find(|p| is_stdout(p.path)) {
                return Err(err(format!(
                    "{} and {} both name standard output (-); only one output can go there",
                    other.flag, o.flag
                )));
            }
            continue;
        }
        let ext = o
            .path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !o.extensions.contains(&ext.as_str()) {
            let valid: Vec<String> = o.extensions.iter().map(|e| format!(".{e}")).collect();
            return Err(err(format!(
                "{} needs one of the extensions {} (got {}); nothing was run",
                o.flag,
                valid.join(", "),
                if ext.is_empty() {
                    "none".to_string()
                } else {
                    format!(".{ext}")
                }
            )));
        }
        let target = resolve_target(o.path);
        if target.is_dir() {
            return Err(err(format!(
                "{} is a directory; {} needs a file name such as {}/out.{}",
                target.display(),
                o.flag,
                target.display(),
                o.extensions[0]
            )));
        }
        parent_writable(&target, "file").map_err(err)?;
        for (flag, input) in inputs {
            if same_file(o.path, input) {
                return Err(err(format!(
                    "{} is the same file as {flag} {}; writing it would destroy the input; choose another output name",
                    o.flag,
                    input.display()
                )));
            }
        }
        for other in outputs[..i].iter().filter(|p| !is_stdout(p.path)) {
            if same_file(o.path, other.path) {
                return Err(err(format!(
                    "{} and {} name the same file; give each output its own name",
                    other.flag, o.flag
                )));
            }
        }
    }
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

    #[test]
    fn staged_outputs_appear_together_on_commit_and_never_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        std::fs::write(&a, "old a").unwrap();
        let put = |p: &Path, text: &str| {
            write_atomically(p, |tmp| {
                std::fs::write(tmp, text).map_err(|e| Error::invalid(e.to_string()))
            })
        };
        {
            let _staging = Staging::begin();
            put(&a, "new a").unwrap();
            put(&b, "new b").unwrap();
            assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
            assert!(!b.exists());
            // dropped without commit: a later step failed
        }
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let staging = Staging::begin();
        put(&a, "new a").unwrap();
        put(&b, "new b").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link) = (dir.path().join("real.csv"), dir.path().join("link.csv"));
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomically(&link, |tmp| {
            std::fs::write(tmp, "new").map_err(|e| Error::invalid(e.to_string()))
        })
        .unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn a_staged_directory_replaces_an_earlier_one_whole_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("parts");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("part-00000.parquet"), "old 0").unwrap();
        std::fs::write(target.join("part-00001.parquet"), "old 1").unwrap();
        check_partition_dir("--partitions", &target, &[]).unwrap();
        {
            let _staging = Staging::begin();
            let d = AtomicDir::create(&target).unwrap();
            std::fs::write(d.temp_path().join("part-00000.parquet"), "new 0").unwrap();
            d.commit().unwrap();
            // dropped without commit: a later step failed
        }
        assert_eq!(
            std::fs::read_to_string(target.join("part-00001.parquet")).unwrap(),
            "old 1"
        );
        let staging = Staging::begin();
        let d = AtomicDir::create(&target).unwrap();
        std::fs::write(d.temp_path().join("part-00000.parquet"), "new 0").unwrap();
        d.commit().unwrap();
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("part-00000.parquet")).unwrap(),
            "new 0"
        );
        assert!(!target.join("part-00001.parquet").exists());
        // nothing is left beside the target
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_partition_directory_with_other_files_or_holding_the_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        let e = check_partition_dir("--partitions", &target, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a part of a partitioned table"), "{e}");
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let e = check_partition_dir("--partitions", dir.path(), &[("--input", &input)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds --input"), "{e}");
        let e = check_partition_dir("--partitions", &input, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a file"), "{e}");
        assert_eq!(
            std::fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn outputs_with_a_bad_extension_or_equal_to_the_input_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let table = |p: &'static str, path: &Path| Planned {
            flag: p,
            path: Box::leak(path.to_path_buf().into_boxed_path()),
            extensions: TABLE_EXTENSIONS,
            stdout: true,
        };
        let bad = check_outputs(&[], &[table("--output", &dir.path().join("x.txt"))]);
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains(".csv, .json, .parquet")
        );
        let same = check_outputs(&[("--input", &input)], &[table("--output", &input)]);
        assert!(
            same.unwrap_err()
                .to_string()
                .contains("same file as --input")
        );
        let twice = check_outputs(
            &[],
            &[
                table("--output", &dir.path().join("a.csv")),
                table("--params", &dir.path().join("./a.csv")),
            ],
        );
        assert!(
            twice
                .unwrap_err()
                .to_string()
                .contains("name the same file")
        );
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "x");
    }

    #[test]
    fn standard_output_is_accepted_once_and_only_where_the_writer_supports_it() {
        let out = |flag: &'static str, stdout: bool| Planned {
            flag,
            path: Path::new("-"),
            extensions: TABLE_EXTENSIONS,
            stdout,
        };
        check_outputs(&[], &[out("--output", true)]).unwrap();
        let twice = check_outputs(&[], &[out("--output", true), out("--params", true)]);
        assert!(
            twice
                .unwrap_err()
                .to_string()
                .contains("--output and --params both name standard output")
        );
        let chart = check_outputs(&[], &[out("--chart", false)]);
        assert!(
            chart
                .unwrap_err()
                .to_string()
                .contains("--chart cannot write to standard output")
        );
    }

    #[test]
    fn standard_output_is_held_until_commit_and_dropped_with_a_failed_run() {
        {
            let _staging = Staging::begin();
            write_stdout(b"lost".to_vec()).unwrap();
        }
        assert!(take_stdout().is_empty());
        let staging = Staging::begin();
        write_stdout(b"a,b\n".to_vec()).unwrap();
        staging.commit().unwrap();
        assert_eq!(take_stdout(), b"a,b\n");
    }
}
