#if canImport(Glibc)
    import Glibc
#endif

/// The process's open-file limit, for tests that hold thousands of sockets
/// (client and server ends both live in the test process).
enum OpenFiles {
    /// Raises the soft limit towards the hard one; true when `count` fits.
    static func raiseLimit(to count: Int) -> Bool {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        if limit.rlim_cur < rlim_t(count) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(count))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        }
        return limit.rlim_cur >= rlim_t(count)
    }
}
