from prometheus.cli import app

app()
