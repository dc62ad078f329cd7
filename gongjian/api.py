"""The versioned REST API: /api/v1/, OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="Gongjian API", version="1", urls_namespace="api")
