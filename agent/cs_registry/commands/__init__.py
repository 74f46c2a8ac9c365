"""One module per subcommand; each exposes a typed function returning an exit status."""
