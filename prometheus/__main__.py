from prometheus.cli import main

main()
