"""Stand-ins for the services the portal talks to, served for real on a local port."""
