"""The edge: the client REST API (``api``), the workers' pages (``workplace``), middleware."""
