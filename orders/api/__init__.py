"""The inbound JSON API for websites (/api/v1/): views, payload validation, OpenAPI document."""
