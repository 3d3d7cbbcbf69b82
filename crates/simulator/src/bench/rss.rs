//! The server's memory, from `/proc/<pid>/status` (Linux): peak (VmHWM) and current
//! (VmRSS) resident set size.

/// Resident set sizes in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rss {
    pub peak_kib: u64,
    pub current_kib: u64,
}

/// Reads `pid`'s RSS; `None` when the process or the fields are not there.
pub fn read(pid: u32) -> Option<Rss> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse(&status)
}

fn parse(status: &str) -> Option<Rss> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Rss {
        peak_kib: field("VmHWM:")?,
        current_kib: field("VmRSS:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_status() {
        let status = "Name:\tkcost\nVmPeak:\t  999 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n";
        assert_eq!(
            parse(status),
            Some(Rss {
                peak_kib: 51_200,
                current_kib: 40_960
            })
        );
        assert_eq!(parse("Name: x\n"), None);
        assert!(read(std::process::id()).is_some());
    }
}
