"""Named what-if scenarios (YAML), shipped as the package ``simulator.scenarios``."""
