"""Configuration of `benchopt test` for this benchmark."""
