//! `comic`: makes, archives and prints comics from hand-drawn grids and an art library.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    atelier_cli::init_logging();
    let args = comic::cli::Args::parse();
    atelier_cli::run(|| {
        Ok(atelier_cli::print_stdout(
            comic::cli::run(args)?.trim_end(),
        )?)
    })
}
