"""The typed answers of the analysis, tracking, scenario and peer routes (what `data` holds in their
envelope), so that the OpenAPI document describes every answer."""
