import GridshellCLI

GridshellCommand.main()
