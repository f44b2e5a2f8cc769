//! Process set-up for servers and load generators: SIGPIPE and the open-files limit.

/// Ignore SIGPIPE from now on, for the whole process.
///
/// tokio-rustls hands rustls' records to the socket with `writev`, which (unlike `send` with
/// MSG_NOSIGNAL) raises SIGPIPE when the peer has already gone. With the default action that
/// signal kills the process: one client that closes right after its handshake, while the server
/// is still sending its session tickets, would stop the whole server. Servers and load generators
/// call this first; afterwards a write to a closed stdout fails instead of killing the process,
/// so they print with functions that ignore that failure.
pub fn ignore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting SIGPIPE's disposition to SIG_IGN installs no handler code and touches no
    // memory of ours; it is process-wide, which is what servers and load generators want.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Raise the soft limit on open files to the hard limit, so that thousands of connections fit.
/// Returns the new soft limit (or the old one when it cannot be raised).
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    // SAFETY: getrlimit writes into `lim`, a valid rlimit on our stack; setrlimit reads it.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let old = lim.rlim_cur;
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Some(old as u64);
            }
        }
        Some(lim.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    None
}
