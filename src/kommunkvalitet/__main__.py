from kommunkvalitet.cli import main

main()
