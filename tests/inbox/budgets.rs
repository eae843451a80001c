//! Issue 33, security round four: the inbox has budgets. Its files are private, it refuses to
//! start where it cannot write, it stores only the headers it needs, each payload once, keeps
//! its `-wal` bounded, and answers 503 rather than wait without end or let one provider's flood
//! starve the others. Faults are injected deterministically (a held write lock, a child process
//! without write permission), never by timing.

use super::*;

/// 33.1: the SQLite file and its `-wal` and `-shm` hold personal data: owner only (0600).
#[cfg(unix)]
#[test]
fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let path = temp_db("private_files");
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        fill(&TestInbox::Sqlite(inbox.clone()), 2).await;
        for file in [
            path.clone(),
            path.with_extension("db-wal"),
            path.with_extension("db-shm"),
        ] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
        }
    });
}
