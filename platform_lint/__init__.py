"""platform-lint: policy-as-code guardrails for platform teams."""

__version__ = "0.1.0"
