"""Job-kind handlers, one module each; `archive.work.registry.default_registry` lists them."""
