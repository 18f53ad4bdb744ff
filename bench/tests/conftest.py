"""The real-engine fixtures (elasticsearch_url …) for the bench tests too, also when only
bench/tests is collected; pytest registers the plugin once."""

pytest_plugins = ["tests.support.engines"]
