//! The `rempart` command.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(rempart_cli::run(&args));
}
