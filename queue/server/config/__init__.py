"""The hall configuration (TOML): halls, categories, business items, windows,
hours, queue rules and rota (halls.py), rating rules (ratings.py), printers
(printers.py); the demo hall is demo_hall.toml."""
from onewindow.server.config.halls import (
    Category,
    Config,
    ConfigError,
    Hall,
    Item,
    Limit,
    Printer,
    demo_config_path,
    load_config,
    parse_config,
)

__all__ = ["Category", "Config", "ConfigError", "Hall", "Item", "Limit", "Printer", "demo_config_path",
           "load_config", "parse_config"]
