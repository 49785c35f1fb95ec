"""The demo: the Opole club's settings (opole.toml) and a few weeks of made-up activity."""
