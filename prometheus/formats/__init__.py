"""Import and export: JSON (lossless), CSV (MS Project style predecessors), MSPDI XML, iCalendar, and
through MPXJ (optional extra) every format it reads."""
