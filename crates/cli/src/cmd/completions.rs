//! `tlskit completions SHELL`: a completion script for bash, zsh, fish, PowerShell or Elvish,
//! generated from the same clap definitions as `--help` (clap_complete), so it never drifts.

use tlskit::Result;

#[derive(clap::Args, Debug)]
#[command(
    about = "Print a shell completion script (bash, zsh, fish, powershell, elvish)",
    long_about = "Print a completion script for your shell on stdout: after installing it, Tab completes\n\
tlskit's commands, flags and flag values.\n\n\
Install (as your user; open a new shell afterwards):\n\
\x20 bash        tlskit completions bash > ~/.local/share/bash-completion/completions/tlskit\n\
\x20 zsh         tlskit completions zsh > ~/.zfunc/_tlskit\n\
\x20             (and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath))\n\
\x20 fish        tlskit completions fish > ~/.config/fish/completions/tlskit.fish\n\
\x20 powershell  tlskit completions powershell >> $PROFILE\n\
\x20 elvish      tlskit completions elvish > ~/.config/elvish/lib/tlskit.elv\n\
\x20             (and in rc.elv: use tlskit)\n\n\
System-wide, bash reads /usr/share/bash-completion/completions/tlskit and zsh a _tlskit file\n\
in a directory of its fpath, e.g. /usr/local/share/zsh/site-functions.",
    after_help = "Examples:\n  tlskit completions bash > ~/.local/share/bash-completion/completions/tlskit\n  source <(tlskit completions bash)      # this shell only"
)]
pub struct Args {
    /// The shell to write the script for.
    #[arg(value_name = "SHELL", value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: Args, mut cli: clap::Command) -> Result<i32> {
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "tlskit", &mut script);
    crate::out!("{}", String::from_utf8_lossy(&script));
    Ok(0)
}
