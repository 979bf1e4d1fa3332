import GridshellCLI

await GridshellCommand.runAsync()
