from sclerostem.cli import main

main()
