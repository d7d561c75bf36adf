"""The only package that imports SpiffWorkflow: parsing, sandboxed scripting, running, serializing."""
