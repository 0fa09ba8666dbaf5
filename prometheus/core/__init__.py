"""Pure planning core: the domain model and algorithms, no I/O."""
