from zoneops.cli import main

main()
