//! `tlskit man`: manual pages in roff, generated from the same clap definitions as `--help`
//! (clap_mangen): tlskit(1) and one page per subcommand (tlskit-connect(1), tlskit-cert-issue(1) …).

use std::path::PathBuf;
use tlskit::{Error, Result};

#[derive(clap::Args, Debug)]
#[command(
    about = "Print manual pages (roff), or write them all to a directory",
    long_about = "Print a manual page in roff on stdout: tlskit(1) without arguments, or the page of a\n\
subcommand (tlskit man connect, tlskit man cert issue). --dir DIR writes every page instead:\n\
tlskit.1, tlskit-connect.1, tlskit-cert-issue.1 …\n\n\
Read one at once:      tlskit man scan | man -l -\n\
Install for your user: tlskit man --dir ~/.local/share/man/man1   (then: man tlskit-scan)\n\
System-wide:           sudo tlskit man --dir /usr/local/share/man/man1 && sudo mandb",
    after_help = "Examples:\n  tlskit man | man -l -\n  tlskit man cert issue | man -l -\n  tlskit man --dir ~/.local/share/man/man1"
)]
pub struct Args {
    /// The subcommand whose page to print (e.g. `connect`, or `cert issue`); none: tlskit(1).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    command: Vec<String>,
    /// Write every page (tlskit.1 and one per subcommand) into DIR instead (created if missing).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Every page: (file stem, command as it is named in its page).
fn pages(cli: &clap::Command) -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let stem = format!("{prefix}-{}", sub.get_name());
            out.push((stem.clone(), page_command(sub, &stem)));
            walk(&stem, sub, out);
        }
    }
    let mut out = vec![("tlskit".to_string(), cli.clone())];
    walk("tlskit", cli, &mut out);
    out
}

/// A subcommand as its own page: named `tlskit-connect`, invoked as `tlskit connect`.
fn page_command(sub: &clap::Command, stem: &str) -> clap::Command {
    let invoked = stem.replace('-', " ");
    // Subcommand names themselves may hold dashes: rebuild the invocation from the page path.
    let invoked = if sub.get_name().contains('-') {
        let head = stem.trim_end_matches(sub.get_name()).replace('-', " ");
        format!("{head}{}", sub.get_name())
    } else {
        invoked
    };
    // clap takes static names (without its `string` feature); a page name lives as long as the
    // process anyway.
    let name: &'static str = Box::leak(stem.to_string().into_boxed_str());
    sub.clone()
        .name(name)
        .bin_name(invoked)
        .version(env!("CARGO_PKG_VERSION"))
}

fn render(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .section("1")
        .source(format!("tlskit {}", env!("CARGO_PKG_VERSION")))
        .manual("tlskit manual")
        .render(&mut buf)
        .map_err(|e| Error::other(format!("cannot render the manual page: {e}")))?;
    Ok(buf)
}

pub fn run(args: Args, mut cli: clap::Command) -> Result<i32> {
    cli.build();
    let all = pages(&cli);
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::input(
                tlskit::error::file_error(dir, "create the man page directory", &e)
                    .message()
                    .to_string(),
            )
        })?;
        for (stem, cmd) in all.iter().cloned() {
            let path = dir.join(format!("{stem}.1"));
            tlskit::fsutil::write_atomic(&path, &render(cmd)?, tlskit::fsutil::PUBLIC_MODE, true)?;
        }
        let read = match (dir.file_name(), dir.parent()) {
            (Some(n), Some(parent)) if n == "man1" => {
                format!("man -M {} tlskit-connect", parent.display())
            }
            _ => format!("man -l {}", dir.join("tlskit-connect.1").display()),
        };
        eprintln!(
            "tlskit: wrote {} manual pages to {} (read one with: {read})",
            all.len(),
            dir.display()
        );
        return Ok(0);
    }
    let stem = std::iter::once("tlskit".to_string())
        .chain(args.command.iter().map(|w| w.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join("-");
    let Some((_, cmd)) = all.into_iter().find(|(s, _)| *s == stem) else {
        let names: Vec<String> = pages(&cli)
            .into_iter()
            .skip(1)
            .map(|(s, _)| s.trim_start_matches("tlskit-").replace('-', " "))
            .collect();
        return Err(Error::usage(format!(
            "no manual page for 'tlskit {}'; pages exist for: {}",
            args.command.join(" "),
            names.join(", ")
        )));
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&render(cmd)?);
    let _ = out.flush();
    Ok(0)
}
