"""Export specs of this app's lists (registered in jobs.exports.APP_SPEC_MODULES)."""

from jobs.exports import ExportSpec

SPECS: dict[str, ExportSpec] = {}
