//! Logs go through `tracing` and are off unless `OMP_DISCORD_LOG` is set (an env-filter such as
//! `info` or `omp_discord_bridge=debug`). They go to stderr so they never mix with stdout
//! protocols (OMP's RPC mode, MCP over stdio).

use once_cell::sync::OnceCell;

static INIT: OnceCell<()> = OnceCell::new();

pub fn init() {
    INIT.get_or_init(|| {
        let Ok(filter) = std::env::var("OMP_DISCORD_LOG") else { return };
        let filter = tracing_subscriber::EnvFilter::try_new(filter)
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ =
            tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
    });
}
