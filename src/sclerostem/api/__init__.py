"""REST API (FastAPI) over the registry and the engines."""
