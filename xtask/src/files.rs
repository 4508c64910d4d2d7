//! File helpers every task shares: reading a tree, writing a file atomically,
//! and today's date for the lock. They sit apart from the tasks so that no
//! task has to import another only to write a file.

use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` (but `target/`), by relative path with `/`.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", current.display())),
        };
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let relative = path.strip_prefix(dir).map_err(|e| e.to_string())?;
            let relative = relative.to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                if relative != "target" {
                    stack.push(path);
                }
            } else {
                let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                out.insert(relative, String::from_utf8_lossy(&text).into_owned());
            }
        }
    }
    Ok(out)
}

/// Writes through a temporary file and a rename, so a crash never leaves a
/// half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, read_tree, write_atomic};

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
    }

    #[test]
    fn written_files_read_back_as_a_tree_without_target() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        write_atomic(&dir.path().join("a/b.txt"), b"b").expect("write a/b.txt");
        write_atomic(&dir.path().join("c.txt"), b"c").expect("write c.txt");
        write_atomic(&dir.path().join("c.txt"), b"c2").expect("overwrite c.txt");
        write_atomic(&dir.path().join("target/x.txt"), b"x").expect("write target/x.txt");
        let tree = read_tree(dir.path()).expect("read the tree");
        let files: Vec<(&str, &str)> = tree.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(files, [("a/b.txt", "b"), ("c.txt", "c2")]);
        assert!(read_tree(&dir.path().join("missing")).expect("a missing tree is empty").is_empty());
    }
}
